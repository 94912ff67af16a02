"""A bot's modal in the web client: the member runs the dice bot's `/note`, the form opens as a
dialog with its labels, placeholders and rules, cancelling sends nothing, submitting shows
"Sending command…" until the bot answers; and a bot that never answers ends in "The application
did not respond"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from amityvox.client import Client, Interaction
from examples import dice_bot
from tests.conftest import Server, _serve, make_settings
from tests.web.test_browser import guild_with, pick_command, until
from tests.web.test_browser_slash import _dice_bot


async def test_a_member_fills_the_note_modal_and_sees_the_bots_answer(server: Server, browser: Any) -> None:
    owner, member = await guild_with(browser, server, "Notes", "nora", "milo")
    page = member.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")
    bot = await _dice_bot(server, await owner.token(), guild_id)
    submitted: list[dict[str, str]] = []
    release = asyncio.Event()

    async with Client(server.url, bot["token"]) as client:
        dice_bot.attach(client)
        answer_note = client.commands.modals["note"]

        @client.modal("note")
        async def held(ctx: Interaction, **values: str) -> None:
            submitted.append(values)
            await release.wait()  # the member's composer says "Sending command…" meanwhile
            await answer_note(ctx, **values)

        await client.start()
        box = await pick_command(page, "/note", "note")
        await box.press("Enter")

        # The dialog: the bot's title, labels, placeholder, a paragraph, and each field's rules.
        dialog = page.get_by_role("dialog", name="Write a note")
        await dialog.wait_for()
        title, note = dialog.get_by_label("Title", exact=True), dialog.get_by_label("Note", exact=True)
        assert await title.get_attribute("placeholder") == "What it is about"
        assert await note.evaluate("el => el.tagName") == "TEXTAREA"
        rules = await dialog.locator(".field-rules").all_inner_texts()
        assert rules == ["Required · 2-45 characters", "Optional · up to 1000 characters"]
        submit = dialog.get_by_role("button", name="Submit")
        assert await submit.is_disabled()
        await title.fill("x")
        assert await submit.is_disabled()  # below the title's minimum
        await title.fill("Groceries")
        assert await submit.is_enabled()

        # Cancelling sends nothing: the bot hears no submission, and the modal can be run again.
        await dialog.get_by_role("button", name="Cancel").click()
        await dialog.wait_for(state="detached")
        await pick_command(page, "/note", "note")
        await box.press("Enter")
        await dialog.wait_for()
        await dialog.get_by_label("Title", exact=True).fill("Groceries")
        await dialog.get_by_label("Note", exact=True).fill("eggs\nmilk")
        await dialog.get_by_role("button", name="Submit").click()
        await dialog.wait_for(state="detached")

        status = page.locator("#command-status")
        await status.get_by_text("Sending command…").wait_for()
        release.set()
        answer = member.message("milo noted Groceries")
        await answer.wait_for()
        assert "eggs" in await answer.inner_text() and "milk" in await answer.inner_text()
        assert await answer.locator(".interaction-ref").inner_text() == "milo used /note"
        await status.get_by_text("Sending command…").wait_for(state="detached")
        await owner.message("milo noted Groceries").wait_for()
        assert submitted == [{"title": "Groceries", "body": "eggs\nmilk"}]
        assert client.gateway.errors == []
    for person in (owner, member):
        await person.finish()


@pytest_asyncio.fixture(loop_scope="session")
async def hasty(tmp_path: Path) -> AsyncIterator[Server]:
    """A server that waits half a second for a bot's first answer."""
    async for s in _serve(make_settings(tmp_path, interaction_response_ms=500)):
        yield s


async def test_a_command_the_bot_never_answers_says_the_application_did_not_respond(
    hasty: Server, browser: Any
) -> None:
    owner, member = await guild_with(browser, hasty, "Silence", "sam", "tess")
    page = member.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")
    bot = await _dice_bot(hasty, await owner.token(), guild_id)
    heard: list[str] = []

    async with Client(hasty.url, bot["token"]) as client:

        @client.command(description="Never answers")
        async def mute(ctx: Interaction) -> None:
            heard.append(ctx.id)

        await client.start()
        box = await pick_command(page, "/mute", "mute")
        await box.press("Enter")
        failed = page.locator("#command-status .failed", has_text="The application did not respond")
        await failed.wait_for()
        await until(member, "(id) => !!amityvox.app.state.timed_out[id]", heard[0])
        # Typing again puts the notice away.
        await box.press_sequentially("ok")
        await failed.wait_for(state="detached")
        assert client.gateway.errors == []
    for person in (owner, member):
        await person.finish()
