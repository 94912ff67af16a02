"""Shared steps for message tests: a guild with people in it, posting, and peeking at the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from amityvox.db.schema import messages, reactions
from tests.conftest import Server, auth

API = "/api/v1"


@dataclass
class Person:
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)


@dataclass
class Room:
    """A guild owned by `owner`, joined by `member`; `outsider` is registered but not in it."""

    owner: Person
    member: Person
    outsider: Person
    guild_id: str
    channel_id: str  # the guild's `general` text channel


async def person(server: Server, name: str) -> Person:
    reg = await server.register(name)
    return Person(reg["user"]["id"], reg["token"])


async def room(server: Server) -> Room:
    """Three people and a guild; the recorder is cleared afterwards."""
    owner = await person(server, "owner")
    member = await person(server, "member")
    outsider = await person(server, "outsider")
    r = await server.http.post(f"{API}/guilds", json={"name": "Home"}, headers=owner.headers)
    assert r.status_code == 201, r.text
    guild = r.json()["data"]
    r = await server.http.post(f"{API}/guilds/{guild['id']}/invites", json={}, headers=owner.headers)
    assert r.status_code == 201, r.text
    r = await server.http.post(f"{API}/invites/{r.json()['data']['code']}", headers=member.headers)
    assert r.status_code == 200, r.text
    await server.settle()
    server.recorder.clear()
    return Room(owner, member, outsider, guild["id"], guild["channels"][0]["id"])


async def dm(server: Server, a: Person, b: Person) -> str:
    r = await server.http.post(f"{API}/users/{b.id}/dm", headers=a.headers)
    assert r.status_code in (200, 201), r.text
    await server.settle()
    server.recorder.clear()
    channel_id: str = r.json()["data"]["id"]
    return channel_id


async def post(server: Server, who: Person, channel_id: str, content: str = "hello", **extra: Any) -> httpx.Response:
    return await server.http.post(
        f"{API}/channels/{channel_id}/messages", json={"content": content, **extra}, headers=who.headers
    )


async def say(server: Server, who: Person, channel_id: str, content: str = "hello", **extra: Any) -> dict[str, Any]:
    """Post a message that must succeed; the recorder is cleared afterwards."""
    r = await post(server, who, channel_id, content, **extra)
    assert r.status_code == 201, r.text
    await server.settle()
    server.recorder.clear()
    data: dict[str, Any] = r.json()["data"]
    return data


async def overwrite(server: Server, room: Room, target_id: str, kind: str, *, allow: int = 0, deny: int = 0) -> None:
    r = await server.http.put(
        f"{API}/channels/{room.channel_id}/permissions/{target_id}",
        json={"type": kind, "allow": allow, "deny": deny},
        headers=room.owner.headers,
    )
    assert r.status_code == 200, r.text
    await server.settle()
    server.recorder.clear()


async def patch_channel(server: Server, room: Room, **fields: Any) -> None:
    r = await server.http.patch(f"{API}/channels/{room.channel_id}", json=fields, headers=room.owner.headers)
    assert r.status_code == 200, r.text
    await server.settle()
    server.recorder.clear()


async def message_count(server: Server, channel_id: str | None = None) -> int:
    q = select(func.count()).select_from(messages)
    if channel_id is not None:
        q = q.where(messages.c.channel_id == channel_id)
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(q) or 0)


async def reaction_count(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(reactions)) or 0)


async def nothing_published(server: Server) -> None:
    await server.settle()
    assert server.recorder.names() == []


def error_code(r: httpx.Response) -> str:
    code: str = r.json()["error"]["code"]
    return code
