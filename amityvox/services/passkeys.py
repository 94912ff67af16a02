"""Passkeys (WebAuthn): credentials a signed-in user adds, and sign-in with one instead of a password.

Adding one asks for the password again (POST /users/@me/passkeys/options), then the browser's
`navigator.credentials.create()` answer is verified and stored (POST /users/@me/passkeys).
Signing in is username-less: POST /auth/passkey/options hands out a challenge with no allowed
credentials, so the authenticator offers its discoverable passkeys for this relying party, and
POST /auth/passkey verifies the assertion against the stored public key. User verification
(a PIN or biometric on the authenticator) is required, so a passkey is two factors on its own
and its sign-in skips the TOTP step.

Every challenge is kept server-side for `CHALLENGE_TTL_S` and used up by the first answer that
names it, verified or not, so an assertion cannot be replayed. Verification is py_webauthn's.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from amityvox.context import Context
from amityvox.db.schema import login_failures, passkeys, webauthn_challenges
from amityvox.errors import ApiError, bad_request, forbidden, not_found
from amityvox.ids import iso, new_id, now_iso, utcnow
from amityvox.services import auth
from amityvox.services.users import get_row

RP_NAME = "AmityVox"
CHALLENGE_TTL_S = 300
MAX_PASSKEYS = 20
_TIMEOUT_MS = CHALLENGE_TTL_S * 1000
_REGISTER = "register"
_LOGIN = "login"
_REFUSED = "the passkey was not accepted; try again"


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """Who the passkeys are for: the RP ID (a domain) and the origin browsers report."""

    id: str
    origin: str


def passkey_out(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "created_at": row["created_at"], "last_used_at": row["last_used_at"]}


async def _new_challenge(conn: AsyncConnection, purpose: str, user_id: str | None) -> bytes:
    challenge = secrets.token_bytes(32)
    now = utcnow()
    await conn.execute(delete(webauthn_challenges).where(webauthn_challenges.c.expires_at <= iso(now)))
    await conn.execute(
        insert(webauthn_challenges).values(
            challenge=bytes_to_base64url(challenge),
            purpose=purpose,
            user_id=user_id,
            expires_at=iso(now + timedelta(seconds=CHALLENGE_TTL_S)),
        )
    )
    return challenge


def _challenge_of(credential: dict[str, Any]) -> str:
    """The challenge the authenticator signed, from the credential's clientDataJSON."""
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        challenge = client_data["challenge"]
    except (KeyError, TypeError, ValueError) as exc:
        raise bad_request("the credential is not a WebAuthn response", code="invalid_passkey") from exc
    if not isinstance(challenge, str) or len(challenge) > 128:
        raise bad_request("the credential is not a WebAuthn response", code="invalid_passkey")
    return challenge


async def _take_challenge(ctx: Context, credential: dict[str, Any], purpose: str, user_id: str | None) -> bytes:
    """Use up the challenge the credential answers: 400 `invalid_challenge` unless it was handed
    out for this purpose (and user), has not expired and was not answered before."""
    challenge = _challenge_of(credential)
    owner = webauthn_challenges.c.user_id.is_(None) if user_id is None else webauthn_challenges.c.user_id == user_id
    async with ctx.db.begin() as conn:
        taken = await conn.execute(
            delete(webauthn_challenges).where(
                webauthn_challenges.c.challenge == challenge,
                webauthn_challenges.c.purpose == purpose,
                webauthn_challenges.c.expires_at > now_iso(),
                owner,
            )
        )
    if not taken.rowcount:
        raise bad_request("the passkey challenge is unknown, expired or already used; try again", "invalid_challenge")
    return base64url_to_bytes(challenge)


async def list_passkeys(ctx: Context, user_id: str) -> list[dict[str, Any]]:
    """The user's passkeys, oldest first (never their keys)."""
    async with ctx.db.read() as conn:
        rows = (
            (await conn.execute(select(passkeys).where(passkeys.c.user_id == user_id).order_by(passkeys.c.id)))
            .mappings()
            .all()
        )
    return [passkey_out(r) for r in rows]


async def registration_options(ctx: Context, user_id: str, password: str, rp: RelyingParty) -> dict[str, Any]:
    """After the password again: the options for `navigator.credentials.create()` (JSON form,
    binary fields base64url), asking for a discoverable credential with user verification."""
    user = await auth.confirm_password(ctx, user_id, password)
    async with ctx.uow() as tx:
        existing = list(await tx.conn.scalars(select(passkeys.c.credential_id).where(passkeys.c.user_id == user_id)))
        if len(existing) >= MAX_PASSKEYS:
            raise bad_request(f"an account has at most {MAX_PASSKEYS} passkeys", code="too_many_passkeys")
        challenge = await _new_challenge(tx.conn, _REGISTER, user_id)
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_id=user_id.encode(),
        user_name=user["username"],
        user_display_name=user["display_name"] or user["username"],
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in existing],
    )
    out: dict[str, Any] = json.loads(options_to_json(options))
    return out


