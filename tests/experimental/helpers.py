"""Shared steps for the experimental channel features: paths, rows counts, restricted members."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Table, func, select

from amityvox import permissions as P
from tests.conftest import Server
from tests.messages.helpers import API, Person, Room

SEND = int(P.Perm.SendMessages)


def exp(channel_id: str, path: str = "") -> str:
    return f"{API}/channels/{channel_id}/experimental{path}"


async def rows(server: Server, table: Table) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def deny(server: Server, rm: Room, who: Person, bits: int, channel_id: str | None = None) -> None:
    """A user overwrite denying `bits` to `who` in the room's channel (or `channel_id`)."""
    r = await server.http.put(
        f"{API}/channels/{channel_id or rm.channel_id}/permissions/{who.id}",
        json={"type": "user", "allow": 0, "deny": bits},
        headers=rm.owner.headers,
    )
    assert r.status_code == 200, r.text
    await server.settle()
    server.recorder.clear()


def created(r: httpx.Response, status: int = 201) -> Any:
    """The `data` of a response that must have `status`: an object, or a list for listings."""
    assert r.status_code == status, r.text
    return r.json()["data"]
