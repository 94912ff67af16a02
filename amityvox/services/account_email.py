"""E-mail on accounts: verifying an address, changing it, and resetting a forgotten password.

Each mails a single-use link whose token is kept only as its SHA-256 (`account_tokens`) and
expires: `email_token_ttl_hours` for a verification, one hour for a password reset. Redeeming
deletes the row in the statement that reads it, so a link works once even when clicked twice
at the same moment. The mails are queued in the same transaction (services/mail.py).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import account_tokens, auth_sessions, login_failures, login_tickets, users
from amityvox.errors import ApiError, bad_request, conflict
from amityvox.ids import iso, now_iso, utcnow
from amityvox.services import auth, mail
from amityvox.services.users import get_row, self_user

VERIFY = "verify_email"
RESET = "password_reset"
RESET_TTL = timedelta(hours=1)
RESET_PER_ADDRESS_PER_HOUR = 3  # reset mails one address can be sent
RESET_PER_CLIENT_PER_HOUR = 10  # reset requests from one client address, whatever their target


def _invalid() -> ApiError:
    return bad_request("this link is invalid, already used or expired; ask for a new one", code="invalid_token")


async def _issue(conn: AsyncConnection, user_id: str, purpose: str, ttl: timedelta, email: str | None = None) -> str:
    """A new link token; earlier unused ones of the same purpose stop working."""
    token = secrets.token_urlsafe(32)
    await conn.execute(
        delete(account_tokens).where(account_tokens.c.user_id == user_id, account_tokens.c.purpose == purpose)
    )
    await conn.execute(
        insert(account_tokens).values(
            token_hash=auth.hash_token(token),
            user_id=user_id,
            purpose=purpose,
            email=email,
            expires_at=iso(utcnow() + ttl),
        )
    )
    return token


async def _redeem(conn: AsyncConnection, token: str, purpose: str) -> RowMapping:
    """Use up a token (whatever happens after, it is gone); 400 `invalid_token` when unknown or expired."""
    if not token or len(token) > 128:
        raise _invalid()
    row = (
        (
            await conn.execute(
                delete(account_tokens)
                .where(account_tokens.c.token_hash == auth.hash_token(token), account_tokens.c.purpose == purpose)
                .returning(account_tokens.c.user_id, account_tokens.c.email, account_tokens.c.expires_at)
            )
        )
        .mappings()
        .first()
    )
    if row is None or row["expires_at"] <= now_iso():
        raise _invalid()
    return row


def _verify_mail(base: str, username: str, token: str) -> tuple[str, str]:
    return (
        "Confirm your e-mail address",
        f"Hello {username},\n\nopen this link to confirm that this address is yours:\n\n"
        f"{base}/verify-email?token={token}\n\n"
        "If you did not ask for this, ignore this mail: nothing changes.\n",
    )


async def _queue_verification(ctx: Context, conn: AsyncConnection, user: RowMapping, email: str, base: str) -> None:
    ttl = timedelta(hours=ctx.settings.email_token_ttl_hours)
    token = await _issue(conn, user["id"], VERIFY, ttl, email)
    await mail.enqueue(conn, email, *_verify_mail(base, user["username"], token))


async def send_verification(ctx: Context, user_id: str, base: str, *, required: bool = True) -> bool:
    """Mail a verification link to the user's current address. `required`: refuse without mail
    configured, without an address or when it is verified already (POST /users/@me/email/verify);
    otherwise (registration) quietly do nothing then. Whether a mail was queued."""
    if not ctx.settings.mail_configured:
        if required:
            mail.require(ctx.settings)
        return False
    async with ctx.uow() as tx:
        user = await get_row(tx.conn, user_id)
        if not user["email"] or user["email_verified"]:
            if required:
                raise bad_request("there is no unverified e-mail address on this account", code="nothing_to_verify")
            return False
        await _queue_verification(ctx, tx.conn, user, user["email"], base)
    mail.wake(ctx)
    return True


async def verify_email(ctx: Context, token: str) -> dict[str, Any]:
    """POST /auth/verify-email: the link's address becomes the account's, verified → the self user."""
    try:
        async with ctx.uow() as tx:
            row = await _redeem(tx.conn, token, VERIFY)
            email = row["email"]
            clash = await tx.conn.scalar(
                select(users.c.id).where(users.c.email_key == email.casefold(), users.c.id != row["user_id"])
            )
            if clash:
                raise conflict("that e-mail address now belongs to another account", code="email_taken")
            await tx.conn.execute(
                update(users)
                .where(users.c.id == row["user_id"], users.c.deleted_at.is_(None))
                .values(email=email, email_key=email.casefold(), email_verified=True)
            )
            return self_user(await get_row(tx.conn, row["user_id"]))
    except IntegrityError:  # another account took the address meanwhile
        raise conflict("that e-mail address now belongs to another account", code="email_taken") from None


async def change_email(ctx: Context, user_id: str, password: str, email: str, base: str) -> None:
    """POST /users/@me/email: the new address gets a verification link and becomes the account's
    only once it is opened; the current address, if any, is told of the request."""
    mail.require(ctx.settings)
    new = auth.check_email(email)
    if new is None:
        raise bad_request("email is required")
    user = await auth.confirm_password(ctx, user_id, password)
    async with ctx.uow() as tx:
        taken = await tx.conn.scalar(select(users.c.id).where(users.c.email_key == new.casefold()))
        if taken == user_id and user["email_verified"]:
            raise bad_request("that is already your verified e-mail address", code="nothing_to_verify")
        if taken and taken != user_id:
            raise conflict("that e-mail address is already registered", code="email_taken")
        await _queue_verification(ctx, tx.conn, user, new, base)
        old = user["email"]
        if old and old.casefold() != new.casefold():
            await mail.enqueue(
                tx.conn,
                old,
                "Your e-mail address is being changed",
                f"Hello {user['username']},\n\nsomeone with your password asked to change the e-mail address"
                f" of your account to {new}. It changes once the new address is confirmed.\n\n"
                "If this was not you, change your password now: the change can still be stopped,"
                " since the new address is not confirmed yet.\n",
            )
    mail.wake(ctx)


async def request_password_reset(ctx: Context, email: str, client_address: str, base: str) -> None:
    """POST /auth/password-reset: mail a reset link if the address belongs to an account. The
    answer is the same either way (no account enumeration); limited per address and per client."""
    mail.require(ctx.settings)
    address = auth.check_email(email)
    if address is None:
        raise bad_request("email is required")
    await auth.limit_attempts(ctx, f"reset-client:{client_address}", RESET_PER_CLIENT_PER_HOUR, 3600.0)
    await auth.limit_attempts(ctx, f"reset:{address.casefold()}", RESET_PER_ADDRESS_PER_HOUR, 3600.0)
    async with ctx.uow() as tx:
        user = (
            (
                await tx.conn.execute(
                    select(users).where(users.c.email_key == address.casefold(), users.c.deleted_at.is_(None))
                )
            )
            .mappings()
            .first()
        )
        if user is None or user["bot_owner_id"] is not None:
            return
        token = await _issue(tx.conn, user["id"], RESET, RESET_TTL)
        await mail.enqueue(
            tx.conn,
            user["email"],
            "Reset your password",
            f"Hello {user['username']},\n\nopen this link within an hour to choose a new password:\n\n"
            f"{base}/reset-password?token={token}\n\n"
            "Setting it logs you out everywhere. If you did not ask for this, ignore this mail.\n",
        )
    mail.wake(ctx)


async def confirm_password_reset(ctx: Context, token: str, password: str) -> None:
    """POST /auth/password-reset/confirm: set the new password, end every session of the user
    (their gateway connections close with 4004) and half-done two-factor logins. Opening the
    link proves the address, so it counts as verified too."""
    auth.check_new_password(ctx, password)
    password_hash = await auth.hash_password(ctx, password)
    async with ctx.uow() as tx:
        row = await _redeem(tx.conn, token, RESET)
        user_id = row["user_id"]
        await tx.conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.deleted_at.is_(None))
            .values(password_hash=password_hash, email_verified=True)
        )
        await tx.conn.execute(delete(auth_sessions).where(auth_sessions.c.user_id == user_id))
        await tx.conn.execute(delete(login_tickets).where(login_tickets.c.user_id == user_id))
        await tx.conn.execute(delete(login_failures).where(login_failures.c.key == f"password:{user_id}"))
        tx.emit("SESSIONS_REVOKE", {"user_id": user_id})
