"""Sessions and tokens: revoking a token ends its live gateway sessions (close 4004) on every
gateway, account deletion and bot token resets revoke what they should, blocks close DMs for
sending, and the login and registration limits hold under concurrency without locking strangers out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from argon2 import PasswordHasher
from sqlalchemy import update

from amityvox.db.schema import auth_sessions
from amityvox.gateway.protocol import Close
from amityvox.ids import iso, utcnow
from amityvox.services import account_deletion
from amityvox.services.auth import hash_token
from tests.conftest import Server, _serve, make_settings
from tests.gateway.test_scale import cluster
from tests.gateway.wsclient import Raw
from tests.guilds.helpers import join as join_guild
from tests.messages.helpers import Person, Room, dm, person, post, room
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)

API = "/api/v1"


@asynccontextmanager
async def custom_server(tmp_path: Path, **settings: Any) -> AsyncIterator[Server]:
    async with asynccontextmanager(_serve)(make_settings(tmp_path, **settings)) as s:
        yield s


async def online_at(url: str, token: str) -> Raw:
    ws = await Raw.connect(url)
    await ws.identify(token)
    return ws


async def online(server: Server, token: str) -> Raw:
    return await online_at(server.url, token)


async def login(server: Server, username: str, password: str = "correct horse") -> str:
    r = await server.http.post(f"{API}/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    token: str = r.json()["data"]["token"]
    return token


AFTER = "after the revocation"


async def cut_off(ws: Raw, observer: Raw, api: Server, speaker: Person, channel_id: str, after: str = AFTER) -> None:
    """`ws` is closed with 4004, and a message posted afterwards (which `observer` gets) never reached it."""
    r = await post(api, speaker, channel_id, after)
    assert r.status_code == 201, r.text
    await observer.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == after)
    frames = []
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            frames.append(await ws.recv())
    assert closed.value.rcvd is not None and closed.value.rcvd.code == Close.AUTHENTICATION_FAILED
    assert not [f for f in frames if f.get("t") == "MESSAGE_CREATE" and f["d"]["content"] == after], frames


async def resume_fails(url: str, ws: Raw, token: str) -> None:
    again = await Raw.connect(url)
    await again.send(5, {"token": token, "session_id": ws.session_id, "seq": ws.seq})
    assert await again.closed_with() == Close.AUTHENTICATION_FAILED


async def identify_fails(url: str, token: str) -> None:
    ws = await Raw.connect(url)
    await ws.send(2, {"token": token})
    assert await ws.closed_with() == Close.AUTHENTICATION_FAILED


# ---- logout, password change, expiry -------------------------------------------------------------


async def test_logout_closes_the_sessions_of_that_token_only(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    second_token = await login(server, "member")
    observer = await online(server, rm.owner.token)
    first, second = await online(server, rm.member.token), await online(server, second_token)
    r = await server.http.post(f"{API}/auth/logout", headers=rm.member.headers)
    assert r.status_code == 204
    await cut_off(first, observer, server, rm.owner, rm.channel_id)
    # The member's other token and its session carry on.
    await second.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == AFTER)
    await resume_fails(server.url, first, rm.member.token)
    assert (await server.http.get(f"{API}/users/@me", headers=rm.member.headers)).status_code == 401


async def test_a_password_change_ends_every_other_token(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    other_token = await login(server, "member")
    observer = await online(server, rm.owner.token)
    kept, other = await online(server, rm.member.token), await online(server, other_token)
    body = {"current_password": "wrong password", "new_password": "new password!"}
    r = await server.http.post(f"{API}/users/@me/password", json=body, headers=rm.member.headers)
    assert r.status_code == 403, r.text
    body["current_password"] = "correct horse"
    r = await server.http.post(f"{API}/users/@me/password", json=body, headers=rm.member.headers)
    assert r.status_code == 204, r.text
    await cut_off(other, observer, server, rm.owner, rm.channel_id)
    await kept.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == AFTER)
    assert (await server.http.get(f"{API}/users/@me", headers=auth_of(other_token))).status_code == 401
    assert (await server.http.get(f"{API}/users/@me", headers=rm.member.headers)).status_code == 200
    r = await server.http.post(f"{API}/auth/login", json={"username": "member", "password": "correct horse"})
    assert r.status_code == 401
    await login(server, "member", "new password!")


def auth_of(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_session_ends_when_its_token_expires(server: Server) -> None:
    rm = await room(server)
    soon = iso(utcnow() + timedelta(seconds=2))
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            update(auth_sessions)
            .where(auth_sessions.c.token_hash == hash_token(rm.member.token))
            .values(expires_at=soon)
        )
    ws = await online(server, rm.member.token)
    assert await ws.closed_with(timeout=30) == Close.AUTHENTICATION_FAILED
    await resume_fails(server.url, ws, rm.member.token)


# ---- account deletion and bots -------------------------------------------------------------------


async def make_bot(server: Server, owner: Person, name: str) -> Person:
    r = await server.http.post(f"{API}/users/@me/bots", json={"username": name}, headers=owner.headers)
    assert r.status_code == 201, r.text
    bot_id = r.json()["data"]["user"]["id"]
    r = await server.http.post(f"{API}/bots/{bot_id}/tokens", headers=owner.headers)
    assert r.status_code == 201, r.text
    return Person(bot_id, r.json()["data"]["token"])


async def test_deleting_an_account_ends_its_sessions_memberships_and_bots(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    bot = await make_bot(server, rm.member, "member-bot")
    await join_guild(server, rm.owner.token, rm.guild_id, bot.token)
    observer = await online(server, rm.owner.token)
    member_ws, bot_ws = await online(server, rm.member.token), await online(server, bot.token)
    # An owner hands the guild over (or deletes it) first.
    body = {"password": "correct horse"}
    r = await server.http.request("DELETE", f"{API}/users/@me", json=body, headers=rm.owner.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "owner_cannot_delete", r.text
    assert r.json()["error"]["guild_ids"] == [rm.guild_id]

    # Asking ends the account's own sessions at once; its bot runs until the erasure.
    r = await server.http.request("DELETE", f"{API}/users/@me", json=body, headers=rm.member.headers)
    assert r.status_code == 202, r.text
    await cut_off(member_ws, observer, server, rm.owner, rm.channel_id)
    assert (await server.http.get(f"{API}/users/@me", headers=auth_of(bot.token))).status_code == 200

    assert await account_deletion.erase_due(server.ctx, utcnow() + timedelta(days=15)) == 1
    removed = await observer.wait_for("GUILD_MEMBER_REMOVE")
    assert removed["d"] == {"guild_id": rm.guild_id, "user_id": rm.member.id}
    await cut_off(bot_ws, observer, server, rm.owner, rm.channel_id, "after the erasure")
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/members", headers=rm.owner.headers)
    assert rm.member.id not in {m["user_id"] for m in r.json()["data"]}
    for token in (rm.member.token, bot.token):
        assert (await server.http.get(f"{API}/users/@me", headers=auth_of(token))).status_code == 401
        await identify_fails(server.url, token)


async def test_resetting_a_bot_token_revokes_the_earlier_ones(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    bot = await make_bot(server, rm.owner, "helper-bot")
    r = await server.http.post(f"{API}/bots/{bot.id}/tokens", headers=rm.owner.headers)
    extra_token = r.json()["data"]["token"]
    await join_guild(server, rm.owner.token, rm.guild_id, bot.token)
    observer = await online(server, rm.owner.token)
    old_ws = await online(server, bot.token)
    for who in (rm.member, bot):  # only the owner resets
        r = await server.http.post(f"{API}/bots/{bot.id}/tokens/reset", headers=who.headers)
        assert r.status_code == 403, r.text
    r = await server.http.post(f"{API}/bots/{bot.id}/tokens/reset", headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    new_token = r.json()["data"]["token"]
    await cut_off(old_ws, observer, server, rm.owner, rm.channel_id)
    await resume_fails(server.url, old_ws, bot.token)
    for token in (bot.token, extra_token):
        assert (await server.http.get(f"{API}/users/@me", headers=auth_of(token))).status_code == 401
    assert (await server.http.get(f"{API}/users/@me", headers=auth_of(new_token))).status_code == 200
    await online(server, new_token)


# ---- the session cap ---------------------------------------------------------------------------------


async def test_identify_past_the_session_cap_is_closed_with_4008(tmp_path: Path) -> None:
    async with custom_server(tmp_path, max_sessions_per_user=2) as server:
        alice = await person(server, "alice")
        await online(server, alice.token)
        await online(server, alice.token)
        third = await Raw.connect(server.url)
        await third.send(2, {"token": alice.token})
        assert await third.closed_with() == Close.RATE_LIMITED


# ---- blocks and DMs ----------------------------------------------------------------------------------


async def test_a_block_closes_the_dm_for_sending_both_ways(any_db_server: Server) -> None:
    server = any_db_server
    alice, bob = await person(server, "alice"), await person(server, "bob")
    channel_id = await dm(server, alice, bob)
    assert (await post(server, bob, channel_id, "hi")).status_code == 201
    assert (await server.http.put(f"{API}/users/{bob.id}/block", headers=alice.headers)).status_code in (200, 201)
    for who in (bob, alice):
        r = await post(server, who, channel_id, "still there?")
        assert r.status_code == 403 and r.json()["error"]["code"] == "blocked", r.text
    assert (await server.http.delete(f"{API}/users/{bob.id}/block", headers=alice.headers)).status_code == 204
    assert (await post(server, bob, channel_id, "hello again")).status_code == 201


# ---- login and registration limits -------------------------------------------------------------------


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Argon2 verification the server runs (it runs in this process)."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        calls.append(str(password))
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


async def test_parallel_wrong_passwords_verify_at_most_the_limit(
    any_db_server: Server, verifications: list[str]
) -> None:
    server = any_db_server
    await person(server, "erin")
    limit = server.ctx.settings.login_max_attempts
    body = {"username": "erin", "password": "wrong password"}
    answers = await asyncio.gather(*(server.http.post(f"{API}/auth/login", json=body) for _ in range(30)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [401] * limit + [429] * (30 - limit), statuses
    assert len(verifications) == limit
    assert all(r.json()["error"]["retry_after"] > 0 for r in answers if r.status_code == 429)


async def test_an_unknown_name_costs_one_verification(server: Server, verifications: list[str]) -> None:
    r = await server.http.post(f"{API}/auth/login", json={"username": "nobody", "password": "some password"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
    assert verifications == ["some password"]


async def test_hammering_an_account_from_one_address_does_not_lock_out_another(server: Server) -> None:
    await person(server, "frank")
    limit = server.ctx.settings.login_max_attempts
    body = {"username": "frank", "password": "wrong password"}
    codes = [(await server.http.post(f"{API}/auth/login", json=body)).status_code for _ in range(limit + 1)]
    assert codes == [401] * limit + [429]
    right = {"username": "frank", "password": "correct horse"}
    assert (await server.http.post(f"{API}/auth/login", json=right)).status_code == 429
    elsewhere = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=server.url, transport=elsewhere, timeout=10) as other:
        assert (await other.post(f"{API}/auth/login", json=right)).status_code == 200


async def test_registration_is_limited_per_address(tmp_path: Path) -> None:
    async with custom_server(tmp_path, registrations_per_hour=2) as server:
        body = {"password": "correct horse"}
        for name in ("one", "two"):
            r = await server.http.post(f"{API}/auth/register", json={"username": name, **body})
            assert r.status_code == 201, r.text
        r = await server.http.post(f"{API}/auth/register", json={"username": "three", **body})
        assert r.status_code == 429 and r.json()["error"]["retry_after"] > 0, r.text
        elsewhere = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(base_url=server.url, transport=elsewhere, timeout=10) as other:
            r = await other.post(f"{API}/auth/register", json={"username": "three", **body})
            assert r.status_code == 201, r.text


# ---- scaled out: API and gateway in different servers sharing NATS --------------------------------


@needs_nats
async def test_a_logout_through_the_api_closes_the_session_on_another_gateway(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, gateway = await c.api(), await c.gateway("g1")
        rm: Room = await room(api)
        observer, member = await online_at(gateway.url, rm.owner.token), await online_at(gateway.url, rm.member.token)
        assert (await api.http.post(f"{API}/auth/logout", headers=rm.member.headers)).status_code == 204
        await cut_off(member, observer, api, rm.owner, rm.channel_id)
        await resume_fails(gateway.url, member, rm.member.token)
