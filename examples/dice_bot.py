"""Dice bot: `/roll sides:20` rolls a die (with a label it autocompletes, and privately on request);
`/note` asks for a title and a paragraph in a modal and posts the note; it still answers
`!echo <text>` in any channel it can see.

A bot account and its token come from its owner (docs/bots.md): POST /api/v1/users/@me/bots, then
POST /api/v1/bots/{id}/tokens. Add the bot to a guild (it accepts an invite), then:

AMITYVOX_URL=http://127.0.0.1:8080 BOT_TOKEN=… python examples/dice_bot.py
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Annotated, Any

from amityvox.client import PARAGRAPH, Client, Interaction, Option, TextInput

PREFIX = "!echo "
LABELS = ("initiative", "attack", "damage", "saving throw", "perception", "stealth")


async def labels(ctx: Interaction, typed: str) -> list[tuple[str, str]]:
    """What a roll may be for, matching what the member has typed so far."""
    return [(label.title(), label) for label in LABELS if typed.strip().lower() in label]


def attach(client: Client, rng: random.Random | None = None) -> None:
    """Register the bot's behaviour on a client before it starts (also used by the tests)."""
    dice = rng or random.Random()

    @client.on("MESSAGE_CREATE")
    async def on_message(message: dict[str, Any]) -> None:
        me = client.user
        if me is None or message["author_id"] == me["id"] or not message["content"].startswith(PREFIX):
            return
        await client.rest.send_message(message["channel_id"], message["content"][len(PREFIX) :])

    @client.command(description="Roll a die")
    async def roll(
        ctx: Interaction,
        sides: Annotated[int, Option("How many sides", min_value=2, max_value=1000)],
        label: Annotated[str | None, Option("What the roll is for", autocomplete=labels)] = None,
        secret: Annotated[bool, Option("Only you see the result")] = False,
    ) -> None:
        result = dice.randint(1, sides)
        what = f" for {label}" if label else ""
        await ctx.reply(f"🎲 {ctx.user['username']} rolled **{result}** (d{sides}){what}", ephemeral=secret)

    @client.command(description="Write a note for the channel")
    async def note(ctx: Interaction) -> None:
        await ctx.modal(
            "Write a note",
            "note",
            TextInput("title", "Title", min_length=2, max_length=45, placeholder="What it is about"),
            TextInput("body", "Note", style=PARAGRAPH, required=False, max_length=1000),
        )

    @client.modal("note")
    async def noted(ctx: Interaction, title: str, body: str) -> None:
        text = f"📝 {ctx.user['username']} noted **{title}**"
        await ctx.reply(f"{text}\n{body}" if body else text)


async def main() -> None:
    async with Client(os.environ.get("AMITYVOX_URL", "http://127.0.0.1:8080"), os.environ["BOT_TOKEN"]) as client:
        attach(client)
        await client.start()
        print(f"dice bot online as {client.user['username'] if client.user else '?'}; Ctrl-C to stop")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
