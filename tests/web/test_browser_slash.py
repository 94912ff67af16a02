"""Slash commands in the web client: a member of a guild with the dice bot types `/roll 20`, picks
the command from the `/` list, fills the option and sees the bot's answer; autocompleted choices,
a private answer only they see, a "thinking…" placeholder the answer replaces, and a command the
bot registers while the list is open."""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

from amityvox.client import Client, Interaction
from examples import dice_bot
from tests.conftest import Server, auth
from tests.web.test_browser import guild_with

API = "/api/v1"


async def _dice_bot(server: Server, owner_token: str, guild_id: str) -> dict[str, Any]:
    """The owner makes a bot account, issues its token, and the bot accepts an invite."""
    h = auth(owner_token)
    bot = (await server.http.post(f"{API}/users/@me/bots", json={"username": "dice"}, headers=h)).json()["data"]
    issued = (await server.http.post(f"{API}/bots/{bot['user']['id']}/tokens", headers=h)).json()["data"]
    invite = (await server.http.post(f"{API}/guilds/{guild_id}/invites", json={}, headers=h)).json()["data"]
    r = await server.http.post(f"{API}/invites/{invite['code']}", headers=auth(issued["token"]))
    assert r.status_code == 200, r.text
    return {"id": bot["user"]["id"], "token": issued["token"]}


async def test_a_member_rolls_a_die_from_the_composer(server: Server, browser: Any) -> None:
    owner, member = await guild_with(browser, server, "Dice Den", "dana", "mike")
    page = member.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")
    bot = await _dice_bot(server, await owner.token(), guild_id)
    release = asyncio.Event()

    async with Client(server.url, bot["token"]) as client:
        dice_bot.attach(client, random.Random(3))

        @client.command(description="Think hard, then answer")
        async def ponder(ctx: Interaction) -> None:
            await ctx.defer()
            await release.wait()
            await ctx.reply("the answer is 42")

        await client.start()

        # `/` lists the commands of the channel with the bot that answers them; ↓ and Enter choose.
        box = page.locator("#composer-input")
        await box.click()
        await box.press_sequentially("/")
        listed = page.locator("#slash-suggestions li")
        await listed.filter(has_text="/ponder").wait_for()
        roll = listed.filter(has_text="/roll")
        assert "Roll a die" in await roll.inner_text() and "dice" in await roll.inner_text()
        await box.press_sequentially("r")
        await listed.filter(has_text="/ponder").wait_for(state="detached")
        await box.press("Enter")
        assert await box.input_value() == "/roll "
        hint = page.locator("#slash-popup .slash-hint")
        await hint.filter(has_text="sides").wait_for()
        assert "required" in await hint.inner_text() and "How many sides" in await hint.inner_text()

        # The option typed, Enter sends the command; everyone sees the bot's answer under "used /roll".
        await box.press_sequentially("20")
        await page.locator("#slash-popup .slash-option.filled", has_text="sides: 20").wait_for()
        await box.press("Enter")
        answer = member.message("rolled")
        await answer.wait_for()
        assert re.search(r"mike rolled \d+ \(d20\)", await answer.locator(".content").inner_text())
        assert await answer.locator(".interaction-ref").inner_text() == "mike used /roll"
        assert await box.input_value() == ""
        await owner.message("mike rolled").locator(".interaction-ref", has_text="used /roll").wait_for()

        # Autocomplete: the bot's choices for the label; Tab takes one; secret:true answers privately.
        await box.press_sequentially("/roll 6 att")
        choice = page.locator("#slash-suggestions li", has_text="Attack")
        await choice.wait_for()
        await box.press("Tab")
        assert await box.input_value() == "/roll 6 attack "
        await box.press_sequentially("secret:true")
        await box.press("Enter")
        private = member.message("(d6) for attack")
        await private.wait_for()
        assert "Only you can see this" in await private.inner_text()
        assert await private.get_attribute("class") and "ephemeral" in (await private.get_attribute("class") or "")

        # Deferred: "thinking…" until the bot answers, then the answer in its place.
        await box.press_sequentially("/pon")
        await box.press("Enter")
        await box.press("Enter")
        thinking = page.locator("#messages .msg .thinking", has_text="dice is thinking…")
        await thinking.wait_for()
        release.set()
        await member.message("the answer is 42").wait_for()
        await thinking.wait_for(state="detached")

        # The owner never saw the private answer; the member dismisses it.
        await owner.message("the answer is 42").wait_for()
        assert await owner.message("(d6) for attack").count() == 0
        await private.get_by_role("button", name="Dismiss message").click()
        await private.wait_for(state="detached")

        # A command registered while the list is open appears in it.
        await box.press_sequentially("/")
        await listed.filter(has_text="/roll").wait_for()
        flip = {"name": "flip", "description": "Flip a coin"}
        r = await client.rest.request("POST", f"/applications/{bot['id']}/guilds/{guild_id}/commands", flip)
        assert r["name"] == "flip"
        await listed.filter(has_text="/flip").wait_for()
        assert client.gateway.errors == []
    for person in (owner, member):
        await person.finish()
