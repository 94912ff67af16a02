"""Suspension: the account cannot log in, and every live token and gateway session ends at once."""

from __future__ import annotations

import pytest
import websockets

from amityvox.gateway.protocol import Close
from tests.admin.helpers import ADMIN, API, cast, entries
from tests.conftest import Server
from tests.messages.helpers import post
from tests.security.test_sessions import AFTER, login, online
from tests.voice.helpers import error_code


async def test_suspending_ends_every_session_at_once_and_refuses_logins(any_db_server: Server) -> None:
    server = any_db_server
    c = await cast(server)
    member = c.room.member
    second_token = await login(server, "member")
    observer = await online(server, c.room.owner.token)
    first, second = await online(server, member.token), await online(server, second_token)

    r = await server.http.post(f"{ADMIN}/users/{member.id}/suspend", headers=c.admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["suspended"] is True

    # Both of the member's gateway sessions close with 4004 and miss what is posted afterwards.
    r = await post(server, c.room.owner, c.room.channel_id, AFTER)
    assert r.status_code == 201, r.text
    await observer.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == AFTER)
    for ws in (first, second):
        frames = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                frames.append(await ws.recv())
        assert closed.value.rcvd is not None and closed.value.rcvd.code == Close.AUTHENTICATION_FAILED
        assert not [f for f in frames if f.get("t") == "MESSAGE_CREATE"]
    for token in (member.token, second_token):
        headers = {"Authorization": f"Bearer {token}"}
        assert (await server.http.get(f"{API}/users/@me", headers=headers)).status_code == 401
    # No way back in: the right password is told the account is suspended, a wrong one is not.
    r = await server.http.post(f"{API}/auth/login", json={"username": "member", "password": "correct horse"})
    assert r.status_code == 403 and error_code(r) == "account_suspended"
    r = await server.http.post(f"{API}/auth/login", json={"username": "member", "password": "wrong horse!"})
    assert r.status_code == 401 and error_code(r) == "invalid_credentials"
    shown = (await server.http.get(f"{ADMIN}/users/{member.id}", headers=c.admin.headers)).json()["data"]
    assert shown["suspended"] and shown["sessions"] == 0

    [entry] = await entries(server, "USER_SUSPEND")
    assert entry["actor_id"] == c.admin.id and entry["target_id"] == member.id

    r = await server.http.post(f"{ADMIN}/users/{member.id}/unsuspend", headers=c.admin.headers)
    assert r.status_code == 200 and r.json()["data"]["suspended"] is False
    await login(server, "member")
    assert len(await entries(server, "USER_UNSUSPEND")) == 1


async def test_suspension_refusals(server: Server) -> None:
    c = await cast(server)
    r = await server.http.post(f"{ADMIN}/users/{c.admin.id}/suspend", headers=c.admin.headers)
    assert r.status_code == 400 and error_code(r) == "cannot_target_self"
    r = await server.http.post(f"{ADMIN}/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/suspend", headers=c.admin.headers)
    assert r.status_code == 404
    await login(server, "root")  # nothing happened to the administrator
    assert await entries(server, "USER_SUSPEND") == []
