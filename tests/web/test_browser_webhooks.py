"""Webhooks in the web client: the owner creates one in the server settings, copies its URL (shown
once), a tool posts to it, and a member sees the message under the webhook's name with a WEBHOOK tag."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Server, auth
from tests.web.test_browser import guild_with
from tests.web.test_browser_roles import open_settings

API = "/api/v1"


async def test_a_webhook_made_in_settings_posts_into_the_channel(server: Server, browser: Any) -> None:
    owner, member = await guild_with(browser, server, "Builds", "wendy", "walt")
    page = owner.page

    await open_settings(owner, "Webhooks")
    await page.get_by_label("Name").fill("Deploy bot")
    await page.get_by_role("button", name="Create webhook").click()
    url_box = page.get_by_label("Webhook URL")
    await url_box.wait_for()
    url = await url_box.input_value()
    assert url.startswith(f"{server.url}/api/v1/webhooks/"), url
    await page.locator(".webhook-list li", has_text="Deploy bot").wait_for()

    async with httpx.AsyncClient() as http:
        r = await http.post(
            url,
            json={
                "content": "build 42 is green",
                "embeds": [{"title": "Build 42", "description": "all tests passed", "color": 0x2ECC71}],
            },
        )
    assert r.status_code == 204, r.text

    shown = member.message("build 42 is green")
    await shown.wait_for()
    assert await shown.locator(".author").inner_text() == "Deploy bot"
    assert await shown.locator(".tag").inner_text() == "WEBHOOK"
    assert await shown.locator(".embed-title").inner_text() == "Build 42"
    assert await shown.locator(".embed-desc").inner_text() == "all tests passed"

    # Done hides the URL for good; deleting the webhook stops it.
    await page.get_by_role("button", name="Done").click()
    await url_box.wait_for(state="detached")
    await page.get_by_role("button", name="Delete Deploy bot").click()
    await page.get_by_role("button", name="Delete", exact=True).click()
    await page.get_by_text("No webhooks in this channel yet.").wait_for()
    async with httpx.AsyncClient() as http:
        assert (await http.post(url, json={"content": "too late"})).status_code == 404
    for person in (owner, member):
        await person.finish()


async def test_an_event_webhook_is_added_with_its_secret_shown_once(server: Server, browser: Any) -> None:
    [owner] = await guild_with(browser, server, "Hooks", "erin")
    page = owner.page
    await open_settings(owner, "Webhooks")
    events = page.get_by_role("group", name="Events")
    await events.get_by_label("MESSAGE_CREATE", exact=True).check()
    await events.get_by_label("GUILD_MEMBER_ADD", exact=True).check()
    await page.get_by_label("Endpoint URL").fill("https://example.org/amityvox")
    await page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_label("Signing secret")
    await secret.wait_for()
    assert len(await secret.input_value()) == 64
    item = page.locator(".event-webhook-list li", has_text="https://example.org/amityvox")
    await item.get_by_text("2 events").wait_for()
    await page.get_by_role("button", name="Done").click()
    await secret.wait_for(state="detached")

    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")
    r = await server.http.get(f"{API}/guilds/{guild_id}/event-webhooks", headers=auth(await owner.token()))
    [stored] = r.json()["data"]
    assert stored["events"] == ["MESSAGE_CREATE", "GUILD_MEMBER_ADD"] and "secret" not in stored

    await item.get_by_role("button", name="Deliveries").click()
    await page.get_by_text("No deliveries yet.").wait_for()
    await page.get_by_role("button", name="Delete the endpoint https://example.org/amityvox").click()
    await page.get_by_role("button", name="Delete", exact=True).click()
    await page.get_by_text("No event webhooks yet.").wait_for()
    await owner.finish()
