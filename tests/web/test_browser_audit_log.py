"""The audit log in the web client: the owner's changes are listed with who, what, the fields
changed and the reason, new ones arrive while the tab is open, and the filters narrow it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from amityvox.db.schema import audit_log_entries
from amityvox.ids import new_id, now_iso
from tests.conftest import Server, auth
from tests.web.test_browser import guild_with
from tests.web.test_browser_roles import open_settings

API = "/api/v1"


async def test_owner_reads_the_audit_log_as_changes_happen(server: Server, browser: Any) -> None:
    owner, member = await guild_with(browser, server, "Guild hall", "olga", "mona")
    page = owner.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")
    owner_id: str = await page.evaluate("amityvox.app.state.self_user.id")
    channel_id: str = await page.evaluate(
        "Object.values(amityvox.app.state.channels).find((c) => c.guild_id === amityvox.app.ui.guildId).id"
    )

    # A change made in the client is listed once the tab opens: who, what, which channel.
    await open_settings(owner, "Channels")
    await page.get_by_label("Name").fill("announcements")
    await page.get_by_role("button", name="Create channel", exact=True).click()
    await page.locator("#chat-header", has_text="announcements").wait_for()  # the client moved there
    await open_settings(owner, "Audit Log")
    log = page.get_by_role("list", name="Audit log")
    created = log.locator(".audit-entry", has_text="created the channel")
    await created.wait_for()
    assert "olga" in await created.inner_text() and "#announcements" in await created.inner_text()
    await log.locator(".audit-entry", has_text="created the invite").wait_for()

    # A change made elsewhere, with a reason, arrives while the tab is open.
    headers = {**auth(await owner.token()), "X-Audit-Log-Reason": quote("tidying up ✓")}
    r = await server.http.patch(f"{API}/guilds/{guild_id}", json={"name": "Great hall"}, headers=headers)
    assert r.status_code == 200, r.text
    renamed = log.locator(".audit-entry", has_text="updated the server")
    await renamed.wait_for()
    text = await renamed.inner_text()
    assert "name: Guild hall → Great hall" in text and "Reason: tidying up ✓" in text
    assert await log.locator(".audit-entry").first.get_attribute("data-action-type") == "GUILD_UPDATE"

    # Permission bits read as the role editor names them.
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/roles", json={"name": "Helpers"}, headers=auth(await owner.token())
    )
    assert r.status_code == 201, r.text
    body = {"permissions_allow": str((1 << 23) | (1 << 1))}
    r = await server.http.patch(
        f"{API}/guilds/{guild_id}/roles/{r.json()['data']['id']}", json=body, headers=auth(await owner.token())
    )
    assert r.status_code == 200, r.text
    changed = log.locator(".audit-entry", has_text="Manage Messages")
    await changed.wait_for()
    assert "Manage Server" in await changed.inner_text()

    # Filters: by action, then by a member who changed nothing.
    await page.get_by_label("Filter by action").select_option(label="created the invite")
    await log.locator(".audit-entry", has_text="created the invite").wait_for()  # the filtered list
    assert await log.locator(".audit-entry").count() == 1
    await page.get_by_label("Filter by action").select_option(label="All actions")
    await page.get_by_label("Filter by member").select_option(label="mona")
    await page.get_by_text("No entries match the filter.").wait_for()

    # A long log comes a page at a time (older history, written before this session).
    await page.get_by_label("Filter by member").select_option(label="Anyone")
    async with server.ctx.db.begin() as conn:
        await conn.execute(audit_log_entries.insert(), [
            {"id": new_id(), "guild_id": guild_id, "actor_id": owner_id, "action": "CHANNEL_UPDATE",
             "target_type": "channel", "target_id": channel_id, "reason": None, "created_at": now_iso(),
             "changes": [{"key": "topic", "old": None, "new": f"t{i}"}]}
            for i in range(150)
        ])  # fmt: skip
    await page.get_by_role("tab", name="Overview").click()
    await page.get_by_role("tab", name="Audit Log").click()
    # The newest page, and the five entries that arrived live in this session.
    await log.locator(".audit-entry").nth(104).wait_for()
    assert await log.locator(".audit-entry").count() == 105
    await page.get_by_role("button", name="Load older entries").click()
    await log.locator(".audit-entry").nth(154).wait_for()
    assert (
        await log.locator(".audit-entry").count() == 155
    )  # the invite, the channel, the rename, the role twice and these
    assert not await page.get_by_role("button", name="Load older entries").count()

    # Mona has no ViewAuditLog: no tab for her.
    await open_settings(member, "Overview")
    assert not await member.page.get_by_role("tab", name="Audit Log").count()
    for person in (owner, member):
        await person.finish()
