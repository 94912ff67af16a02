"""Polls and threads in the chat column end to end: a poll outlives a reload with its author and
the viewer's vote; threads sit under their channel in the sidebar and open on their first message."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import guild_with, send
from tests.web.test_browser_features import open_apps


async def test_polls_survive_a_reload_with_their_author_and_votes(server: Server, browser: Any) -> None:
    olive, milo = await guild_with(browser, server, "Poll hall", "olive", "milo")
    await send(milo, "a word from milo")
    await olive.message("a word from milo").wait_for()
    await open_apps(olive, "Poll")
    await olive.page.get_by_label("Question").fill("Pizza or pasta?")
    await olive.page.get_by_label("Options (one per line)").fill("Pizza\nPasta")
    await olive.page.get_by_role("button", name="Post poll").click()
    poll = milo.page.locator("#messages .poll", has_text="Pizza or pasta?")
    await poll.get_by_role("button", name="Pasta: 0 votes").click()
    await poll.get_by_role("button", name="Pasta: 1 votes").wait_for()
    await send(milo, "after the poll")

    for person in (olive, milo):
        await person.page.reload()
        await person.message("after the poll").wait_for()
        entry = person.page.locator("#messages .msg", has=person.page.locator(".poll", has_text="Pizza or pasta?"))
        await entry.wait_for()
        # The poll is olive's, with her name on it, not a follow-up of milo's message above it.
        assert await entry.locator(".msg-head .author").inner_text() == "olive"
        pasta = entry.get_by_role("button", name="Pasta: 1 votes")
        await pasta.wait_for()
        assert await pasta.get_attribute("aria-pressed") == ("true" if person is milo else "false")
        # Milo's message after it has its own author line again.
        assert await person.message("after the poll").locator(".msg-head .author").inner_text() == "milo"

    # Votes keep working after the reload, live on both pages.
    await milo.page.locator("#messages .poll").get_by_role("button", name="Pizza: 0 votes").click()
    await olive.page.locator("#messages .poll").get_by_role("button", name="Pizza: 1 votes").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await olive.page.screenshot(path=str(SCREENSHOTS / "poll-after-reload.png"))
    await olive.finish()
    await milo.finish()


async def test_threads_stay_under_their_channel_and_open_on_their_first_message(server: Server, browser: Any) -> None:
    olive, milo = await guild_with(browser, server, "Trips", "olive", "milo")
    guild_id = await olive.page.evaluate("amityvox.app.ui.guildId")
    body = {"name": "random", "channel_type": "text"}
    r = await server.http.post(f"/api/v1/guilds/{guild_id}/channels", json=body, headers=auth(await olive.token()))
    assert r.status_code == 201, r.text
    await send(olive, "let's plan the trip")
    msg = olive.message("let's plan the trip")
    await msg.hover()
    await msg.get_by_role("button", name="Start a thread").click()
    await olive.page.get_by_label("Thread name").fill("Trip plans")
    await olive.page.get_by_role("button", name="Start thread").click()
    await olive.page.locator("#chat-header", has_text="Trip plans").wait_for()
    starter = olive.page.locator("#messages .thread-starter")
    await starter.get_by_text("let's plan the trip").wait_for()
    await send(olive, "first in the thread")

    # Milo, on another channel after a reload (no cached history), sees the thread under #general.
    await milo.page.locator("#sidebar").get_by_role("button", name="random").click()
    await milo.page.locator("#chat-header", has_text="random").wait_for()
    await milo.page.reload()
    await milo.page.locator("#chat-header", has_text="random").wait_for()
    sidebar = milo.page.locator("#sidebar .channel-list")
    thread = sidebar.locator("li.thread", has_text="Trip plans")
    await thread.wait_for()
    names = await sidebar.locator("li .ch-name").all_inner_texts()
    assert names.index("Trip plans") == names.index("general") + 1, names
    await thread.get_by_role("button").click()
    await milo.page.locator("#chat-header", has_text="Trip plans").wait_for()
    starter = milo.page.locator("#messages .thread-starter", has_text="let's plan the trip")
    await starter.locator(".author", has_text="olive").wait_for()
    await milo.message("first in the thread").wait_for()
    # The starter comes first, above the thread's own messages.
    keys = await milo.page.locator("#messages > [data-key]").evaluate_all("els => els.map((e) => e.dataset.key)")
    assert keys.index("starter") < keys.index(await milo.message("first in the thread").get_attribute("data-key")), keys
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await milo.page.screenshot(path=str(SCREENSHOTS / "thread-starter.png"))
    await olive.finish()
    await milo.finish()
