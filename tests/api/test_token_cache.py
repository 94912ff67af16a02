"""REST remembers token lookups briefly; every way a token ends still ends it at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from amityvox.bus.base import Envelope
from amityvox.db.schema import auth_sessions
from amityvox.services.auth import hash_token
from amityvox.token_cache import TokenCache
from tests.conftest import Server, auth

API = "/api/v1"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _row(user_id: str) -> dict[str, Any]:
    return {"id": user_id, "last_seen_at": None, "token_expires_at": "2999-01-01T00:00:00Z"}


def test_entries_expire_are_bounded_and_are_dropped_by_revocations_and_profile_changes() -> None:
    clock = Clock()
    cache = TokenCache(ttl=10, max_entries=3, clock=clock)
    for n in range(4):
        cache.put(f"h{n}", _row(f"u{n % 2}"))
    assert len(cache) == 3 and cache.get("h0") is None  # the oldest made room
    clock.now += 10.5
    assert cache.get("h1") is None  # older than the TTL
    cache.put("h1", _row("u1"))
    cache.put("h4", _row("u2"))
    cache.observe([Envelope("SESSIONS_REVOKE", "s", {"user_id": "u1", "all_but": "h1"})])
    assert cache.get("h1") is None  # every entry of the user goes, the kept token is looked up again
    cache.observe([Envelope("USER_UPDATE", "s", {"id": "u2", "username": "renamed"})])
    assert cache.get("h4") is None
    cache.put("h5", _row("u3"))
    cache.observe([Envelope("MESSAGE_CREATE", "s", {"id": "u3", "user_id": "u3"})])
    assert cache.get("h5") is not None


async def test_ended_tokens_fail_on_the_next_request(server: Server) -> None:
    alice = await server.register("alice")
    me = f"{API}/users/@me"
    second = await server.http.post(f"{API}/auth/login", json={"username": "alice", "password": "correct horse"})
    other = second.json()["data"]["token"]
    for token in (alice["token"], other):
        assert (await server.http.get(me, headers=auth(token))).status_code == 200
    assert server.ctx.tokens.get(hash_token(other)) is not None  # remembered

    # Signing the other session out through the session list ends it for the very next request.
    sessions = (await server.http.get(f"{API}/users/@me/sessions", headers=auth(alice["token"]))).json()["data"]
    (theirs,) = [s for s in sessions if not s["current"]]
    r = await server.http.delete(f"{API}/users/@me/sessions/{theirs['id']}", headers=auth(alice["token"]))
    assert r.status_code == 204, r.text
    assert (await server.http.get(me, headers=auth(other))).status_code == 401
    assert (await server.http.get(me, headers=auth(alice["token"]))).status_code == 200

    # A rename reaches what the next request knows of its caller.
    r = await server.http.patch(me, json={"username": "alicia"}, headers=auth(alice["token"]))
    assert r.status_code == 200, r.text
    assert server.ctx.tokens.get(hash_token(alice["token"])) is None


async def test_a_token_removed_without_an_event_ends_within_the_ttl(server: Server) -> None:
    clock = Clock()
    server.ctx.tokens.clock = clock
    bob = await server.register("bob")
    me = f"{API}/users/@me"
    assert (await server.http.get(me, headers=auth(bob["token"]))).status_code == 200
    async with server.ctx.db.begin() as conn:  # as an operator editing the database by hand would
        await conn.execute(delete(auth_sessions).where(auth_sessions.c.token_hash == hash_token(bob["token"])))
    assert (await server.http.get(me, headers=auth(bob["token"]))).status_code == 200  # remembered
    clock.now += server.ctx.tokens.ttl + 1
    assert (await server.http.get(me, headers=auth(bob["token"]))).status_code == 401
