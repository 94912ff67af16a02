"""The web client's feature views end to end: polls, pins, events, voice, games, kanban,
moderation toasts and banners, and hiding what the server does not offer."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.test_browser import Person, create_guild, make_invite, open_page, register, send

API = "/api/v1"


async def open_apps(person: Person, tab: str) -> None:
    page = person.page
    if not await page.locator("#panel-title", has_text="Channel apps").is_visible():
        await page.get_by_role("button", name="Channel apps").click()
    await page.get_by_role("tab", name=tab).click()


async def two_people(server: Server, browser: Any) -> tuple[Person, Person, str]:
    owner = await register(browser, server, "olive")
    await create_guild(owner, "Workshop")
    link = await make_invite(owner)
    member = await register(browser, server, "milo")
    await member.page.get_by_role("button", name="Join a server with an invite").click()
    await member.page.get_by_label("Invite code or link").fill(link)
    await member.page.get_by_role("button", name="Join", exact=True).click()
    await member.page.locator("#chat-header", has_text="general").wait_for()
    guild_id: str = await owner.page.evaluate("amityvox.app.ui.guildId")
    return owner, member, guild_id


async def test_polls_pins_events_games_and_kanban_live(server: Server, browser: Any) -> None:
    owner, member, _ = await two_people(server, browser)

    # A poll posted by one is voted on by the other; the count moves on both pages.
    await open_apps(owner, "Poll")
    await owner.page.get_by_label("Question").fill("Pizza or pasta?")
    await owner.page.get_by_label("Options (one per line)").fill("Pizza\nPasta")
    await owner.page.get_by_role("button", name="Post poll").click()
    poll = member.page.locator(".poll", has_text="Pizza or pasta?")
    await poll.get_by_role("button", name="Pasta: 0 votes").click()
    await poll.get_by_role("button", name="Pasta: 1 votes").wait_for()
    await owner.page.locator(".poll").get_by_role("button", name="Pasta: 1 votes").wait_for()

    # Pins: the owner pins a message; the member's pins panel lists it.
    await send(owner, "meeting at noon")
    msg = owner.message("meeting at noon")
    await msg.hover()
    await msg.get_by_role("button", name="Pin", exact=True).click()
    await member.message("meeting at noon").locator(".pinned-mark").wait_for()
    await member.page.get_by_role("button", name="Pinned messages").click()
    await member.page.locator(".pin-list", has_text="meeting at noon").wait_for()
    await member.page.keyboard.press("Escape")

    # A scheduled event appears in the other member's events panel.
    await owner.page.get_by_role("button", name="Scheduled events").click()
    await owner.page.get_by_label("Name").fill("Launch party")
    await owner.page.get_by_label("Starts").fill("2030-05-01T18:30")
    await owner.page.get_by_role("button", name="Create event").click()
    await owner.page.locator(".events", has_text="Launch party").wait_for()
    await member.page.get_by_role("button", name="Scheduled events").click()
    await member.page.locator(".events", has_text="Launch party").wait_for()
    await member.page.keyboard.press("Escape")

    # Tic-tac-toe: started by one, joined by the other, moves land on both boards.
    await open_apps(owner, "Tic-tac-toe")
    await owner.page.get_by_role("button", name="New tic-tac-toe game").click()
    await open_apps(member, "Tic-tac-toe")
    await member.page.get_by_role("button", name="Join game").click()
    await owner.page.locator(".game", has_text="Your turn").wait_for()
    await owner.page.get_by_role("gridcell", name="Row 1, column 1: empty").click()
    await member.page.get_by_role("gridcell", name="Row 1, column 1: X").wait_for()
    await member.page.locator(".game", has_text="Your turn").wait_for()
    await member.page.get_by_role("gridcell", name="Row 2, column 2: empty").click()
    await owner.page.get_by_role("gridcell", name="Row 2, column 2: O").wait_for()

    # Kanban: a board with two columns; a card moved by one moves for the other.
    await open_apps(owner, "Kanban")
    await owner.page.get_by_label("Board name").fill("Sprint")
    await owner.page.get_by_role("button", name="New board").click()
    for column in ("Todo", "Done"):
        await owner.page.get_by_label("New column").fill(column)
        await owner.page.get_by_role("button", name="Add column").click()
        await owner.page.locator(".kanban-col h3", has_text=column).wait_for()
    await owner.page.get_by_label("New card in Todo").fill("Write docs")
    await owner.page.get_by_label("New card in Todo").press("Enter")
    await open_apps(member, "Kanban")
    await member.page.locator(".kanban-col", has_text="Todo").locator(".kanban-card", has_text="Write docs").wait_for()
    await owner.page.get_by_role("button", name="Move Write docs to Done").click()
    await member.page.locator(".kanban-col", has_text="Done").locator(".kanban-card", has_text="Write docs").wait_for()

    await owner.finish()
    await member.finish()


async def test_voice_moderation_and_lockdown(server: Server, browser: Any) -> None:
    owner, member, guild_id = await two_people(server, browser)
    token = await owner.token()
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels", json={"name": "Lounge", "channel_type": "voice"}, headers=auth(token)
    )
    assert r.status_code == 201, r.text

    # The member joins voice and mutes; the owner sees them in the channel, then muted.
    await member.page.get_by_role("button", name="Lounge, voice channel").click()
    await member.page.locator(".voice-panel", has_text="Voice connected").wait_for()
    people = owner.page.locator(".voice-people")
    await people.locator(".voice-person", has_text="milo").wait_for()
    await member.page.get_by_role("button", name="Mute", exact=True).click()
    await people.locator(".voice-person", has_text="milo").get_by_label("muted").wait_for()

    # Raid lockdown shows a banner to members.
    lockdown = {"lockdown_active": True, "reason": "join flood"}
    r = await server.http.patch(f"{API}/guilds/{guild_id}/raid-config", json=lockdown, headers=auth(token))
    assert r.status_code == 200, r.text
    await member.page.locator(".banner.raid", has_text="Raid lockdown").wait_for()

    # The owner bans the member from their profile: a moderator toast on one side, a ban
    # toast and the server gone on the other, and the member list shrinks live.
    await owner.page.locator("#members .member", has_text="milo").click()
    await owner.page.get_by_role("button", name="Ban", exact=True).click()
    ban = owner.page.get_by_role("dialog", name="Ban milo?")
    await ban.get_by_label("Reason (optional)").fill("spamming")
    await ban.get_by_role("button", name="Ban", exact=True).click()
    await owner.page.locator(".toast.t-mod", has_text="milo was banned").wait_for()
    await owner.page.locator("#members .member", has_text="milo").wait_for(state="detached")
    await member.page.locator(".toast", has_text="You were banned from Workshop").wait_for()
    await member.page.locator("#rail [data-guild]").wait_for(state="detached")

    await owner.finish()
    await member.finish()


async def test_missing_feature_routes_hide_their_panels(server: Server, browser: Any) -> None:
    """A server without scheduled events or notifications: their buttons go, nothing breaks."""
    person = await open_page(browser, server, "nia")
    page = person.page

    async def no_route(route: Any) -> None:
        await route.fulfill(status=404, json={"error": {"code": "not_found", "message": "no such route"}})

    await page.route("**/api/v1/guilds/*/events*", no_route)
    await page.route("**/api/v1/notifications*", no_route)
    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Username").fill("nia")
    await page.get_by_label("Password").fill("correct horse battery")
    await page.get_by_role("button", name="Create account").click()
    await create_guild(person, "Quiet place")
    await page.get_by_role("button", name="Scheduled events").wait_for(state="hidden")
    await page.get_by_role("button", name="Notifications").wait_for(state="hidden")
    await send(person, "still works")
    await person.finish()
