"""The instance administration panel in the web client: an administrator reads the statistics,
finds a user and suspends them (their open page is cut off and they cannot sign in again), closes
registration (a new sign-up is refused, saying why), then makes it invite-only (the sign-up form
asks for an invite), and resolves a report; a user who is not an administrator never sees the
panel, and the API refuses them."""

from __future__ import annotations

from typing import Any

from amityvox.services import admin
from tests.conftest import Server, auth
from tests.messages.helpers import person
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import PASSWORD, Person, create_guild, open_page, register, until

API = "/api/v1"


async def open_admin(person_: Person, section: str) -> Any:
    page = person_.page
    panel = page.get_by_role("complementary", name="Panel")
    if not await panel.get_by_role("heading", name="Instance administration").count():
        await page.get_by_role("button", name="Instance administration").click()
    await panel.get_by_role("tab", name=section).click()
    return panel


async def known_role(person_: Person) -> bool:
    """Whether the page's GET /instance/me said administrator (waits for it to answer)."""
    await until(person_, "() => amityvox.app.ui.instanceAdmin !== null")
    answer: bool = await person_.page.evaluate("amityvox.app.ui.instanceAdmin")
    return answer


async def test_an_administrator_suspends_closes_sign_up_and_resolves_a_report(server: Server, browser: Any) -> None:
    root_user = await person(server, "root")
    await admin.set_admin(server.ctx, None, "root", True)
    mallory = await register(browser, server, "mallory")
    nina = await person(server, "nina")
    body = {"user_id": await mallory_id(server, root_user.token), "reason": "spam in my DMs"}
    r = await server.http.post(f"{API}/instance/reports", json=body, headers=nina.headers)
    assert r.status_code == 201, r.text

    # Mallory is no administrator: no shield, and the API refuses her.
    assert await known_role(mallory) is False
    assert not await mallory.page.get_by_role("button", name="Instance administration").count()
    assert (await server.http.get(f"{API}/admin/stats", headers=auth(await mallory.token()))).status_code == 403

    # Root opens the panel from the shield and reads the statistics.
    root = await open_page(browser, server, "root", token=root_user.token)
    await root.page.locator(".user-panel", has_text="root").wait_for()
    assert await known_role(root) is True
    panel = await open_admin(root, "Overview")
    stats = panel.get_by_role("list", name="Instance statistics")
    await stats.locator(".stat", has_text="Users").locator("strong", has_text="3").wait_for()
    await stats.locator(".stat", has_text="Connected sessions").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await root.page.screenshot(path=str(SCREENSHOTS / "admin-overview-1280x800.png"))

    # Users: she finds Mallory and suspends her, giving a reason in the modal.
    panel = await open_admin(root, "Users")
    await panel.get_by_label("Find users").fill("mall")
    await panel.get_by_role("button", name="Search").click()
    users = panel.get_by_role("list", name="Users")
    await users.locator("li", has_text="mallory").wait_for()
    assert await users.locator("li").count() == 1
    await users.get_by_role("button", name="View mallory").click()
    await panel.get_by_role("button", name="Suspend").click()
    dialog = root.page.get_by_role("dialog", name="Suspend mallory?")
    await dialog.get_by_label("Reason (kept in the audit log)").fill("spamming")
    await dialog.get_by_role("button", name="Suspend").click()
    await root.page.get_by_text("mallory is suspended.").wait_for()
    await panel.get_by_role("region", name="Account mallory").locator(".tag", has_text="suspended").wait_for()
    await panel.get_by_role("button", name="Lift suspension").wait_for()
    await root.page.screenshot(path=str(SCREENSHOTS / "admin-user-1280x800.png"))

    # Mallory's open page is cut off at once, and signing in again is refused, saying why.
    await mallory.page.get_by_role("heading", name="Welcome back").wait_for()
    assert await mallory.page.evaluate("amityvox.app.gateway") is None
    await mallory.page.get_by_label("Username").fill("mallory")
    await mallory.page.get_by_label("Password").fill(PASSWORD)
    await mallory.page.get_by_role("button", name="Sign in", exact=True).click()
    await mallory.page.locator("#auth-error", has_text="this account is suspended").wait_for()

    # Settings: registration closes; a newcomer's sign-up is refused with the server's reason.
    panel = await open_admin(root, "Settings")
    await panel.get_by_label("Registration").select_option("closed")
    await panel.get_by_role("button", name="Save settings").click()
    saved = root.page.locator(".toast", has_text="Instance settings saved.")
    await saved.wait_for()
    await saved.get_by_role("button", name="Dismiss").click()  # so the next save's toast is its own
    await saved.wait_for(state="detached")
    newcomer = await open_page(browser, server, "newcomer")
    await newcomer.page.get_by_role("button", name="Create an account").click()
    await newcomer.page.get_by_label("Username").fill("newcomer")
    await newcomer.page.get_by_label("Password").fill(PASSWORD)
    await newcomer.page.get_by_role("button", name="Create account").click()
    await newcomer.page.locator("#auth-error", has_text="registration is closed on this server").wait_for()
    await newcomer.page.locator("#sign-up-closed", has_text="Sign-up is closed on this server").wait_for()

    # Invite-only: the sign-up form asks for an invite, and one to any server on it lets her in.
    await panel.get_by_label("Registration").select_option("invite_only")
    await panel.get_by_role("button", name="Save settings").click()
    await saved.wait_for()
    guild = (await server.http.post(f"{API}/guilds", json={"name": "Porch"}, headers=nina.headers)).json()["data"]
    invite = await server.http.post(f"{API}/guilds/{guild['id']}/invites", json={}, headers=nina.headers)
    code = invite.json()["data"]["code"]
    await newcomer.page.get_by_role("button", name="Sign in", exact=True).click()
    await newcomer.page.get_by_role("button", name="Create an account").click()
    await newcomer.page.get_by_label("Invite code or link").fill(f"{server.url}/invite/{code}")
    await newcomer.page.get_by_label("Username").fill("newcomer")
    await newcomer.page.get_by_label("Password").fill(PASSWORD)
    await newcomer.page.get_by_role("button", name="Create account").click()
    await newcomer.page.locator(".user-panel", has_text="newcomer").wait_for()

    # Reports: Nina's report about Mallory, resolved with a note; the open queue empties.
    panel = await open_admin(root, "Reports")
    queue = panel.get_by_role("list", name="Instance reports")
    report = queue.locator(".report", has_text="spam in my DMs")
    await report.wait_for()
    words = " ".join((await report.inner_text()).split())
    assert words.startswith("nina reported mallory"), words
    await report.get_by_role("button", name="Resolve").click()
    resolve = root.page.get_by_role("dialog", name="Resolve the report")
    await resolve.get_by_label("Note for the other administrators (optional)").fill("suspended her")
    await resolve.get_by_role("button", name="Resolve").click()
    await panel.get_by_text("No open reports.").wait_for()

    # The audit log tells it all, the suspension's reason included.
    panel = await open_admin(root, "Audit log")
    log = panel.get_by_role("list", name="Instance audit log")
    suspension = log.locator(".audit-entry[data-action-type='USER_SUSPEND']")
    await suspension.wait_for()
    assert " ".join((await suspension.inner_text()).split()).startswith("root suspended mallory")
    assert "Reason: spamming" in await suspension.inner_text()
    settings = log.locator(".audit-entry[data-action-type='SETTINGS_UPDATE']")
    await settings.filter(has_text="registration_mode: open → closed").wait_for()
    await log.locator(".audit-entry[data-action-type='REPORT_UPDATE']", has_text="suspended her").wait_for()

    # The server agrees.
    h = auth(root_user.token)
    shown = (await server.http.get(f"{API}/admin/users/mallory", headers=h)).json()["data"]
    assert shown["suspended"] is True
    assert (await server.http.get(f"{API}/instance")).json()["data"]["registration_mode"] == "invite_only"
    [done] = (await server.http.get(f"{API}/admin/reports", params={"status": "resolved"}, headers=h)).json()["data"]
    assert done["resolution"] == "suspended her" and done["handled_by"] == root_user.id
    for p in (root, mallory, newcomer):
        await p.finish()


