"""TOTP two-factor (RFC 6238, 30-second steps, 6 digits) with one-time backup codes.

Enabling is two steps: POST /auth/totp/enable (with the password) stores a pending secret and
returns it with its otpauth:// URI; POST /auth/totp/verify confirms it with a code and returns
ten backup codes, shown once and stored as SHA-256 hashes. Once on, a login answers with a
ticket that POST /auth/login/totp redeems with a code. Code attempts are limited per user (a
wrong guess needs the password or a ticket first), and a TOTP code is accepted once: its step
must be later than the last accepted one.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import pyotp
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import login_failures, login_tickets, totp_backup_codes, user_totp, users
from amityvox.errors import ApiError, bad_request, conflict
from amityvox.ids import now_iso
from amityvox.services import auth
from amityvox.services.users import get_row

ISSUER = "AmityVox"
BACKUP_CODES = 10
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return code.strip().replace("-", "").replace(" ", "").lower()


def _new_backup_code() -> str:
    raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


async def _check_password(ctx: Context, user_id: str, password: str) -> None:
    async with ctx.db.read() as conn:
        stored = await conn.scalar(select(users.c.password_hash).where(users.c.id == user_id))
    if not await auth.verify_password(ctx, stored, password):
        raise ApiError(403, "invalid_credentials", "the password is wrong")


async def _limit(ctx: Context, user_id: str) -> list[int]:
    s = ctx.settings
    return await auth.limit_attempts(ctx, f"totp:{user_id}", s.login_max_attempts, s.login_window_seconds)


async def _accept(conn: AsyncConnection, user_id: str, code: str, *, backup: bool, now: float | None) -> bool:
    """Check `code` against the user's TOTP secret (one step of drift either way), or a backup
    code when `backup`; an accepted code is used up. Runs inside the caller's transaction."""
    row = (await conn.execute(select(user_totp).where(user_totp.c.user_id == user_id))).mappings().first()
    if row is None:
        return False
    digits = _normal(code)
    if len(digits) == 6 and digits.isdigit():
        totp = pyotp.TOTP(row["secret"])
        at = time.time() if now is None else now
        step = int(at // totp.interval)
        for candidate in (step - 1, step, step + 1):
            if candidate > row["last_step"] and secrets.compare_digest(totp.at(candidate * totp.interval), digits):
                # Conditional, so two requests racing with the same code cannot both pass.
                used = await conn.execute(
                    update(user_totp)
                    .where(user_totp.c.user_id == user_id, user_totp.c.last_step < candidate)
                    .values(last_step=candidate)
                )
                return bool(used.rowcount)
        return False
    if not backup or row["enabled_at"] is None:
        return False
    used = await conn.execute(
        delete(totp_backup_codes).where(
            totp_backup_codes.c.user_id == user_id, totp_backup_codes.c.code_hash == _code_hash(code)
        )
    )
    return bool(used.rowcount)


async def _verify_code(ctx: Context, user_id: str, code: str, *, backup: bool = True, now: float | None = None) -> None:
    """Raise 403 `invalid_code` (or 429 past the limit) unless `code` is good, using it up."""
    recorded = await _limit(ctx, user_id)
    async with ctx.uow() as tx:
        if not await _accept(tx.conn, user_id, code, backup=backup, now=now):
            raise ApiError(403, "invalid_code", "the code is wrong or already used")
        await tx.conn.execute(delete(login_failures).where(login_failures.c.id.in_(recorded)))


async def _replace_backup_codes(conn: AsyncConnection, user_id: str) -> list[str]:
    codes = [_new_backup_code() for _ in range(BACKUP_CODES)]
    await conn.execute(delete(totp_backup_codes).where(totp_backup_codes.c.user_id == user_id))
    await conn.execute(insert(totp_backup_codes), [{"user_id": user_id, "code_hash": _code_hash(c)} for c in codes])
    return codes


async def status(ctx: Context, user_id: str) -> dict[str, Any]:
    """Whether two-factor is on, and how many backup codes are left."""
    async with ctx.db.read() as conn:
        enabled = await conn.scalar(select(user_totp.c.enabled_at).where(user_totp.c.user_id == user_id))
        left = await conn.scalar(select(func.count()).where(totp_backup_codes.c.user_id == user_id))
    return {"enabled": enabled is not None, "backup_codes_left": int(left or 0) if enabled else 0}


async def enable(ctx: Context, user_id: str, password: str) -> dict[str, Any]:
    """Start enabling: a new pending secret (replacing an unconfirmed one) and its otpauth URI."""
    await _check_password(ctx, user_id, password)
    secret = pyotp.random_base32()
    async with ctx.uow() as tx:
        row = (await tx.conn.execute(select(user_totp).where(user_totp.c.user_id == user_id))).mappings().first()
        if row is not None and row["enabled_at"] is not None:
            raise conflict("two-factor authentication is already on", code="totp_already_enabled")
        await tx.conn.execute(delete(user_totp).where(user_totp.c.user_id == user_id))
        await tx.conn.execute(insert(user_totp).values(user_id=user_id, secret=secret, enabled_at=None, last_step=0))
        username = (await get_row(tx.conn, user_id))["username"]
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return {"secret": secret, "qr_code_uri": uri}


async def confirm(ctx: Context, user_id: str, code: str, now: float | None = None) -> dict[str, Any]:
    """Finish enabling with a code from the authenticator: returns the backup codes, once."""
    async with ctx.db.read() as conn:
        pending = (await conn.execute(select(user_totp).where(user_totp.c.user_id == user_id))).mappings().first()
    if pending is None:
        raise bad_request("call POST /auth/totp/enable first", code="totp_not_setup")
    if pending["enabled_at"] is not None:
        raise conflict("two-factor authentication is already on", code="totp_already_enabled")
    await _verify_code(ctx, user_id, code, backup=False, now=now)
    async with ctx.uow() as tx:
        await tx.conn.execute(update(user_totp).where(user_totp.c.user_id == user_id).values(enabled_at=now_iso()))
        codes = await _replace_backup_codes(tx.conn, user_id)
    return {"verified": True, "backup_codes": codes}


async def _require_enabled(ctx: Context, user_id: str) -> None:
    if not (await status(ctx, user_id))["enabled"]:
        raise bad_request("two-factor authentication is off", code="totp_not_enabled")


async def disable(ctx: Context, user_id: str, password: str, code: str, now: float | None = None) -> None:
    """Turn two-factor off: needs the password and a code (TOTP or backup)."""
    await _require_enabled(ctx, user_id)
    await _check_password(ctx, user_id, password)
    await _verify_code(ctx, user_id, code, now=now)
    async with ctx.uow() as tx:
        await remove(tx.conn, user_id)


async def remove(conn: AsyncConnection, user_id: str) -> bool:
    """Two-factor off, with its backup codes and half-done two-factor logins: the user's own
    choice (`disable`) or an administrator's reset. False if it was not on."""
    was_on = await conn.scalar(
        select(user_totp.c.enabled_at).where(user_totp.c.user_id == user_id, user_totp.c.enabled_at.is_not(None))
    )
    await conn.execute(delete(totp_backup_codes).where(totp_backup_codes.c.user_id == user_id))
    await conn.execute(delete(user_totp).where(user_totp.c.user_id == user_id))
    await conn.execute(delete(login_tickets).where(login_tickets.c.user_id == user_id))
    return was_on is not None


async def require_code(ctx: Context, user_id: str, code: str | None) -> None:
    """With two-factor on, an action that asks for the password again (deleting the account)
    needs a code too: 403 `totp_required` without one, `invalid_code` for a wrong one."""
    if not (await status(ctx, user_id))["enabled"]:
        return
    if not code:
        raise ApiError(403, "totp_required", "two-factor authentication is on: send a code as well")
    await _verify_code(ctx, user_id, code)


async def regenerate_backup_codes(ctx: Context, user_id: str, password: str) -> dict[str, Any]:
    """Ten fresh backup codes; the old ones stop working."""
    await _require_enabled(ctx, user_id)
    await _check_password(ctx, user_id, password)
    async with ctx.uow() as tx:
        return {"codes": await _replace_backup_codes(tx.conn, user_id)}


async def redeem_ticket(ctx: Context, ticket: str, code: str, now: float | None = None) -> dict[str, Any]:
    """The second step of a two-factor login: the ticket from POST /auth/login and a code → `{user, token}`."""
    ticket_hash = auth.hash_token(ticket)
    async with ctx.db.read() as conn:
        row = (
            (
                await conn.execute(
                    select(login_tickets).where(
                        login_tickets.c.ticket_hash == ticket_hash, login_tickets.c.expires_at > now_iso()
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise ApiError(401, "invalid_ticket", "the login ticket is unknown or expired; log in again")
    user_id = row["user_id"]
    await _verify_code(ctx, user_id, code, now=now)
    client = auth.Client(address=row["address"] or "unknown", user_agent=row["user_agent"])
    async with ctx.uow() as tx:
        gone = await tx.conn.execute(delete(login_tickets).where(login_tickets.c.ticket_hash == ticket_hash))
        if not gone.rowcount:  # a concurrent second step redeemed it first
            raise ApiError(401, "invalid_ticket", "the login ticket is unknown or expired; log in again")
        token = await auth.issue_token(ctx, tx.conn, user_id, client)
        return await auth.logged_in(tx.conn, await get_row(tx.conn, user_id), token)
