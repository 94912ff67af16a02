"""A server's notification setting for oneself (All messages / Only @mentions / Nothing): chosen
from the server header, kept by the server for each of its channels, and acted on."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import guild_with

API = "/api/v1"


async def test_all_messages_notifies_and_the_choice_is_kept(server: Server, browser: Any) -> None:
    ada, ben = await guild_with(browser, server, "Quiet room", "ada", "ben")
    guild_id = await ada.page.evaluate("amityvox.app.ui.guildId")
    owner = auth(await ada.token())
    body = {"name": "random", "channel_type": "text"}
    r = await server.http.post(f"{API}/guilds/{guild_id}/channels", json=body, headers=owner)
    assert r.status_code == 201, r.text
    random_id = r.json()["data"]["id"]
    page = ben.page
    await page.locator("#sidebar .channel", has_text="random").wait_for()

    await page.get_by_role("button", name="Notification settings").click()
    await page.get_by_role("radio", name="Only @mentions").wait_for()
    assert await page.get_by_role("radio", name="Only @mentions").is_checked()  # the default
    await page.get_by_role("radio", name="All messages").check()
    toast = page.locator(".toast", has_text="Quiet room: all messages.")
    await toast.wait_for()
    # The toast sits beside the panel, not over its choices.
    toast_box, panel_box = await toast.bounding_box(), await page.locator("#panel").bounding_box()
    assert toast_box and panel_box and toast_box["x"] + toast_box["width"] <= panel_box["x"], (toast_box, panel_box)
    assert await page.get_by_role("radio", name="All messages").is_checked()

    # A plain message in a channel Ben is not looking at now reaches his bell.
    r = await server.http.post(f"{API}/channels/{random_id}/messages", json={"content": "plain news"}, headers=owner)
    assert r.status_code == 201, r.text
    await page.get_by_role("button", name="Notifications, 1 unread").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "guild-notifications.png"))

    # Nothing: kept for every channel, and shown again after a reload.
    await page.get_by_role("radio", name="Nothing").check()
    await page.locator(".toast", has_text="Quiet room: nothing.").wait_for()
    await page.reload()
    await page.locator("#sidebar .guild-name", has_text="Quiet room").wait_for()
    await page.get_by_role("button", name="Notification settings").click()
    await page.get_by_role("radio", name="Nothing").wait_for()
    assert await page.get_by_role("radio", name="Nothing").is_checked()
    prefs = (await server.http.get(f"{API}/notifications/preferences/channels", headers=auth(await ben.token()))).json()
    assert {p["level"] for p in prefs["data"]} == {"none"} and len(prefs["data"]) == 2
    await ada.finish()
    await ben.finish()
