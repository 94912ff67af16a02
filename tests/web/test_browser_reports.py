"""Reports in the web client: a member reports a message from its action bar, the owner finds it
in Server settings → Reports, resolves it with a note, and the queue follows; then warns the
member from her profile, and she is told."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.test_browser import guild_with, send
from tests.web.test_browser_roles import open_settings

API = "/api/v1"


async def test_member_reports_a_message_and_the_owner_resolves_it(server: Server, browser: Any) -> None:
    owner, member = await guild_with(browser, server, "Town square", "olga", "mona")
    await send(owner, "buy cheap watches")
    guild_id: str = await owner.page.evaluate("amityvox.app.ui.guildId")

    # Mona reports it: the Report button on the message, a modal asking why.
    msg = member.message("buy cheap watches")
    await msg.wait_for()
    await msg.hover()
    await msg.get_by_role("button", name="Report").click()
    dialog = member.page.get_by_role("dialog", name="Report this message")
    await dialog.get_by_label("Why are you reporting it?").fill("spam")
    await dialog.get_by_role("button", name="Send report").click()
    await member.page.get_by_text("Reported. The moderators will take a look.").wait_for()
    # Her own messages offer no Report, and she has no Reports tab.
    await send(member, "my own words")
    await member.message("my own words").hover()
    assert not await member.message("my own words").get_by_role("button", name="Report").count()
    await open_settings(member, "Overview")
    assert not await member.page.get_by_role("tab", name="Reports").count()

    # Olga's queue lists it; she resolves it with a note and the open queue empties.
    await open_settings(owner, "Reports")
    queue = owner.page.get_by_role("list", name="Reports")
    report = queue.locator(".report", has_text="spam")
    await report.wait_for()
    assert "mona" in await report.inner_text() and "olga" in await report.inner_text()
    await report.get_by_role("button", name="Resolve").click()
    resolve = owner.page.get_by_role("dialog", name="Resolve the report")
    await resolve.get_by_label("Note for the other moderators (optional)").fill("deleted it")
    await resolve.get_by_role("button", name="Resolve").click()
    await owner.page.get_by_text("No open reports.").wait_for()

    # Mona reports Olga herself from her profile; the open queue shows it as it arrives.
    await member.page.keyboard.press("Escape")
    await member.page.locator("#members .member", has_text="olga").click()
    await member.page.get_by_role("button", name="Report to moderators").click()
    about = member.page.get_by_role("dialog", name="Report olga")
    await about.get_by_label("Why are you reporting them?").fill("advertising")
    await about.get_by_role("button", name="Send report").click()
    await queue.locator(".report", has_text="advertising").wait_for()
    words = " ".join((await queue.locator(".report", has_text="advertising").inner_text()).split())
    assert words.startswith("mona reported olga"), words
    await owner.page.get_by_label("Report status").select_option(label="Resolved")
    await queue.locator(".report", has_text="resolved by olga: deleted it").wait_for()

    # From Mona's profile Olga warns her; Mona is told why, not by whom.
    await owner.page.keyboard.press("Escape")
    await owner.page.locator("#members .member", has_text="mona").click()
    await owner.page.get_by_role("button", name="Warn", exact=True).click()
    warn = owner.page.get_by_role("dialog", name="Warn mona")
    await warn.get_by_label("Reason").fill("no advertising")
    await warn.get_by_role("button", name="Warn").click()
    await member.page.get_by_text("You were warned in Town square: no advertising").wait_for()

    # The server agrees, and shows Mona only the status.
    mine = await server.http.get(f"{API}/guilds/{guild_id}/reports?status=resolved", headers=auth(await owner.token()))
    [stored] = mine.json()["data"]
    seen = await server.http.get(f"{API}/reports/{stored['id']}", headers=auth(await member.token()))
    assert seen.json()["data"]["status"] == "resolved" and "resolution" not in seen.json()["data"]
    for person in (owner, member):
        await person.finish()
