"""Shared steps for community tests: a room with people, roles with given bits, rows in the database."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Table, func, select

from amityvox.permissions import Perm
from tests.conftest import Server
from tests.messages.helpers import API, Person, Room, error_code, nothing_published, person, post, room, say

__all__ = [
    "API",
    "Perm",
    "Person",
    "Room",
    "error_code",
    "grant",
    "join",
    "nothing_published",
    "person",
    "post",
    "room",
    "rows",
    "say",
]


async def grant(server: Server, rm: Room, who: Person, bits: int, name: str = "helpers", position: int = 1) -> str:
    """Give `who` a new role carrying `bits` (made by the owner); the recorder is cleared."""
    r = await server.http.post(
        f"{API}/guilds/{rm.guild_id}/roles",
        json={"name": name, "permissions_allow": int(bits), "position": position},
        headers=rm.owner.headers,
    )
    assert r.status_code == 201, r.text
    role_id: str = r.json()["data"]["id"]
    r = await server.http.put(f"{API}/guilds/{rm.guild_id}/members/{who.id}/roles/{role_id}", headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    await server.settle()
    server.recorder.clear()
    return role_id


async def join(server: Server, rm: Room, who: Person) -> httpx.Response:
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/invites", json={}, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    return await server.http.post(f"{API}/invites/{r.json()['data']['code']}", headers=who.headers)


async def rows(server: Server, table: Table, **where: Any) -> int:
    q = select(func.count()).select_from(table)
    for column, value in where.items():
        q = q.where(table.c[column] == value)
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(q) or 0)
