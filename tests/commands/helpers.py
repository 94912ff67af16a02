"""Shared steps for command tests: a guild with a bot in it, and a `/roll` command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.activities.helpers import API, data
from tests.activities.test_bots import make_bot
from tests.conftest import Server
from tests.messages.helpers import Person, Room, room

ROLL = {
    "name": "roll",
    "description": "Roll a die",
    "options": [
        {"type": 4, "name": "sides", "description": "How many sides", "required": True, "min_value": 2,
         "max_value": 1000},
        {"type": 3, "name": "label", "description": "What the roll is for", "autocomplete": True},
    ],
}  # fmt: skip


@dataclass
class BotRoom:
    """A Room whose guild has `bot` (owned by the room's owner) as a member."""

    room: Room
    bot: Person
    bot_user: dict[str, Any]


async def join(server: Server, rm: Room, who: Person) -> None:
    invite = data(await server.http.post(f"{API}/guilds/{rm.guild_id}/invites", json={}, headers=rm.owner.headers), 201)
    data(await server.http.post(f"{API}/invites/{invite['code']}", headers=who.headers))
    await server.settle()
    server.recorder.clear()


async def bot_room(server: Server, username: str = "dice-bot") -> BotRoom:
    rm = await room(server)
    bot, token = await make_bot(server, rm.owner, username)
    await join(server, rm, token)
    return BotRoom(rm, token, bot["user"])


def commands_url(app_id: str, guild_id: str | None = None) -> str:
    if guild_id is None:
        return f"{API}/applications/{app_id}/commands"
    return f"{API}/applications/{app_id}/guilds/{guild_id}/commands"
