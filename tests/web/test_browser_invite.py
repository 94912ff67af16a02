"""The invite page: /invite/{code} previews the server (name, icon, online and member counts)
with a Join button; a signed-out visitor signs up from it and comes back to the invite."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import PASSWORD, create_guild, make_invite, open_page, register, send


async def test_invite_page_previews_then_joins_after_signing_up(server: Server, browser: Any) -> None:
    olive = await register(browser, server, "olive")
    await create_guild(olive, "Garden club")
    await send(olive, "welcome, gardeners")
    link = await make_invite(olive)
    pia = await server.register("pia")  # a member who is not connected
    r = await server.http.post(f"/api/v1/invites/{link.rsplit('/', 1)[1]}", headers=auth(pia["token"]))
    assert r.status_code == 200, r.text

    rex = await open_page(browser, server, "rex")
    page = rex.page
    await page.goto(link)
    card = page.locator(".invite-card")
    await card.get_by_role("heading", name="Garden club").wait_for()
    await card.get_by_text("1 online").wait_for()  # olive
    await card.get_by_text("2 members").wait_for()
    await card.get_by_text("Sign in or create an account to join.").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "invite-signed-out.png"))

    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Username").fill("rex")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    # Back to the invite, now with a Join button, before anything is joined.
    join = page.get_by_role("button", name="Join server")
    await join.wait_for()
    assert await page.locator(".invite-card h2").inner_text() == "Garden club"
    assert await page.evaluate("Object.keys(amityvox.app.state.guilds).length") == 0
    await page.screenshot(path=str(SCREENSHOTS / "invite-signed-in.png"))
    await join.click()
    await page.locator("#sidebar .guild-name", has_text="Garden club").wait_for()
    await rex.message("welcome, gardeners").wait_for()
    assert await page.evaluate("location.pathname") == "/"
    await olive.page.locator("#members .member", has_text="rex").wait_for()

    # A member opening the link again is offered the server itself.
    await page.goto(link)
    await page.get_by_role("button", name="Go to the server").click()
    await page.locator("#chat-header", has_text="general").wait_for()
    await rex.finish()
    await olive.finish()
