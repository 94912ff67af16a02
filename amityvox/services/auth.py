"""Accounts and login tokens: Argon2id passwords, 64-hex bearer tokens stored as SHA-256 hashes."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import auth_sessions, login_failures, users
from amityvox.errors import ApiError, bad_request, conflict, forbidden, rate_limited
from amityvox.ids import iso, new_id, now_iso, parse_iso, utcnow
from amityvox.services.users import check_username, self_user, username_key

_hashers: dict[tuple[int, int], PasswordHasher] = {}


def _hasher(ctx: Context) -> PasswordHasher:
    key = (ctx.settings.argon2_time_cost, ctx.settings.argon2_memory_kib)
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=1)
    return _hashers[key]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def hash_password(ctx: Context, password: str) -> str:
    return await asyncio.to_thread(_hasher(ctx).hash, password)


async def _verify(ctx: Context, stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return await asyncio.to_thread(_hasher(ctx).verify, stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_password(ctx: Context, password: str) -> None:
    if len(password) < ctx.settings.password_min_length:
        raise bad_request(f"password must be at least {ctx.settings.password_min_length} characters")
    if len(password) > 256:
        raise bad_request("password must be at most 256 characters")


def _check_email(email: str | None) -> str | None:
    if email is None or email == "":
        return None
    if len(email) > 254 or "@" not in email.strip("@") or any(c.isspace() for c in email):
        raise bad_request("email is not a valid address")
    return email


async def _issue_token(ctx: Context, conn: Any, user_id: str) -> str:
    token = secrets.token_hex(32)
    now = utcnow()
    await conn.execute(
        insert(auth_sessions).values(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=iso(now),
            expires_at=iso(now + timedelta(days=ctx.settings.token_ttl_days)),
        )
    )
    return token


async def issue_token(ctx: Context, conn: Any, user_id: str) -> str:
    """A new bearer token for `user_id` inside the caller's transaction (bot tokens)."""
    return await _issue_token(ctx, conn, user_id)


async def create_user(
    ctx: Context, username: str, password: str, email: str | None = None, *, is_admin: bool = False
) -> dict[str, Any]:
    """Create an account (no token); used by registration and `amityvox admin create-user`."""
    check_username(username)
    _check_password(ctx, password)
    email = _check_email(email)
    password_hash = await hash_password(ctx, password)
    user_id = new_id()
    try:
        async with ctx.uow() as tx:
            same = [users.c.username_key == username_key(username)]
            if email:
                same.append(users.c.email_key == email.casefold())
            clash = await tx.conn.scalar(select(users.c.id).where(or_(*same)))
            if clash:
                raise conflict("that username or email is already registered", code="username_taken")
            await tx.conn.execute(
                insert(users).values(
                    id=user_id,
                    username=username,
                    username_key=username_key(username),
                    email=email,
                    email_key=email.casefold() if email else None,
                    password_hash=password_hash,
                    status_presence="online",
                    flags=0,
                    is_admin=is_admin,
                    created_at=now_iso(),
                )
            )
            row = (await tx.conn.execute(select(users).where(users.c.id == user_id))).mappings().one()
    except IntegrityError:  # a concurrent registration won the race for the name
        raise conflict("that username or email is already registered", code="username_taken") from None
    return self_user(row)


async def register(ctx: Context, username: str, password: str, email: str | None) -> dict[str, Any]:
    if not ctx.settings.registration_open:
        raise forbidden("registration is closed on this server", code="registration_closed")
    user = await create_user(ctx, username, password, email)
    async with ctx.uow() as tx:
        token = await _issue_token(ctx, tx.conn, user["id"])
    return {"user": user, "token": token}


async def _login_wait(conn: AsyncConnection, limits: dict[str, int], window: float) -> float:
    """Seconds until every key in `limits` has fewer failures than its limit within `window`."""
    now = utcnow()
    since = iso(now - timedelta(seconds=window))
    wait = 0.0
    for key, limit in limits.items():
        count, oldest = (
            await conn.execute(
                select(func.count(), func.min(login_failures.c.at)).where(
                    login_failures.c.key == key, login_failures.c.at > since
                )
            )
        ).one()
        if count >= limit and oldest is not None:
            wait = max(wait, window - (now - parse_iso(oldest)).total_seconds(), 0.001)
    return wait


async def _login_failed(ctx: Context, keys: list[str], window: float) -> None:
    async with ctx.uow() as tx:
        now = utcnow()
        # Rows past the window count for nothing: dropping them keeps the table to one window.
        await tx.conn.execute(delete(login_failures).where(login_failures.c.at <= iso(now - timedelta(seconds=window))))
        await tx.conn.execute(insert(login_failures), [{"key": key, "at": iso(now)} for key in keys])


async def login(ctx: Context, login_name: str, password: str, client: str) -> dict[str, Any]:
    """Rate-limited per account and per client address: failures are counted in the database,
    so the limits hold across every API process; a success clears the account's count."""
    s = ctx.settings
    name_key = login_name.casefold()
    account_key, client_key = f"account:{name_key}", f"client:{client}"
    limits = {account_key: s.login_max_attempts, client_key: s.login_max_attempts * 5}
    async with ctx.db.connect() as conn:
        wait = await _login_wait(conn, limits, s.login_window_seconds)
    if wait:
        raise rate_limited(wait, "too many failed logins; try again later")
    async with ctx.db.connect() as conn:
        row: RowMapping | None = (
            (
                await conn.execute(
                    select(users).where(
                        or_(users.c.username_key == name_key, users.c.email_key == name_key),
                        users.c.deleted_at.is_(None),
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None or not await _verify(ctx, row["password_hash"], password):
        await _login_failed(ctx, list(limits), s.login_window_seconds)
        raise ApiError(401, "invalid_credentials", "wrong username or password")
    async with ctx.uow() as tx:
        await tx.conn.execute(delete(login_failures).where(login_failures.c.key == account_key))
        token = await _issue_token(ctx, tx.conn, row["id"])
    return {"user": self_user(row), "token": token}


async def logout(ctx: Context, token: str) -> None:
    async with ctx.uow() as tx:
        await tx.conn.execute(delete(auth_sessions).where(auth_sessions.c.token_hash == hash_token(token)))


async def authenticate(ctx: Context, token: str) -> RowMapping | None:
    """The user row for a valid, unexpired token, else None."""
    if len(token) != 64 or any(c not in "0123456789abcdef" for c in token):
        return None
    async with ctx.db.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(users)
                    .join(auth_sessions, auth_sessions.c.user_id == users.c.id)
                    .where(auth_sessions.c.token_hash == hash_token(token), auth_sessions.c.expires_at > now_iso())
                )
            )
            .mappings()
            .first()
        )
    return row


async def set_admin(ctx: Context, username: str, admin: bool = True) -> bool:
    async with ctx.uow() as tx:
        result = await tx.conn.execute(
            update(users).where(users.c.username_key == username_key(username)).values(is_admin=admin)
        )
        return bool(result.rowcount)
