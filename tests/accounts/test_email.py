"""Account e-mail against a real SMTP server: verification, e-mail change, password reset, and
an instance without mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from amityvox.db.schema import account_tokens
from amityvox.gateway.protocol import Close
from amityvox.ids import iso, utcnow
from amityvox.services.auth import hash_token
from tests.accounts.conftest import MailServer
from tests.accounts.mailbox import link_token, text
from tests.conftest import Server, auth
from tests.gateway.wsclient import Raw

API = "/api/v1"


async def me(server: Server, token: str) -> dict:
    r = await server.http.get(f"{API}/users/@me", headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_registering_with_an_address_mails_a_link_that_verifies_it_once(mailed: MailServer) -> None:
    server, box = mailed.server, mailed.mailbox
    reg = await server.register("alice", email="alice@example.test")
    assert reg["user"]["email_verified"] is False
    mail = await box.next("alice@example.test")
    assert mail["From"] == "AmityVox <chat@example.test>"
    assert f"{server.url}/verify-email?token=" in text(mail)
    token = link_token(mail, "verify-email")
    r = await server.http.post(f"{API}/auth/verify-email", json={"token": token})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["email_verified"] is True
    assert (await me(server, reg["token"]))["email_verified"] is True
    again = await server.http.post(f"{API}/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_token"
    # Nothing left to verify.
    r = await server.http.post(f"{API}/users/@me/email/verify", headers=auth(reg["token"]))
    assert r.status_code == 400 and r.json()["error"]["code"] == "nothing_to_verify"


async def test_the_verification_page_is_served(mailed: MailServer) -> None:
    for path in ("/verify-email?token=x", "/reset-password?token=x"):
        r = await mailed.server.http.get(path)
        assert r.status_code == 200 and "<html" in r.text.lower()


async def test_an_email_change_takes_effect_once_the_new_address_is_verified(mailed: MailServer) -> None:
    server, box = mailed.server, mailed.mailbox
    reg = await server.register("bob", email="bob@example.test")
    await server.register("carol", email="carol@example.test")
    link_token(await box.next("bob@example.test"), "verify-email")
    await box.next("carol@example.test")
    h = auth(reg["token"])
    wrong = await server.http.post(
        f"{API}/users/@me/email", json={"email": "b@new.test", "password": "nope"}, headers=h
    )
    assert wrong.status_code == 403, wrong.text
    taken = {"email": "Carol@example.test", "password": "correct horse"}
    r = await server.http.post(f"{API}/users/@me/email", json=taken, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "email_taken"

    r = await server.http.post(
        f"{API}/users/@me/email", json={"email": "bob@new.test", "password": "correct horse"}, headers=h
    )
    assert r.status_code == 202, r.text
    notice = await box.next("bob@example.test")
    assert "bob@new.test" in text(notice) and "token=" not in text(notice)
    token = link_token(await box.next("bob@new.test"), "verify-email")
    # Until the link is opened the old address stays, and it still logs in.
    assert (await me(server, reg["token"]))["email"] == "bob@example.test"
    r = await server.http.post(f"{API}/auth/verify-email", json={"token": token})
    assert r.status_code == 200, r.text
    current = await me(server, reg["token"])
    assert current["email"] == "bob@new.test" and current["email_verified"] is True
    r = await server.http.post(f"{API}/auth/login", json={"email": "bob@new.test", "password": "correct horse"})
    assert r.status_code == 200, r.text


async def test_password_reset_sets_the_password_once_and_ends_every_session(mailed_any_db: MailServer) -> None:
    server, box = mailed_any_db.server, mailed_any_db.mailbox
    reg = await server.register("dave", email="dave@example.test")
    await box.next("dave@example.test")
    ws = await Raw.connect(server.url)
    await ws.identify(reg["token"])

    # Unknown and known addresses get the same answer; only the known one gets a mail.
    for address in ("nobody@example.test", "DAVE@example.test"):
        r = await server.http.post(f"{API}/auth/password-reset", json={"email": address})
        assert r.status_code == 204, r.text
    mail = await box.next("dave@example.test")
    token = link_token(mail, "reset-password")
    assert not [m for m in box.received if "nobody@" in str(m["To"])]

    short = await server.http.post(f"{API}/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert short.status_code == 400, short.text
    body = {"token": token, "password": "a brand new password"}
    r = await server.http.post(f"{API}/auth/password-reset/confirm", json=body)
    assert r.status_code == 204, r.text
    # The live gateway connection closes, the old token is dead, and the link is used up.
    assert await ws.closed_with(timeout=30) == Close.AUTHENTICATION_FAILED
    assert (await server.http.get(f"{API}/users/@me", headers=auth(reg["token"]))).status_code == 401
    again = await server.http.post(f"{API}/auth/password-reset/confirm", json={**body, "password": "another one!"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_token"
    old = await server.http.post(f"{API}/auth/login", json={"username": "dave", "password": "correct horse"})
    assert old.status_code == 401
    new = await server.http.post(f"{API}/auth/login", json={"username": "dave", "password": "a brand new password"})
    assert new.status_code == 200, new.text


async def test_a_reset_link_expires(mailed: MailServer) -> None:
    server, box = mailed.server, mailed.mailbox
    await server.register("erin", email="erin@example.test")
    await box.next("erin@example.test")
    assert (
        await server.http.post(f"{API}/auth/password-reset", json={"email": "erin@example.test"})
    ).status_code == 204
    token = link_token(await box.next("erin@example.test"), "reset-password")
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            update(account_tokens)
            .where(account_tokens.c.token_hash == hash_token(token))
            .values(expires_at=iso(utcnow() - timedelta(seconds=1)))
        )
    r = await server.http.post(f"{API}/auth/password-reset/confirm", json={"token": token, "password": "new password"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_token"


async def test_password_reset_requests_are_limited_per_address(mailed: MailServer) -> None:
    server = mailed.server
    codes = [
        (await server.http.post(f"{API}/auth/password-reset", json={"email": "x@example.test"})).status_code
        for _ in range(4)
    ]
    assert codes == [204, 204, 204, 429]


async def test_without_mail_the_email_features_say_so_and_registration_works(server: Server) -> None:
    reg = await server.register("frank", email="frank@example.test")
    assert reg["user"]["email"] == "frank@example.test" and reg["user"]["email_verified"] is False
    h = auth(reg["token"])
    calls = [
        ("/auth/password-reset", {"email": "frank@example.test"}, {}),
        ("/users/@me/email", {"email": "f@new.test", "password": "correct horse"}, h),
        ("/users/@me/email/verify", None, h),
    ]
    for path, body, headers in calls:
        r = await server.http.post(f"{API}{path}", json=body, headers=headers)
        assert r.status_code == 503, (path, r.text)
        error = r.json()["error"]
        assert error["code"] == "mail_not_configured" and "e-mail" in error["message"]
