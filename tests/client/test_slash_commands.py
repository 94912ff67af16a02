"""The SDK's slash commands against a real server: `@client.command` declarations registered at
start, INTERACTION_CREATE dispatched to the handler, and each way of answering."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable
from typing import Annotated, Any

import pytest

from amityvox.client import USER, AnsweredWithModal, ApiError, Client, Interaction, Option, TextInput
from amityvox.client.commands import declare
from examples import dice_bot
from tests.commands.helpers import BotRoom, bot_room
from tests.conftest import Server


class Heard:
    """Every event a client receives, to wait on without missing one that came early."""

    def __init__(self, client: Client) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._arrived = asyncio.Condition()
        client.gateway.add_listener("*", self._hear)

    async def _hear(self, name: str, d: dict[str, Any]) -> None:
        async with self._arrived:
            self.events.append((name, d))
            self._arrived.notify_all()

    async def next(self, name: str, check: Callable[[dict[str, Any]], bool] = lambda d: True) -> dict[str, Any]:
        """The first `name` event not taken yet for which `check` holds (waits up to 10 s)."""
        taken: list[dict[str, Any]] = []

        def found() -> bool:
            for i, (n, d) in enumerate(self.events):
                if n == name and check(d):
                    taken.append(self.events.pop(i)[1])
                    return True
            return False

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(found), 10)
        return taken[0]


async def _member(server: Server, br: BotRoom) -> tuple[Client, Heard]:
    client = Client(server.url, br.room.member.token)
    heard = Heard(client)
    await client.start()
    return client, heard


async def test_the_dice_bot_registers_roll_and_answers_it(server: Server) -> None:
    br = await bot_room(server)
    async with Client(server.url, br.bot.token) as bot:
        dice_bot.attach(bot, random.Random(7))
        await bot.start()
        [roll, note] = await bot.rest.request("GET", f"/applications/{br.bot.id}/commands")  # oldest first
        assert roll["name"] == "roll" and roll["description"] == "Roll a die" and note["name"] == "note"
        assert roll["options"] == [
            {"type": 4, "name": "sides", "description": "How many sides", "required": True, "min_value": 2,
             "max_value": 1000},
            {"type": 3, "name": "label", "description": "What the roll is for", "autocomplete": True},
            {"type": 5, "name": "secret", "description": "Only you see the result"},
        ]  # fmt: skip
        member, heard = await _member(server, br)
        async with member:
            offered = await member.rest.channel_commands(br.room.channel_id)
            assert [c["name"] for c in offered["application_commands"]] == ["note", "roll"]

            await member.rest.use_command(br.room.channel_id, "roll", {"sides": "20", "label": "initiative"})
            answer = await heard.next("MESSAGE_CREATE", lambda m: m["author_id"] == br.bot.id)
            assert re.fullmatch(r"🎲 member rolled \*\*(\d+)\*\* \(d20\) for initiative", answer["content"])
            assert 1 <= int(re.findall(r"\*\*(\d+)\*\*", answer["content"])[0]) <= 20
            assert answer["interaction"]["name"] == "roll" and answer["interaction"]["user_id"] == br.room.member.id

            await member.rest.use_command(br.room.channel_id, "roll", {"sides": 6, "secret": True})
            private = await heard.next("EPHEMERAL_MESSAGE_CREATE")
            assert private["flags"] & 64 and "(d6)" in private["content"]

            typing = [{"name": "sides", "value": 6}, {"name": "label", "value": "ATT", "focused": True}]
            use = {"type": 4, "channel_id": br.room.channel_id, "data": {"name": "roll", "options": typing}}
            await member.rest.request("POST", "/interactions", use)
            offered = await heard.next("APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE")
            assert offered["choices"] == [{"name": "Attack", "value": "attack"}]
        assert bot.gateway.errors == []


async def test_a_handler_defers_then_answers_edits_and_follows_up(server: Server) -> None:
    br = await bot_room(server, "poke-bot")
    async with Client(server.url, br.bot.token) as bot:
        seen: list[Any] = []

        @bot.command(description="Poke a member", guild_id=br.room.guild_id)
        async def poke(ctx: Interaction, who: Annotated[str, Option("Whom", type=USER)], times: int = 1) -> None:
            seen.append((who, times, ctx.resolved["users"][who]["username"]))
            await ctx.defer()
            await ctx.reply(f"poked <@{who}> {times} times")
            await ctx.reply("and once more")  # after the first answer: a follow-up
            await ctx.edit("poked, edited")

        await bot.start()
        [registered] = await bot.rest.request("GET", f"/applications/{br.bot.id}/guilds/{br.room.guild_id}/commands")
        assert registered["options"] == [
            {"type": 6, "name": "who", "description": "Whom", "required": True},
            {"type": 4, "name": "times", "description": "times"},
        ]
        member, heard = await _member(server, br)
        async with member:
            await member.rest.use_command(br.room.channel_id, "poke", {"who": br.room.owner.id, "times": 3})
            placeholder = await heard.next("MESSAGE_CREATE", lambda m: m["author_id"] == br.bot.id)
            assert placeholder["flags"] & 128  # thinking…
            answered = await heard.next("MESSAGE_UPDATE", lambda m: m["id"] == placeholder["id"])
            assert answered["content"] == f"poked <@{br.room.owner.id}> 3 times" and not answered["flags"] & 128
            follow = await heard.next("MESSAGE_CREATE", lambda m: m["author_id"] == br.bot.id)
            assert follow["content"] == "and once more"
            edited = await heard.next("MESSAGE_UPDATE", lambda m: m["content"] == "poked, edited")
            assert edited["id"] == placeholder["id"]
        assert seen == [(br.room.owner.id, 3, "owner")]
        assert bot.gateway.errors == []


async def test_the_dice_bot_asks_for_a_note_in_a_modal_and_posts_it(server: Server) -> None:
    br = await bot_room(server)
    async with Client(server.url, br.bot.token) as bot:
        dice_bot.attach(bot)
        await bot.start()
        member, heard = await _member(server, br)
        async with member:
            used = await member.rest.use_command(br.room.channel_id, "note")
            modal = await heard.next("INTERACTION_MODAL_CREATE")
            assert modal["id"] == used["id"] and modal["custom_id"] == "note" and modal["title"] == "Write a note"
            assert [(c["custom_id"], c["style"], c["required"]) for row in modal["components"]
                    for c in row["components"]] == [("title", 1, True), ("body", 2, False)]  # fmt: skip
            assert member.state.modal == modal  # the store holds the form to show
            # The modal's rules hold: a one-letter title is refused, and the modal stays open.
            with pytest.raises(ApiError) as refused:
                await member.rest.submit_modal(modal, {"title": "x", "body": ""})
            assert refused.value.code == "invalid_modal_submission"

            await member.rest.submit_modal(modal, {"title": "Groceries", "body": "eggs, milk"})
            answer = await heard.next("MESSAGE_CREATE", lambda m: m["author_id"] == br.bot.id)
            assert answer["content"] == "📝 member noted **Groceries**\neggs, milk"
            assert answer["interaction"]["user_id"] == br.room.member.id
            with pytest.raises(ApiError) as again:
                await member.rest.submit_modal(modal, {"title": "Groceries", "body": ""})
            assert again.value.code == "modal_already_submitted"
        assert bot.gateway.errors == []


async def test_a_modal_submission_reaches_the_handler_of_the_longest_prefix(server: Server) -> None:
    br = await bot_room(server, "form-bot")
    async with Client(server.url, br.bot.token) as bot:
        got: list[tuple[str, str | None, dict[str, str]]] = []

        @bot.command(description="Ask")
        async def ask(ctx: Interaction) -> None:
            await ctx.modal("Ask", "ask:age:7", TextInput("age", "Age", max_length=3, value="30"))

        @bot.modal("ask:")
        async def any_question(ctx: Interaction, **values: str) -> None:
            got.append(("ask:", ctx.custom_id, values))
            await ctx.reply("?", ephemeral=True)

        @bot.modal("ask:age:")
        async def age(ctx: Interaction, age: str) -> None:
            got.append(("ask:age:", ctx.custom_id, {"age": age}))
            await ctx.reply(f"you are {age}", ephemeral=True)

        await bot.start()
        member, heard = await _member(server, br)
        async with member:
            await member.rest.use_command(br.room.channel_id, "ask")
            modal = await heard.next("INTERACTION_MODAL_CREATE")
            assert modal["components"][0]["components"][0]["value"] == "30"
            await member.rest.submit_modal(modal, {"age": "41"})
            private = await heard.next("EPHEMERAL_MESSAGE_CREATE")
            assert private["content"] == "you are 41"
        assert got == [("ask:age:", "ask:age:7", {"age": "41"})]
        assert bot.gateway.errors == []


async def test_replying_after_a_modal_says_to_answer_the_submission(server: Server) -> None:
    br = await bot_room(server, "form-bot")
    async with Client(server.url, br.bot.token) as bot:
        refused: list[Exception] = []
        tried = asyncio.Event()

        @bot.command(description="Ask")
        async def ask(ctx: Interaction) -> None:
            await ctx.modal("Ask", "ask", TextInput("age", "Age", max_length=3))
            for answer in (ctx.reply("too late"), ctx.followup("too late"), ctx.edit("too late")):
                try:
                    await answer
                except Exception as e:  # which error it is, is the point
                    refused.append(e)
            tried.set()

        @bot.modal("ask")
        async def asked(ctx: Interaction, age: str) -> None:
            await ctx.reply(f"you are {age}", ephemeral=True)

        await bot.start()
        member, heard = await _member(server, br)
        async with member:
            await member.rest.use_command(br.room.channel_id, "ask")
            modal = await heard.next("INTERACTION_MODAL_CREATE")
            await asyncio.wait_for(tried.wait(), 10)
            # The SDK refuses before asking the server, which would only say `not_acknowledged`.
            assert [type(e) for e in refused] == [AnsweredWithModal] * 3
            assert "/ask was answered with a modal: answer the modal's submission instead" in str(refused[0])
            await member.rest.submit_modal(modal, {"age": "41"})
            assert (await heard.next("EPHEMERAL_MESSAGE_CREATE"))["content"] == "you are 41"
        assert bot.gateway.errors == []


def test_options_need_a_type() -> None:
    async def bad(ctx: Interaction, thing: list[str]) -> None:
        return None

    with pytest.raises(TypeError, match="thing"):
        declare(bad)

    async def described(ctx: Interaction, n: Annotated[int, Option("N", choices=[("one", 1), ("two", 2)])] = 1) -> None:
        """Pick a number."""

    cmd = declare(described)
    assert cmd.declaration() == {
        "name": "described", "description": "Pick a number.",
        "options": [{"type": 4, "name": "n", "description": "N", "choices": [{"name": "one", "value": 1},
                                                                            {"name": "two", "value": 2}]}],
    }  # fmt: skip