async def register(
    ctx: Context, user_id: str, name: str, credential: dict[str, Any], rp: RelyingParty
) -> dict[str, Any]:
    """Verify the browser's answer to `registration_options` and keep the passkey as `name`."""
    name = name.strip()
    if not name:
        raise bad_request("give the passkey a name")
    challenge = await _take_challenge(ctx, credential, _REGISTER, user_id)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise bad_request(f"{_REFUSED} ({exc})", code="invalid_passkey") from exc
    transports = credential.get("response", {}).get("transports") or []
    known = {t.value for t in AuthenticatorTransport}
    async with ctx.uow() as tx:
        credential_id = bytes_to_base64url(verified.credential_id)
        if await tx.conn.scalar(select(func.count()).where(passkeys.c.credential_id == credential_id)):
            raise bad_request("this passkey is already added", code="passkey_exists")
        row = {
            "id": new_id(),
            "user_id": user_id,
            "credential_id": credential_id,
            "public_key": bytes_to_base64url(verified.credential_public_key),
            "sign_count": verified.sign_count,
            "name": name[:64],
            "transports": ",".join(t for t in transports if t in known)[:128] or None,
            "created_at": now_iso(),
            "last_used_at": None,
        }
        await tx.conn.execute(insert(passkeys).values(**row))
    return passkey_out(row)


async def delete_passkey(ctx: Context, user_id: str, passkey_id: str, password: str) -> None:
    """Remove one of the user's passkeys, after the password again; it signs nobody in after."""
    await auth.confirm_password(ctx, user_id, password)
    async with ctx.db.begin() as conn:
        gone = await conn.execute(delete(passkeys).where(passkeys.c.id == passkey_id, passkeys.c.user_id == user_id))
    if not gone.rowcount:
        raise not_found("passkey")


async def login_options(ctx: Context, rp: RelyingParty) -> dict[str, Any]:
    """The options for `navigator.credentials.get()`: a fresh challenge and no allowed
    credentials, so the authenticator offers the passkeys it holds for this RP ID."""
    async with ctx.db.begin() as conn:
        challenge = await _new_challenge(conn, _LOGIN, None)
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    out: dict[str, Any] = json.loads(options_to_json(options))
    return out


async def login(ctx: Context, credential: dict[str, Any], client: auth.Client, rp: RelyingParty) -> dict[str, Any]:
    """Sign in with a passkey: `{user, token}` as a password login answers, with no TOTP step.
    Attempts are limited per client address like password logins; a failure uses up its challenge."""
    s = ctx.settings
    recorded = await auth.limit_attempts(
        ctx, f"passkey:{client.address}", s.login_max_attempts * 5, s.login_window_seconds
    )
    challenge = await _take_challenge(ctx, credential, _LOGIN, None)
    credential_id = credential.get("rawId") or credential.get("id")
    async with ctx.db.read() as conn:
        key = (
            (await conn.execute(select(passkeys).where(passkeys.c.credential_id == credential_id))).mappings().first()
            if isinstance(credential_id, str)
            else None
        )
    if key is None:
        raise ApiError(401, "invalid_credentials", "this passkey is not registered on this server")
    handle = (credential.get("response") or {}).get("userHandle")
    try:
        if handle and base64url_to_bytes(handle) != key["user_id"].encode():
            raise ApiError(401, "invalid_credentials", "this passkey is not registered on this server")
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=base64url_to_bytes(key["public_key"]),
            credential_current_sign_count=key["sign_count"],
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise ApiError(401, "invalid_credentials", f"{_REFUSED} ({exc})") from exc
    async with ctx.db.read() as conn:
        user = await get_row(conn, key["user_id"])
    if user["suspended_at"] is not None:
        raise forbidden("this account is suspended by the server's administrators", code="account_suspended")
    async with ctx.uow() as tx:
        await tx.conn.execute(delete(login_failures).where(login_failures.c.id.in_(recorded)))
        await tx.conn.execute(
            update(passkeys)
            .where(passkeys.c.id == key["id"])
            .values(sign_count=verified.new_sign_count, last_used_at=now_iso())
        )
        token = await auth.issue_token(ctx, tx.conn, user["id"], client)
        return await auth.logged_in(tx.conn, await get_row(tx.conn, user["id"]), token)
