"""A user's own sessions: listed with where they came from and which one is asking, ended one
by one or all but the current one; an ended session's live gateway connection closes with 4004."""

from __future__ import annotations

from sqlalchemy import select

from amityvox.client.rest import RestClient
from amityvox.db.schema import auth_sessions
from amityvox.services.auth import hash_token
from tests.conftest import Server
from tests.messages.helpers import room
from tests.security.test_sessions import AFTER, auth_of, cut_off, online, resume_fails

API = "/api/v1"


async def login_as(server: Server, username: str, agent: str) -> str:
    body = {"username": username, "password": "correct horse"}
    r = await server.http.post(f"{API}/auth/login", json=body, headers={"User-Agent": agent})
    assert r.status_code == 200, r.text
    token: str = r.json()["data"]["token"]
    return token


async def sessions_of(server: Server, token: str) -> list[dict[str, object]]:
    r = await server.http.get(f"{API}/users/@me/sessions", headers=auth_of(token))
    assert r.status_code == 200, r.text
    found: list[dict[str, object]] = r.json()["data"]
    return found


async def test_sessions_are_listed_with_their_device_and_the_current_one_marked(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    phone = await login_as(server, "member", "Phone/1.0")
    laptop = await login_as(server, "member", "Laptop/2.0")
    listed = await sessions_of(server, laptop)
    assert len(listed) == 3  # registration, phone, laptop
    assert [s["current"] for s in listed].count(True) == 1
    current = next(s for s in listed if s["current"])
    assert current["user_agent"] == "Laptop/2.0" and current["address"] == "127.0.0.1"
    assert {s["user_agent"] for s in listed} >= {"Phone/1.0", "Laptop/2.0"}
    assert all(s["created_at"] and s["last_seen_at"] and len(str(s["id"])) == 26 for s in listed)
    assert "token_hash" not in current and "token" not in current
    # Another user sees only their own.
    assert len(await sessions_of(server, rm.owner.token)) == 1
    phone_view = await sessions_of(server, phone)
    assert next(s for s in phone_view if s["current"])["user_agent"] == "Phone/1.0"


async def test_revoking_one_session_closes_its_live_socket_only(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    phone = await login_as(server, "member", "Phone/1.0")
    observer = await online(server, rm.owner.token)
    kept, doomed = await online(server, rm.member.token), await online(server, phone)
    target = next(s for s in await sessions_of(server, rm.member.token) if s["user_agent"] == "Phone/1.0")
    # Nobody else can end it.
    r = await server.http.delete(f"{API}/users/@me/sessions/{target['id']}", headers=rm.owner.headers)
    assert r.status_code == 404
    r = await server.http.delete(f"{API}/users/@me/sessions/{target['id']}", headers=rm.member.headers)
    assert r.status_code == 204, r.text
    await cut_off(doomed, observer, server, rm.owner, rm.channel_id)
    await kept.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == AFTER)
    await resume_fails(server.url, doomed, phone)
    assert (await server.http.get(f"{API}/users/@me", headers=auth_of(phone))).status_code == 401
    assert [s["user_agent"] for s in await sessions_of(server, rm.member.token)] != ["Phone/1.0"]
    assert len(await sessions_of(server, rm.member.token)) == 1
    r = await server.http.delete(f"{API}/users/@me/sessions/{target['id']}", headers=rm.member.headers)
    assert r.status_code == 404


async def test_logging_out_everywhere_else_keeps_the_current_session(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    phone, laptop = await login_as(server, "member", "Phone/1.0"), await login_as(server, "member", "Laptop/2.0")
    observer = await online(server, rm.owner.token)
    kept, gone = await online(server, laptop), await online(server, phone)
    r = await server.http.delete(f"{API}/users/@me/sessions", headers=auth_of(laptop))
    assert r.status_code == 204, r.text
    await cut_off(gone, observer, server, rm.owner, rm.channel_id)
    await kept.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == AFTER)
    listed = await sessions_of(server, laptop)
    assert [(s["user_agent"], s["current"]) for s in listed] == [("Laptop/2.0", True)]
    for token in (phone, rm.member.token):
        assert (await server.http.get(f"{API}/users/@me", headers=auth_of(token))).status_code == 401
    # The owner's sessions are untouched.
    assert (await server.http.get(f"{API}/users/@me", headers=rm.owner.headers)).status_code == 200


async def test_last_seen_is_written_at_most_once_a_minute(server: Server) -> None:
    rm = await room(server)
    token_hash = hash_token(rm.member.token)

    async def last_seen() -> str:
        async with server.ctx.db.read() as conn:
            value = await conn.scalar(
                select(auth_sessions.c.last_seen_at).where(auth_sessions.c.token_hash == token_hash)
            )
        return str(value)

    old = "2000-01-01T00:00:00.000000Z"
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            auth_sessions.update().where(auth_sessions.c.token_hash == token_hash).values(last_seen_at=old)
        )
    server.ctx.tokens.forget(rm.member.id)  # REST's token cache still holds the lookup from before the edit
    assert (await server.http.get(f"{API}/users/@me", headers=rm.member.headers)).status_code == 200  # a GET
    fresh = await last_seen()
    assert fresh > old
    for _ in range(3):
        assert (await server.http.get(f"{API}/users/@me", headers=rm.member.headers)).status_code == 200
    assert await last_seen() == fresh  # within the minute: no further writes


async def test_the_python_client_lists_and_ends_sessions(server: Server) -> None:
    await server.register("ivy")
    async with RestClient(server.url) as laptop, RestClient(server.url) as phone, RestClient(server.url) as tablet:
        for client in (laptop, phone, tablet):
            await client.login("ivy", "correct horse")
        listed = await laptop.sessions()
        assert len(listed) == 4 and sum(s["current"] for s in listed) == 1
        phone_id = next(s["id"] for s in await phone.sessions() if s["current"])
        await laptop.revoke_session(phone_id)
        assert phone_id not in {s["id"] for s in await laptop.sessions()}
        await laptop.revoke_other_sessions()
        assert [s["current"] for s in await laptop.sessions()] == [True]
        r = await server.http.get(f"{API}/users/@me", headers=auth_of(str(tablet.token)))
        assert r.status_code == 401
