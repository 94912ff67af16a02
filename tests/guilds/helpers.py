"""Shared steps for guild tests: make a guild, invite people into it, look at the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from amityvox.db.schema import guild_members, guilds
from tests.conftest import Server, auth

API = "/api/v1"


async def make_guild(server: Server, token: str, name: str = "Home") -> dict[str, Any]:
    r = await server.http.post(f"{API}/guilds", json={"name": name}, headers=auth(token))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def invite_code(server: Server, token: str, guild_id: str, **body: Any) -> str:
    r = await server.http.post(f"{API}/guilds/{guild_id}/invites", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    code: str = r.json()["data"]["code"]
    return code


async def join(server: Server, owner_token: str, guild_id: str, *tokens: str) -> None:
    code = await invite_code(server, owner_token, guild_id)
    for token in tokens:
        r = await server.http.post(f"{API}/invites/{code}", headers=auth(token))
        assert r.status_code == 200, r.text


async def setup(server: Server, *names: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Register users (the first owns a new guild, the rest join it); events so far are cleared."""
    people = [await server.register(n) for n in names]
    guild = await make_guild(server, people[0]["token"])
    if len(people) > 1:
        await join(server, people[0]["token"], guild["id"], *(p["token"] for p in people[1:]))
    await server.settle()
    server.recorder.clear()
    return people, guild


async def count(server: Server, query: Select[Any]) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def member_count(server: Server, guild_id: str) -> int:
    """The stored counter, checked against the real number of memberships."""
    async with server.ctx.db.read() as conn:
        stored = int(await conn.scalar(select(guilds.c.member_count).where(guilds.c.id == guild_id)) or 0)
        real = await conn.scalar(select(func.count()).where(guild_members.c.guild_id == guild_id))
    assert stored == real
    return stored


async def nothing_published(server: Server) -> None:
    await server.settle()
    assert server.recorder.names() == []
