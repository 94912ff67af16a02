"""Shared steps for the social tests: users, friendships and row counts over the real API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from amityvox.db.schema import channel_recipients, channels, relationships
from tests.conftest import Server, auth

API = "/api/v1"


class Person:
    """A registered user and the headers that act as them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.user: dict[str, Any] = data["user"]
        self.id: str = data["user"]["id"]
        self.h = auth(data["token"])


async def people(server: Server, *names: str) -> list[Person]:
    return [Person(await server.register(n)) for n in names]


async def befriend(server: Server, a: Person, b: Person) -> None:
    r1 = await server.http.put(f"{API}/users/{b.id}/friend", headers=a.h)
    assert r1.status_code == 201, r1.text
    r2 = await server.http.put(f"{API}/users/{a.id}/friend", headers=b.h)
    assert r2.status_code == 200 and r2.json()["data"]["type"] == "friend", r2.text


async def count_rows(server: Server) -> tuple[int, int, int]:
    """(channels, channel recipients, relationships): what a refused request must leave alone."""
    async with server.ctx.db.read() as conn:
        out = []
        for table in (channels, channel_recipients, relationships):
            out.append(int(await conn.scalar(select(func.count()).select_from(table)) or 0))
    return out[0], out[1], out[2]


def ids(users: list[dict[str, Any]]) -> list[str]:
    return sorted(u["id"] for u in users)
