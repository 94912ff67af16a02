"""Registration, login, logout and token checks over real HTTP."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select

from amityvox.db.schema import auth_sessions, users
from tests.conftest import Server, _serve, auth, make_settings


async def _count_users(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(users)) or 0)


async def test_register_login_logout_roundtrip(any_db_server: Server) -> None:
    s = any_db_server
    reg = await s.register("alice", email="alice@example.org")
    assert reg["user"]["username"] == "alice"
    assert reg["user"]["email"] == "alice@example.org"
    assert len(reg["token"]) == 64 and all(c in "0123456789abcdef" for c in reg["token"])

    r = await s.http.post("/api/v1/auth/login", json={"username": "ALICE", "password": "correct horse"})
    assert r.status_code == 200, r.text
    token = r.json()["data"]["token"]
    me = await s.http.get("/api/v1/users/@me", headers=auth(token))
    assert me.status_code == 200 and me.json()["data"]["id"] == reg["user"]["id"]

    r = await s.http.post("/api/v1/auth/login", json={"email": "Alice@Example.org", "password": "correct horse"})
    assert r.status_code == 200

    assert (await s.http.post("/api/v1/auth/logout", headers=auth(token))).status_code == 204
    after = await s.http.get("/api/v1/users/@me", headers=auth(token))
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "invalid_token"
    # the other token still works
    assert (await s.http.get("/api/v1/users/@me", headers=auth(reg["token"]))).status_code == 200


async def test_tokens_are_stored_hashed(server: Server) -> None:
    reg = await server.register("bob")
    async with server.ctx.db.read() as conn:
        stored = list(await conn.scalars(select(auth_sessions.c.token_hash)))
    assert stored and reg["token"] not in stored


async def test_duplicate_username_is_rejected_case_insensitively(any_db_server: Server) -> None:
    s = any_db_server
    await s.register("Carol")
    r = await s.http.post("/api/v1/auth/register", json={"username": "carol", "password": "another pass"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "username_taken"
    assert await _count_users(s) == 1


async def test_bad_registrations_change_nothing(server: Server) -> None:
    cases = [
        ({"username": "x", "password": "long enough"}, "validation_error"),
        ({"username": "has space", "password": "long enough"}, "validation_error"),
        ({"username": "dave", "password": "short"}, "validation_error"),
        ({"username": "dave", "password": 12345678}, "validation_error"),
        ({"username": "dave", "password": "long enough", "admin": True}, "validation_error"),
        ({"username": "dave", "password": "long enough", "email": "nope"}, "validation_error"),
    ]
    for body, code in cases:
        r = await server.http.post("/api/v1/auth/register", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["code"] == code, body
        assert r.json()["error"]["message"]
    assert await _count_users(server) == 0


async def test_login_failures_are_rate_limited(tmp_path: object, server: Server) -> None:
    await server.register("erin")
    limit = server.ctx.settings.login_max_attempts
    for _ in range(limit):
        r = await server.http.post("/api/v1/auth/login", json={"username": "erin", "password": "wrong password"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "invalid_credentials"
    r = await server.http.post("/api/v1/auth/login", json={"username": "erin", "password": "correct horse"})
    assert r.status_code == 429
    body = r.json()["error"]
    assert body["code"] == "rate_limited" and body["retry_after"] > 0
    assert int(r.headers["retry-after"]) >= 1


async def test_the_login_limit_holds_across_api_processes(tmp_path: Path, database_url: str) -> None:
    """Failures spread over two API processes on one database count together; a success resets them."""
    one = asynccontextmanager(_serve)(make_settings(tmp_path / "one", database_url=database_url), "api")
    two = asynccontextmanager(_serve)(make_settings(tmp_path / "two", database_url=database_url), "api")
    async with one as a, two as b:
        await a.register("frank")
        limit = a.ctx.settings.login_max_attempts

        async def login(server: Server, password: str) -> int:
            r = await server.http.post("/api/v1/auth/login", json={"username": "Frank", "password": password})
            return r.status_code

        assert [await login((a, b)[i % 2], "wrong password") for i in range(limit - 1)] == [401] * (limit - 1)
        assert await login(b, "correct horse") == 200  # under the limit: a success clears the count
        assert [await login((a, b)[i % 2], "wrong password") for i in range(limit)] == [401] * limit
        assert await login(a, "correct horse") == 429
        assert await login(b, "correct horse") == 429


async def test_missing_and_malformed_tokens_get_401(server: Server) -> None:
    r = await server.http.get("/api/v1/users/@me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "missing_token"
    r = await server.http.get("/api/v1/users/@me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    r = await server.http.get("/api/v1/users/@me", headers=auth("f" * 64))
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"


async def test_users_without_email_do_not_clash(server: Server) -> None:
    await server.register("first")
    await server.register("second")
    await server.register("third", email="third@example.org")
    r = await server.http.post(
        "/api/v1/auth/register", json={"username": "fourth", "password": "long enough", "email": "THIRD@example.org"}
    )
    assert r.status_code == 409
