"""Shared steps for voice tests: a guild with a voice channel, DMs, joining, and peeking at the tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from amityvox.db.schema import voice_states
from tests.conftest import Server
from tests.messages.helpers import Person, Room, person, room

API = "/api/v1"


@dataclass
class Hall:
    """`room`'s guild (owner, member, outsider) plus a voice channel and a second one."""

    room: Room
    voice_id: str
    other_voice_id: str

    @property
    def owner(self) -> Person:
        return self.room.owner

    @property
    def member(self) -> Person:
        return self.room.member

    @property
    def outsider(self) -> Person:
        return self.room.outsider

    @property
    def guild_id(self) -> str:
        return self.room.guild_id

    @property
    def text_id(self) -> str:
        return self.room.channel_id


async def channel(server: Server, owner: Person, guild_id: str, name: str, kind: str = "voice") -> str:
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels", json={"name": name, "channel_type": kind}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    channel_id: str = r.json()["data"]["id"]
    return channel_id


async def hall(server: Server) -> Hall:
    """Three people, a guild with two voice channels; the recorder is cleared afterwards."""
    r = await room(server)
    voice_id = await channel(server, r.owner, r.guild_id, "Lounge")
    other = await channel(server, r.owner, r.guild_id, "Stage")
    await server.settle()
    server.recorder.clear()
    return Hall(r, voice_id, other)


async def deny(server: Server, owner: Person, channel_id: str, user_id: str, bits: int) -> None:
    """A user overwrite denying `bits` to one member in one channel."""
    r = await server.http.put(
        f"{API}/channels/{channel_id}/permissions/{user_id}",
        json={"type": "user", "allow": 0, "deny": bits},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text


async def dm_pair(server: Server) -> tuple[Person, Person, Person, str]:
    """alice and bob with a DM channel between them; carol is a stranger to it."""
    alice, bob, carol = [await person(server, n) for n in ("alice", "bob", "carol")]
    r = await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.headers)
    assert r.status_code in (200, 201), r.text
    await server.settle()
    server.recorder.clear()
    return alice, bob, carol, r.json()["data"]["id"]


async def voice_post(server: Server, who: Person, path: str, body: Any = None) -> httpx.Response:
    return await server.http.post(f"{API}/voice/{path}", json=body, headers=who.headers)


async def join(server: Server, who: Person, channel_id: str, **body: Any) -> dict[str, Any]:
    """Join that must succeed; the recorder is cleared afterwards."""
    r = await voice_post(server, who, f"{channel_id}/join", body)
    assert r.status_code == 200, r.text
    await server.settle()
    server.recorder.clear()
    data: dict[str, Any] = r.json()["data"]
    return data


async def state_count(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(voice_states)) or 0)


async def state_of(server: Server, user_id: str) -> dict[str, Any] | None:
    async with server.ctx.db.read() as conn:
        row = (await conn.execute(select(voice_states).where(voice_states.c.user_id == user_id))).mappings().first()
        return dict(row) if row is not None else None


async def nothing_published(server: Server) -> None:
    await server.settle()
    assert server.recorder.names() == []


def error_code(r: httpx.Response) -> str:
    code: str = r.json()["error"]["code"]
    return code
