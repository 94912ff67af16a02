"""Administrators manage accounts: search, show, delete, reset two-factor, grant and take the
administrator role — and the instance keeps at least one active administrator."""

from __future__ import annotations

import pyotp
import pytest

from amityvox.errors import ApiError
from amityvox.services import admin
from tests.admin.helpers import ADMIN, API, cast, entries
from tests.conftest import Server
from tests.messages.helpers import person
from tests.security.test_sessions import login, online
from tests.voice.helpers import error_code


async def test_search_pages_through_users_by_name_email_or_id(server: Server) -> None:
    c = await cast(server)
    await server.register("carol", email="Carol@Example.org")
    h = c.admin.headers
    r = await server.http.get(f"{ADMIN}/users", params={"q": "example.ORG"}, headers=h)
    assert [u["username"] for u in r.json()["data"]] == ["carol"]
    assert r.json()["data"][0]["email"] == "Carol@Example.org"
    r = await server.http.get(f"{ADMIN}/users", params={"q": c.room.member.id.lower()}, headers=h)
    assert [u["id"] for u in r.json()["data"]] == [c.room.member.id]
    first = (await server.http.get(f"{ADMIN}/users", params={"limit": 2}, headers=h)).json()["data"]
    rest = (await server.http.get(f"{ADMIN}/users", params={"after": first[-1]["id"]}, headers=h)).json()["data"]
    assert len(first) == 2 and len(first) + len(rest) == 5
    assert [u["id"] for u in first + rest] == sorted(u["id"] for u in first + rest)
    assert (await server.http.get(f"{ADMIN}/users", params={"limit": 0}, headers=h)).status_code == 400
    shown = (await server.http.get(f"{ADMIN}/users/{c.room.owner.id}", headers=h)).json()["data"]
    assert shown["guilds"] == [{"id": c.room.guild_id, "name": "Home", "owner": True}]
    assert shown["sessions"] == 1 and shown["two_factor"] is False and shown["is_admin"] is False


async def test_users_by_ids_name_deleted_accounts_too(server: Server) -> None:
    c = await cast(server)
    h = c.admin.headers
    assert (await server.http.delete(f"{ADMIN}/users/{c.room.member.id}", headers=h)).status_code == 204
    wanted = f"{c.room.member.id},{c.room.owner.id.lower()},{'0' * 26}"
    found = (await server.http.get(f"{ADMIN}/users", params={"ids": wanted}, headers=h)).json()["data"]
    assert [u["id"] for u in found] == sorted([c.room.member.id, c.room.owner.id])
    assert next(u for u in found if u["id"] == c.room.member.id)["deleted_at"]
    r = await server.http.get(f"{ADMIN}/users", params={"ids": c.room.owner.id}, headers=c.room.owner.headers)
    assert r.status_code == 403


async def test_anyone_logged_in_learns_whether_they_administer_the_instance(server: Server) -> None:
    c = await cast(server)
    r = await server.http.get(f"{API}/instance/me", headers=c.admin.headers)
    assert r.status_code == 200 and r.json()["data"] == {"is_admin": True}
    r = await server.http.get(f"{API}/instance/me", headers=c.room.member.headers)
    assert r.status_code == 200 and r.json()["data"] == {"is_admin": False}
    assert (await server.http.get(f"{API}/instance/me")).status_code == 401
    await server.http.put(f"{ADMIN}/users/{c.room.member.id}/admin", headers=c.admin.headers)
    r = await server.http.get(f"{API}/instance/me", headers=c.room.member.headers)
    assert r.json()["data"] == {"is_admin": True}


async def test_the_last_administrator_cannot_be_removed(server: Server) -> None:
    c = await cast(server)
    h = c.admin.headers
    r = await server.http.delete(f"{ADMIN}/users/{c.admin.id}/admin", headers=h)
    assert r.status_code == 409 and error_code(r) == "last_admin"
    r = await server.http.put(f"{ADMIN}/users/{c.room.member.id}/admin", headers=h)
    assert r.status_code == 200 and r.json()["data"]["is_admin"] is True
    member_h = c.room.member.headers
    assert (await server.http.get(f"{ADMIN}/stats", headers=member_h)).status_code == 200
    # Two administrators: one may step down; then the other is the last again.
    assert (await server.http.delete(f"{ADMIN}/users/{c.admin.id}/admin", headers=h)).status_code == 200
    assert (await server.http.get(f"{ADMIN}/stats", headers=h)).status_code == 403
    r = await server.http.delete(f"{ADMIN}/users/{c.room.member.id}/admin", headers=member_h)
    assert r.status_code == 409 and error_code(r) == "last_admin"
    # Nor by suspension or deletion from the console.
    for call in (admin.suspend_user, admin.delete_user):
        with pytest.raises(ApiError) as refused:
            await call(server.ctx, None, "member")
        assert refused.value.code == "last_admin"
    assert len(await entries(server, "USER_ADMIN_GRANT")) == 2  # root's (by the console), then member's
    assert len(await entries(server, "USER_ADMIN_REVOKE")) == 1


async def test_deleting_an_account_ends_its_sessions_and_anonymises_it(server: Server) -> None:
    c = await cast(server)
    h = c.admin.headers
    r = await server.http.delete(f"{ADMIN}/users/{c.room.owner.id}", headers=h)
    assert r.status_code == 400 and error_code(r) == "owner_cannot_delete"
    ws = await online(server, c.room.member.token)
    assert (await server.http.delete(f"{ADMIN}/users/{c.room.member.id}", headers=h)).status_code == 204
    assert await ws.closed_with() == 4004
    assert (await server.http.get(f"{API}/users/@me", headers=c.room.member.headers)).status_code == 401
    r = await server.http.post(f"{API}/auth/login", json={"username": "member", "password": "correct horse"})
    assert r.status_code == 401
    await server.settle()
    assert {"guild_id": c.room.guild_id, "user_id": c.room.member.id} in server.recorder.of("GUILD_MEMBER_REMOVE")
    assert (await server.http.get(f"{ADMIN}/users/{c.room.member.id}", headers=h)).json()["data"]["deleted_at"]
    [entry] = await entries(server, "USER_DELETE")
    assert entry["target_id"] == c.room.member.id


async def test_resetting_two_factor_lets_the_password_alone_log_in(server: Server) -> None:
    c = await cast(server)
    user = await person(server, "lost")
    pw = {"password": "correct horse"}
    secret = (await server.http.post(f"{API}/auth/totp/enable", json=pw, headers=user.headers)).json()["data"]["secret"]
    code = pyotp.TOTP(secret).now()
    r = await server.http.post(f"{API}/auth/totp/verify", json={"code": code}, headers=user.headers)
    assert r.status_code == 200, r.text
    r = await server.http.post(f"{API}/auth/login", json={"username": "lost", **pw})
    assert r.json()["data"]["mfa_required"] is True
    r = await server.http.post(f"{ADMIN}/users/{user.id}/reset-2fa", headers=c.admin.headers)
    assert r.status_code == 200 and r.json()["data"]["two_factor"] is False
    await login(server, "lost")
    r = await server.http.post(f"{ADMIN}/users/{user.id}/reset-2fa", headers=c.admin.headers)
    assert r.status_code == 400 and error_code(r) == "totp_not_enabled"
    assert len(await entries(server, "USER_TWO_FACTOR_RESET")) == 1
