"""Passkeys: adding one takes the password again and a verified attestation; signing in with
one is username-less and skips the TOTP step; each challenge works once and only for what it
was handed out for; a removed passkey signs nobody in. The authenticator is a software one
(tests/security/authenticator.py) that signs with real P-256 keys."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyotp
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from amityvox.client.rest import RestClient
from amityvox.db.schema import metadata
from tests.conftest import Server, auth, erase_account
from tests.security.authenticator import Authenticator, b64u
from tests.security.test_sessions import custom_server

API = "/api/v1"
PASSWORD = "correct horse"


async def _options(server: Server, token: str, password: str = PASSWORD) -> Any:
    return await server.http.post(f"{API}/users/@me/passkeys/options", json={"password": password}, headers=auth(token))


async def add_passkey(server: Server, token: str, key: Authenticator, name: str = "Laptop") -> dict[str, Any]:
    r = await _options(server, token)
    assert r.status_code == 200, r.text
    credential = key.create(r.json()["data"])
    r = await server.http.post(
        f"{API}/users/@me/passkeys", json={"name": name, "credential": credential}, headers=auth(token)
    )
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()["data"]
    return out


async def login_options(server: Server) -> dict[str, Any]:
    r = await server.http.post(f"{API}/auth/passkey/options")
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()["data"]
    return out


async def passkey_login(server: Server, credential: dict[str, Any]) -> Any:
    return await server.http.post(f"{API}/auth/passkey", json={"credential": credential})


async def test_a_passkey_added_in_settings_signs_in_without_a_username(any_db_server: Server) -> None:
    server = any_db_server
    key = Authenticator(server.url)
    async with RestClient(server.url) as rest:
        await rest.register("alice", PASSWORD)
        assert rest.token
        r = await _options(server, rest.token, "wrong password")
        assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_credentials"
        r = await _options(server, rest.token)
        options = r.json()["data"]
        assert options["rp"]["id"] == "127.0.0.1" and options["user"]["name"] == "alice"
        assert options["authenticatorSelection"]["residentKey"] == "required"
        added = await add_passkey(server, rest.token, key, "  Laptop ")
        assert added["name"] == "Laptop" and added["last_used_at"] is None
        # A second one is offered the first as a credential to exclude.
        r = await _options(server, rest.token)
        assert [c["id"] for c in r.json()["data"]["excludeCredentials"]] == [b64u(key.credentials[0].id)]

        options = await login_options(server)
        assert options["allowCredentials"] == [] and options["userVerification"] == "required"
        r = await passkey_login(server, key.get(options))
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        assert data["user"]["username"] == "alice"
        me = await server.http.get(f"{API}/users/@me", headers=auth(data["token"]))
        assert me.status_code == 200 and me.json()["data"]["username"] == "alice"
        listed = (await server.http.get(f"{API}/users/@me/passkeys", headers=auth(rest.token))).json()["data"]
        assert [(p["id"], p["name"]) for p in listed] == [(added["id"], "Laptop")]
        assert listed[0]["last_used_at"] is not None
        assert "public_key" not in listed[0] and "credential_id" not in listed[0]


async def test_a_passkey_sign_in_satisfies_two_factor(server: Server) -> None:
    key = Authenticator(server.url)
    async with RestClient(server.url) as rest:
        await rest.register("bob", PASSWORD)
        assert rest.token
        await add_passkey(server, rest.token, key)
        totp = pyotp.TOTP((await rest.enable_totp(PASSWORD))["secret"])
        await rest.verify_totp(totp.at(time.time()))
        r = await server.http.post(f"{API}/auth/login", json={"username": "bob", "password": PASSWORD})
        assert r.json()["data"]["mfa_required"] is True
        async with RestClient(server.url) as phone:
            data = await phone.login_passkey(key.get(await phone.passkey_login_options()))
            assert "mfa_required" not in data and phone.token == data["token"]
            assert (await phone.me())["username"] == "bob"
            [passkey] = await phone.passkeys()
            await phone.delete_passkey(passkey["id"], PASSWORD)
            added = await phone.add_passkey("Phone", key.create(await phone.passkey_options(PASSWORD)))
            assert [p["id"] for p in await phone.passkeys()] == [added["id"]]


async def test_a_challenge_works_once_and_only_for_its_purpose(server: Server) -> None:
    key = Authenticator(server.url)
    async with RestClient(server.url) as rest:
        await rest.register("carol", PASSWORD)
        assert rest.token
        await add_passkey(server, rest.token, key)
        # Replayed: the same assertion a second time.
        assertion = key.get(await login_options(server))
        assert (await passkey_login(server, assertion)).status_code == 200
        r = await passkey_login(server, assertion)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_challenge"
        # A challenge the server never handed out, and a registration challenge used to sign in.
        made_up = {"rpId": "127.0.0.1", "challenge": b64u(b"x" * 32)}
        r = await passkey_login(server, key.get(made_up))
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_challenge"
        registration = (await _options(server, rest.token)).json()["data"]
        r = await passkey_login(server, key.get({"rpId": "127.0.0.1", "challenge": registration["challenge"]}))
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_challenge"
        # A bad signature is refused and still uses its challenge up.
        options = await login_options(server)
        forged = key.get(options)
        forged["response"]["signature"] = b64u(b"\x30\x06\x02\x01\x01\x02\x01\x01")
        r = await passkey_login(server, forged)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
        r = await passkey_login(server, key.get(options))
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_challenge"
        # Signed for another site's origin.
        r = await passkey_login(server, key.get(await login_options(server), origin="https://evil.example"))
        assert r.status_code == 401
        # Registration: another user's challenge, and an answer for another origin.
        async with RestClient(server.url) as other:
            await other.register("dave", PASSWORD)
            assert other.token
            theirs = (await _options(server, other.token)).json()["data"]
            body = {"name": "Stolen", "credential": key.create(theirs)}
            r = await server.http.post(f"{API}/users/@me/passkeys", json=body, headers=auth(rest.token))
            assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_challenge"
        mine = (await _options(server, rest.token)).json()["data"]
        body = {"name": "Elsewhere", "credential": key.create(mine, origin="https://evil.example")}
        r = await server.http.post(f"{API}/users/@me/passkeys", json=body, headers=auth(rest.token))
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_passkey"
        listed = (await server.http.get(f"{API}/users/@me/passkeys", headers=auth(rest.token))).json()["data"]
        assert [p["name"] for p in listed] == ["Laptop"]


async def test_a_removed_passkey_signs_nobody_in(any_db_server: Server) -> None:
    server = any_db_server
    key = Authenticator(server.url)
    async with RestClient(server.url) as rest:
        await rest.register("erin", PASSWORD)
        assert rest.token
        added = await add_passkey(server, rest.token, key)
        url = f"{API}/users/@me/passkeys/{added['id']}"
        r = await server.http.request("DELETE", url, json={"password": "wrong password"}, headers=auth(rest.token))
        assert r.status_code == 403
        async with RestClient(server.url) as other:
            await other.register("frank", PASSWORD)
            assert other.token
            r = await server.http.request("DELETE", url, json={"password": PASSWORD}, headers=auth(other.token))
            assert r.status_code == 404
        r = await server.http.request("DELETE", url, json={"password": PASSWORD}, headers=auth(rest.token))
        assert r.status_code == 204
        assert (await server.http.get(f"{API}/users/@me/passkeys", headers=auth(rest.token))).json()["data"] == []
        r = await passkey_login(server, key.get(await login_options(server)))
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"


async def test_an_erased_account_keeps_no_passkeys(server: Server) -> None:
    key = Authenticator(server.url)
    async with RestClient(server.url) as rest:
        await rest.register("gail", PASSWORD)
        assert rest.token
        await add_passkey(server, rest.token, key)
        await erase_account(server, auth(rest.token))
    r = await passkey_login(server, key.get(await login_options(server)))
    assert r.status_code == 401


async def test_sign_in_challenges_are_limited_per_address(tmp_path: Path) -> None:
    """Anyone may ask for one without a token, and each is stored: 20 a minute per address."""
    async with custom_server(tmp_path, rate_limit_route_scale=1) as server:
        statuses = [(await server.http.post(f"{API}/auth/passkey/options")).status_code for _ in range(21)]
        assert statuses == [200] * 20 + [429]


async def test_the_migration_builds_the_passkey_tables_as_declared(any_db_server: Server) -> None:
    tables = ("passkeys", "webauthn_challenges")
    async with any_db_server.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
    assert [d for d in diffs if any(f"'{t}'" in repr(d) for t in tables)] == []
