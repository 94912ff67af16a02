"""Shared steps for activity, game and bot tests."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Table, func, select

from amityvox.events import catalog
from amityvox.permissions import Perm
from tests.conftest import Server
from tests.messages.helpers import Room, overwrite

API = "/api/v1"


async def rows(server: Server, table: Table) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


def data(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()["data"]


async def events(server: Server) -> list[tuple[str, dict[str, Any]]]:
    """What was published since the last clear, each payload checked against the catalog."""
    await server.settle()
    out = []
    for env in server.recorder.events:
        catalog.validate(env.name, env.data)
        assert env.subject == catalog.get(env.name).subject and env.subject.startswith("amityvox.")
        out.append((env.name, env.data))
    server.recorder.clear()
    return out


async def refused(server: Server, r: httpx.Response, status: int, code: str) -> None:
    """The call failed as expected and published nothing."""
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code, r.text
    await server.settle()
    assert server.recorder.names() == []


async def mute(server: Server, room: Room) -> None:
    """The room's member keeps seeing the channel but may no longer post in it."""
    await overwrite(server, room, room.member.id, "user", deny=int(Perm.SendMessages))


async def hide(server: Server, room: Room) -> None:
    """The room's member can no longer see the channel."""
    await overwrite(server, room, room.member.id, "user", deny=int(Perm.ViewChannel))