async def test_losing_administrator_rights_closes_the_panel(server: Server, browser: Any) -> None:
    root_user = await person(server, "root")
    other = await person(server, "other")
    for name in ("root", "other"):
        await admin.set_admin(server.ctx, None, name, True)
    root = await open_page(browser, server, "root", token=root_user.token)
    await root.page.locator(".user-panel", has_text="root").wait_for()
    assert await known_role(root) is True
    await open_admin(root, "Overview")
    # Another administrator takes Root's rights; her next request is refused and the panel goes.
    r = await server.http.delete(f"{API}/admin/users/{root_user.id}/admin", headers=other.headers)
    assert r.status_code == 200, r.text
    await root.page.get_by_role("complementary", name="Panel").get_by_role("tab", name="Settings").click()
    await root.page.get_by_text("You are not an administrator of this instance").wait_for()
    await root.page.get_by_role("button", name="Instance administration").wait_for(state="detached")
    await root.finish()


async def mallory_id(server: Server, token: str) -> str:
    found = (await server.http.get(f"{API}/admin/users", params={"q": "mallory"}, headers=auth(token))).json()["data"]
    user_id: str = found[0]["id"]
    return user_id


async def test_an_administrator_transfers_and_deletes_a_server(server: Server, browser: Any) -> None:
    root_user = await person(server, "root")
    await admin.set_admin(server.ctx, None, "root", True)
    owner = await register(browser, server, "olga")
    await create_guild(owner, "Noisy place")
    heir = await person(server, "hugo")
    guild_id: str = await owner.page.evaluate("amityvox.app.ui.guildId")
    made = await server.http.post(f"{API}/guilds/{guild_id}/invites", json={}, headers=auth(await owner.token()))
    joined = await server.http.post(f"{API}/invites/{made.json()['data']['code']}", headers=heir.headers)
    assert joined.status_code == 200, joined.text

    root = await open_page(browser, server, "root", token=root_user.token)
    panel = await open_admin(root, "Guilds")
    servers = panel.get_by_role("list", name="Servers")
    await servers.locator("li", has_text="owner olga").wait_for()
    await servers.get_by_role("button", name="View Noisy place").click()
    detail = panel.get_by_role("region", name="Server Noisy place")
    await detail.get_by_text("Members").wait_for()

    # Transfer to Hugo: a modal asks for the new owner.
    await detail.get_by_role("button", name="Transfer ownership").click()
    dialog = root.page.get_by_role("dialog", name="Transfer Noisy place")
    await dialog.get_by_label("New owner (username or id)").fill("hugo")
    await dialog.get_by_role("button", name="Transfer").click()
    await root.page.get_by_text("Noisy place now belongs to hugo.").wait_for()
    await detail.locator("dd", has_text="hugo").wait_for()

    # Delete it: the name must be typed; Olga's page loses the server at once.
    await detail.get_by_role("button", name="Delete server").click()
    dialog = root.page.get_by_role("dialog", name="Delete the server Noisy place?")
    confirm = dialog.get_by_role("button", name="Delete server")
    assert await confirm.is_disabled()
    await dialog.get_by_label("Type Noisy place to confirm").fill("Noisy place")
    await confirm.click()
    await root.page.get_by_text("The server Noisy place is deleted.").wait_for()
    await panel.get_by_text("No servers yet.").wait_for()
    await owner.page.locator("#rail .rail-item[title='Noisy place']").wait_for(state="detached")
    assert (await server.http.get(f"{API}/guilds/{guild_id}", headers=heir.headers)).status_code == 404
    for p in (root, owner):
        await p.finish()
