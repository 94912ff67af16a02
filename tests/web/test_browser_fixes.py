"""Small things a person notices in the web client: follow-up times, the password rule on
sign-up, the notification panel's buttons and text, the DM history start, the list staying
at the newest message when a panel opens, and the bell clearing once a mention is read."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, guild_with, open_page, send, until

API = "/api/v1"
AT_BOTTOM = (
    "() => { const el = document.getElementById('messages');"
    " return el.scrollHeight - el.scrollTop - el.clientHeight < 48; }"
)


async def shot(person: Person, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await person.page.mouse.move(0, 0)
    await person.page.screenshot(path=str(SCREENSHOTS / f"fixes-{name}-1280x800.png"))


async def test_sign_up_shows_the_password_rule_before_submitting(server: Server, browser: Any) -> None:
    person = await open_page(browser, server, "newcomer")
    page = person.page
    await page.get_by_role("button", name="Create an account").click()
    rule = page.locator("#password-rule")
    await rule.wait_for()
    assert await rule.inner_text() == f"At least {server.ctx.settings.password_min_length} characters."
    assert await page.get_by_label("Password").get_attribute("aria-describedby") == "password-rule"
    await shot(person, "password-rule")
    await person.finish()


async def test_follow_ups_dm_start_notifications_and_scrolling(server: Server, browser: Any) -> None:
    alice, bob = await guild_with(browser, server, "Porch", "alice", "bob")
    page = alice.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")
    general: str = await page.evaluate("amityvox.app.ui.channelId")
    alice_id: str = await page.evaluate("amityvox.app.state.self_user.id")
    bob_token = await bob.token()

    # A follow-up message shows its whole time on hover, not only "PM".
    await send(alice, "first of two")
    await send(alice, "second of two")
    follow = alice.message("second of two")
    await follow.hover()
    gutter = await follow.locator(".gutter-time").inner_text()
    assert re.search(r"\d{1,2}\D\d{2}", gutter), gutter

    # The list stays at the newest message when a side panel narrows it.
    long = "a long line that wraps more once the list gets narrower " * 6
    for i in range(14):
        r = await server.http.post(
            f"{API}/channels/{general}/messages", json={"content": f"{i} {long}"}, headers=auth(bob_token)
        )
        assert r.status_code in (200, 201), r.text
    await alice.message("13 a long line").wait_for()
    await until(alice, AT_BOTTOM)
    await page.get_by_role("button", name="Pinned messages").click()
    await page.locator("#panel-title", has_text="Pinned messages").wait_for()
    await until(alice, AT_BOTTOM)
    await send(bob, "after the panel opened")
    await alice.message("after the panel opened").wait_for()
    await until(alice, AT_BOTTOM)
    await shot(alice, "panel-at-bottom")
    await page.keyboard.press("Escape")

    # Bob mentions Alice in another channel: her bell counts it, the panel shows the name.
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels",
        json={"name": "garden", "channel_type": "text"},
        headers=auth(await alice.token()),
    )
    garden = r.json()["data"]["id"]
    await bob.page.locator("#sidebar .channel", has_text="garden").click()
    await bob.page.locator("#chat-header", has_text="garden").wait_for()
    r = await server.http.post(
        f"{API}/channels/{garden}/messages", json={"content": f"look <@{alice_id}>"}, headers=auth(bob_token)
    )
    assert r.status_code in (200, 201), r.text
    bell = page.get_by_role("button", name=re.compile(r"^Notifications, 1 unread$"))
    await bell.wait_for()
    await bell.click()
    note = page.locator(".note", has_text="bob mentioned you")
    await note.locator(".mention", has_text="@alice").wait_for()
    assert "<@" not in await note.inner_text()
    await shot(alice, "notifications")
    # "Mark all read" stays on one line next to "Clear", even on a narrow phone.
    await page.set_viewport_size({"width": 320, "height": 640})
    heights = await page.evaluate(
        "() => [...document.querySelectorAll('#panel button')]"
        ".filter(b => ['Mark all read', 'Clear'].includes(b.textContent)).map(b => b.getBoundingClientRect().height)"
    )
    assert len(heights) == 2 and heights[0] == heights[1], heights
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.keyboard.press("Escape")

    # Reading the channel clears the bell.
    await page.locator("#sidebar .channel", has_text="garden").click()
    await alice.message("look").wait_for()
    await page.get_by_role("button", name="Notifications", exact=True).wait_for()

    # A DM starts with its history line naming the other person.
    await page.locator("#members .member", has_text="bob").click()
    await page.get_by_role("button", name="Message", exact=True).click()
    await page.locator("#messages .history-start").wait_for()
    assert await page.locator("#messages .history-start").inner_text() == (
        "This is the beginning of your direct message history with @bob"
    )
    assert await page.locator("#chat-header .channel-title").inner_text() == "bob"
    await shot(alice, "dm-start")
    for person in (alice, bob):
        await person.finish()
