"""TOTP two-factor: enabling needs the password and a code, a login then takes two steps (a
ticket, then a TOTP or backup code), codes are single-use and their attempts limited, and
turning it off needs a code. Codes come from pyotp for the current 30-second step and the
next one, which the server accepts (one step of drift) whenever the test runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyotp
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from amityvox.client.errors import ApiError
from amityvox.client.rest import RestClient
from amityvox.db.schema import metadata
from tests.conftest import Server
from tests.security.test_sessions import custom_server

API = "/api/v1"
PASSWORD = "correct horse"


async def login(server: Server, username: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
    r = await server.http.post(f"{API}/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def two_factor_user(server: Server, rest: RestClient) -> tuple[pyotp.TOTP, list[str], float]:
    """Alice with two-factor on; returns her TOTP, backup codes, and the time her code was for."""
    await rest.register("alice", PASSWORD)
    setup = await rest.enable_totp(PASSWORD)
    assert setup["qr_code_uri"].startswith("otpauth://totp/AmityVox:alice?")
    assert f"secret={setup['secret']}" in setup["qr_code_uri"]
    totp = pyotp.TOTP(setup["secret"])
    now = time.time()
    confirmed = await rest.verify_totp(totp.at(now))
    codes: list[str] = confirmed["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return totp, codes, now


async def test_enabling_needs_the_password_and_a_code(any_db_server: Server) -> None:
    server = any_db_server
    async with RestClient(server.url) as rest:
        await rest.register("alice", PASSWORD)
        with pytest.raises(ApiError) as raised:
            await rest.enable_totp("wrong password")
        assert raised.value.status == 403
        setup = await rest.enable_totp(PASSWORD)
        totp = pyotp.TOTP(setup["secret"])
        # Pending: logins still give a token, and a wrong code does not turn it on.
        assert "token" in await login(server)
        with pytest.raises(ApiError) as raised:
            await rest.verify_totp(str((int(totp.now()) + 1) % 1_000_000).zfill(6))
        assert raised.value.status == 403 and raised.value.code == "invalid_code"
        assert (await rest.totp_status())["enabled"] is False
        await rest.verify_totp(totp.at(time.time()))
        assert await rest.totp_status() == {"enabled": True, "backup_codes_left": 10}
        with pytest.raises(ApiError) as raised:
            await rest.enable_totp(PASSWORD)
        assert raised.value.status == 409


async def test_login_takes_a_ticket_and_a_code(any_db_server: Server) -> None:
    server = any_db_server
    async with RestClient(server.url) as rest:
        totp, codes, then = await two_factor_user(server, rest)
        first = await login(server)
        assert first["mfa_required"] is True and "token" not in first and "user" not in first
        ticket = first["ticket"]
        # The code that confirmed two-factor was used up; a wrong one fails; the next step's works.
        for bad in (totp.at(then), "000000" if totp.at(then + 30) != "000000" else "111111"):
            r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": ticket, "code": bad})
            assert r.status_code == 403, r.text
        async with RestClient(server.url) as phone:
            data = await phone.login("alice", PASSWORD)
            assert data["mfa_required"] is True and phone.token is None
            done = await phone.login_totp(data["ticket"], totp.at(then + 30))
            assert done["user"]["username"] == "alice" and phone.token == done["token"]
            assert (await phone.me())["username"] == "alice"
        # The first ticket still works with a backup code; a ticket and a backup code work once.
        r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": ticket, "code": codes[0].upper()})
        assert r.status_code == 200, r.text
        r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": ticket, "code": codes[1]})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_ticket"
        again = (await login(server))["ticket"]
        r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": again, "code": codes[0]})
        assert r.status_code == 403
        assert (await rest.totp_status())["backup_codes_left"] == 9
        r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": "f" * 64, "code": codes[1]})
        assert r.status_code == 401


async def test_code_attempts_are_rate_limited(tmp_path: Path) -> None:
    async with custom_server(tmp_path, login_max_attempts=3) as server, RestClient(server.url) as rest:
        totp, _, then = await two_factor_user(server, rest)
        ticket = (await login(server))["ticket"]
        statuses = []
        for _ in range(4):
            r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": ticket, "code": "not-a-code"})
            statuses.append(r.status_code)
        assert statuses == [403, 403, 403, 429]
        # Past the limit even a right code waits.
        r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": ticket, "code": totp.at(then + 30)})
        assert r.status_code == 429 and r.json()["error"]["retry_after"] > 0


async def test_disabling_needs_a_code_and_ends_the_second_step(any_db_server: Server) -> None:
    server = any_db_server
    async with RestClient(server.url) as rest:
        totp, codes, then = await two_factor_user(server, rest)
        for password, code, status in ((PASSWORD, "123-456", 403), ("wrong password", codes[0], 403)):
            body = {"password": password, "code": code}
            r = await server.http.request("DELETE", f"{API}/auth/totp", json=body, headers=auth(rest))
            assert r.status_code == status, r.text
        new_codes = await rest.regenerate_backup_codes(PASSWORD)
        assert set(new_codes).isdisjoint(codes)
        with pytest.raises(ApiError) as raised:
            await rest.disable_totp(PASSWORD, codes[0])
        assert raised.value.status == 403
        await rest.disable_totp(PASSWORD, totp.at(then + 30))
        assert await rest.totp_status() == {"enabled": False, "backup_codes_left": 0}
        assert "token" in await login(server)


def auth(rest: RestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {rest.token}"}


async def test_the_migration_builds_the_account_tables_as_declared(any_db_server: Server) -> None:
    tables = ("auth_sessions", "user_totp", "totp_backup_codes", "login_tickets")
    async with any_db_server.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
    assert [d for d in diffs if any(f"'{t}'" in repr(d) for t in tables)] == []


async def test_a_password_change_drops_half_done_logins(server: Server) -> None:
    async with RestClient(server.url) as rest:
        _, codes, _ = await two_factor_user(server, rest)
        ticket = (await login(server))["ticket"]
        await rest.change_password(PASSWORD, "a brand new secret")
        r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": ticket, "code": codes[0]})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_ticket"
        second = await login(server, password="a brand new secret")
        r = await server.http.post(f"{API}/auth/login/totp", json={"ticket": second["ticket"], "code": codes[0]})
        assert r.status_code == 200, r.text
