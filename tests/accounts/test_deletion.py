"""Deleting one's own account: the password (and a code with two-factor on) again, every session
ends at once, logging in during the grace period calls it off, and the erasure after it
anonymises the account while what others share stays."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from amityvox.client.errors import ApiError
from amityvox.client.rest import RestClient
from amityvox.db.schema import account_deletions, messages
from amityvox.gateway.protocol import Close
from amityvox.ids import parse_iso, utcnow
from amityvox.services import account_deletion, admin
from tests.accounts.conftest import MailServer
from tests.accounts.mailbox import text
from tests.conftest import Server, auth
from tests.gateway.wsclient import Raw
from tests.messages.helpers import post, room
from tests.security.test_sessions import custom_server

API = "/api/v1"
PASSWORD = "correct horse"


async def _delete(server: Server, token: str, **body: str) -> tuple[int, dict]:
    r = await server.http.request("DELETE", f"{API}/users/@me", json=body, headers=auth(token))
    return r.status_code, (r.json() if r.content else {})


async def _login(server: Server, username: str) -> dict:
    r = await server.http.post(f"{API}/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    data: dict = r.json()["data"]
    return data


async def _pending(server: Server, user_id: str) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).where(account_deletions.c.user_id == user_id)) or 0)


async def test_deletion_needs_the_password_and_ends_every_session_at_once(any_db_server: Server) -> None:
    server = any_db_server
    reg = await server.register("alice")
    other = (await _login(server, "alice"))["token"]
    ws = await Raw.connect(server.url)
    await ws.identify(other)

    status, body = await _delete(server, reg["token"], password="wrong password")
    assert status == 403 and body["error"]["code"] == "invalid_credentials"
    assert await _pending(server, reg["user"]["id"]) == 0

    before = utcnow()
    status, body = await _delete(server, reg["token"], password=PASSWORD)
    assert status == 202, body
    assert body["data"]["grace_days"] == 14
    erase_at = parse_iso(body["data"]["erase_at"])
    assert before + timedelta(days=14) <= erase_at <= utcnow() + timedelta(days=14)
    assert await ws.closed_with() == Close.AUTHENTICATION_FAILED
    for token in (reg["token"], other):
        assert (await server.http.get(f"{API}/users/@me", headers=auth(token))).status_code == 401
    # Administrators see when it goes; nothing is erased before its time.
    found = await admin.get_user(server.ctx, reg["user"]["id"])
    assert found["erase_at"] == body["data"]["erase_at"] and found["sessions"] == 0
    assert await account_deletion.erase_due(server.ctx, utcnow() + timedelta(days=13)) == 0
    assert await _pending(server, reg["user"]["id"]) == 1


async def test_logging_in_during_the_grace_period_calls_the_deletion_off(any_db_server: Server) -> None:
    server = any_db_server
    reg = await server.register("bob")
    assert (await _delete(server, reg["token"], password=PASSWORD))[0] == 202
    back = await _login(server, "bob")
    assert back["deletion_cancelled"] is True
    assert await _pending(server, reg["user"]["id"]) == 0
    assert "deletion_cancelled" not in await _login(server, "bob")
    assert await account_deletion.erase_due(server.ctx, utcnow() + timedelta(days=30)) == 0
    me = await server.http.get(f"{API}/users/@me", headers=auth(back["token"]))
    assert me.json()["data"]["username"] == "bob"


async def test_after_the_grace_period_the_account_is_anonymised_and_its_messages_stay(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    r = await post(server, rm.member, rm.channel_id, "still here for the others")
    message = r.json()["data"]
    assert (await _delete(server, rm.member.token, password=PASSWORD))[0] == 202
    server.recorder.clear()
    assert await account_deletion.erase_due(server.ctx, utcnow() + timedelta(days=15)) == 1
    await server.settle()
    assert {"GUILD_MEMBER_REMOVE", "USER_UPDATE"} <= set(server.recorder.names())
    (update,) = server.recorder.of("USER_UPDATE")
    assert update["id"] == rm.member.id and update["display_name"] == "Deleted User"
    assert update["username"].startswith("deleted-")

    got = await server.http.get(f"{API}/channels/{rm.channel_id}/messages/{message['id']}", headers=rm.owner.headers)
    assert got.status_code == 200 and got.json()["data"]["content"] == "still here for the others"
    async with server.ctx.db.read() as conn:
        assert await conn.scalar(select(func.count()).where(messages.c.author_id == rm.member.id)) == 1
    r = await server.http.post(f"{API}/auth/login", json={"username": "member", "password": PASSWORD})
    assert r.status_code == 401
    assert await _pending(server, rm.member.id) == 0


async def test_a_guild_owner_is_told_to_transfer_or_delete_first(server: Server) -> None:
    rm = await room(server)
    status, body = await _delete(server, rm.owner.token, password=PASSWORD)
    assert status == 400 and body["error"]["code"] == "owner_cannot_delete"
    assert "transfer" in body["error"]["message"] and body["error"]["guild_ids"] == [rm.guild_id]
    assert await _pending(server, rm.owner.id) == 0
    assert (await server.http.get(f"{API}/users/@me", headers=rm.owner.headers)).status_code == 200


async def test_with_two_factor_on_deletion_needs_a_code_and_its_login_calls_it_off(server: Server) -> None:
    async with RestClient(server.url) as rest:
        await rest.register("carol", PASSWORD)
        secret = (await rest.enable_totp(PASSWORD))["secret"]
        totp = pyotp.TOTP(secret)
        now = time.time()
        backup_codes = (await rest.verify_totp(totp.at(now)))["backup_codes"]
        with pytest.raises(ApiError) as raised:
            await rest.delete_account(PASSWORD)
        assert raised.value.status == 403 and raised.value.code == "totp_required"
        with pytest.raises(ApiError) as raised:
            await rest.delete_account(PASSWORD, "000000" if totp.at(now + 30) != "000000" else "111111")
        assert raised.value.code == "invalid_code"
        scheduled = await rest.delete_account(PASSWORD, totp.at(now + 30))
        assert scheduled is not None and scheduled["grace_days"] == 14
        step = await rest.login("carol", PASSWORD)
        assert step["mfa_required"] is True
        done = await rest.request("POST", "/auth/login/totp", json={"ticket": step["ticket"], "code": backup_codes[0]})
        assert done["deletion_cancelled"] is True


async def test_without_a_grace_period_the_account_goes_at_once(tmp_path: Path) -> None:
    async with custom_server(tmp_path, account_deletion_days=0) as server:
        reg = await server.register("dave")
        status, _ = await _delete(server, reg["token"], password=PASSWORD)
        assert status == 204
        r = await server.http.get(
            f"{API}/users/{reg['user']['id']}", headers=auth((await server.register("x1"))["token"])
        )
        assert r.status_code == 404
        assert await _pending(server, reg["user"]["id"]) == 0


async def test_the_owner_is_mailed_when_the_deletion_is_scheduled(mailed: MailServer) -> None:
    server, box = mailed.server, mailed.mailbox
    reg = await server.register("erin", email="erin@example.test")
    await box.next("erin@example.test")  # the verification link
    assert (await _delete(server, reg["token"], password=PASSWORD))[0] == 202
    notice = text(await box.next("erin@example.test"))
    assert "deleted" in notice and "Log in before then" in notice
