"""Accounts and login tokens: Argon2id passwords, 64-hex bearer tokens stored as SHA-256 hashes."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import account_deletions, auth_sessions, login_failures, login_tickets, user_totp, users
from amityvox.errors import ApiError, bad_request, conflict, forbidden, rate_limited
from amityvox.ids import iso, new_id, now_iso, parse_iso, utcnow
from amityvox.services import instance, invites
from amityvox.services.users import check_username, get_row, self_user, username_key
from amityvox.token_cache import Entry

_hashers: dict[tuple[int, int], PasswordHasher] = {}

REGISTRATION_WINDOW_S = 3600.0
LAST_SEEN_EVERY_S = 60.0  # a token's last_seen_at is written at most this often
TICKET_TTL_S = 300.0  # how long the first step of a two-factor login stays redeemable
BACKOFF_BASE_S = 5.0  # the wait after the last free login attempt; it doubles with each failure
ATTEMPT_MEMORY_S = 86400.0  # how long a failed login counts towards its account and address's backoff


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


async def verify_password(ctx: Context, stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored Argon2 hash (False when there is none)."""
    return await _verify(ctx, stored, password)


async def limit_attempts(ctx: Context, key: str, free: int, window: float) -> list[int]:
    """Record one attempt under `key`, or raise 429 past `free` attempts per `window` seconds.
    The caller removes the returned records on success (`login_failures.c.id`)."""
    return await _attempt(ctx, {key: _Limit(free, window)})


async def confirm_password(ctx: Context, user_id: str, password: str) -> RowMapping:
    """The user's row when `password` is theirs, else 403 `invalid_credentials`; limited like a
    password change. For routes that ask for the password again (e-mail change, deletion)."""
    s = ctx.settings
    await limit_attempts(ctx, f"password:{user_id}", s.login_max_attempts, s.login_window_seconds)
    async with ctx.db.read() as conn:
        user = await get_row(conn, user_id)
    if not await _verify(ctx, user["password_hash"], password):
        raise ApiError(403, "invalid_credentials", "the password is wrong")
    return user


async def cancel_deletion(conn: AsyncConnection, user_id: str) -> bool:
    """Logging in during the grace period of a requested deletion (services/account_deletion.py)
    keeps the account: whether one was pending."""
    gone = await conn.execute(delete(account_deletions).where(account_deletions.c.user_id == user_id))
    return bool(gone.rowcount)


async def logged_in(conn: AsyncConnection, user: RowMapping, token: str) -> dict[str, Any]:
    """The answer to a finished login, `{user, token}`, with `deletion_cancelled: true` when it
    called off the account's deletion."""
    out: dict[str, Any] = {"user": self_user(user), "token": token}
    if await cancel_deletion(conn, user["id"]):
        out["deletion_cancelled"] = True
    return out


def check_new_password(ctx: Context, password: str) -> None:
    """The rules every new password meets (registration, change, reset)."""
    if len(password) < ctx.settings.password_min_length:
        raise bad_request(f"password must be at least {ctx.settings.password_min_length} characters")
    if len(password) > 256:
        raise bad_request("password must be at most 256 characters")


def check_email(email: str | None) -> str | None:
    """A plausible address as sent, or None for none (registration, e-mail change, reset)."""
    if email is None or email == "":
        return None
    if len(email) > 254 or "@" not in email.strip("@") or any(c.isspace() for c in email):
        raise bad_request("email is not a valid address")
    return email


@dataclass(frozen=True, slots=True)
class Client:
    """Where a login comes from, kept with its session so its owner can recognise it."""

    address: str
    user_agent: str | None = None


async def issue_token(ctx: Context, conn: Any, user_id: str, client: Client | None = None) -> str:
    """A new bearer token for `user_id` inside the caller's transaction."""
    token = secrets.token_hex(32)
    now = iso(utcnow())
    await conn.execute(
        insert(auth_sessions).values(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=now,
            expires_at=iso(utcnow() + timedelta(days=ctx.settings.token_ttl_days)),
            id=new_id(),
            user_agent=client.user_agent[:512] if client and client.user_agent else None,
            address=client.address[:64] if client else None,
            last_seen_at=now,
        )
    )
    return token


async def create_user(
    ctx: Context, username: str, password: str, email: str | None = None, *, is_admin: bool = False
) -> dict[str, Any]:
    """Create an account (no token); used by registration and `amityvox admin create-user`."""
    check_username(username)
    check_new_password(ctx, password)
    email = check_email(email)
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


async def register(
    ctx: Context, username: str, password: str, email: str | None, client: Client, invite: str | None = None
) -> dict[str, Any]:
    """POST /auth/register, as the instance's registration mode allows (services/instance.py):
    open, invite-only (`invite`: the code of a usable guild invite, which the new account then
    accepts like any other) or closed."""
    mode = (await instance.current(ctx)).registration_mode
    if mode == "closed":
        raise forbidden("registration is closed on this server", code="registration_closed")
    if mode == "invite_only":
        if not invite:
            raise forbidden("this server is invite-only: register with an invite code", code="invite_required")
        async with ctx.db.read() as conn:
            await invites.usable_invite(conn, invite)
    per_hour = ctx.settings.registrations_per_hour
    if per_hour:
        await _attempt(ctx, {f"register:{client.address}": _Limit(per_hour, REGISTRATION_WINDOW_S)})
    user = await create_user(ctx, username, password, email)
    async with ctx.uow() as tx:
        token = await issue_token(ctx, tx.conn, user["id"], client)
    return {"user": user, "token": token}


@dataclass(frozen=True, slots=True)
class _Limit:
    """`free` attempts per `window` seconds; with `backoff`, each attempt past them waits twice
    as long after the previous one as the one before did (5 s, 10 s, 20 s … up to `backoff`)."""

    free: int
    window: float
    backoff: float = 0.0


def _wait(limit: _Limit, count: int, oldest: str, newest: str, now: datetime) -> float:
    """Seconds until one more attempt is allowed, given `count` attempts in the window."""
    if count < limit.free:
        return 0.0
    if limit.backoff:
        delay = min(BACKOFF_BASE_S * 2.0 ** (count - limit.free), limit.backoff)
        return max(delay - (now - parse_iso(newest)).total_seconds(), 0.0)
    return max(limit.window - (now - parse_iso(oldest)).total_seconds(), 0.001)


async def _attempt(ctx: Context, limits: dict[str, _Limit]) -> list[int]:
    """Check every limit and record the attempt under each key in one transaction, so concurrent
    attempts are counted one after another (SQLite writes one transaction at a time; PostgreSQL
    takes a lock per key) and at most the allowed number gets through. Raises 429 with
    `retry_after` when a limit is reached; returns the recorded rows (a success removes them)."""
    keys = sorted(limits)
    async with ctx.uow() as tx:
        conn = tx.conn
        if conn.dialect.name == "postgresql":
            for key in keys:
                await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
        now = utcnow()
        memory = max(ATTEMPT_MEMORY_S, ctx.settings.login_window_seconds)
        # Rows nobody counts any more: dropping them keeps the table small.
        await conn.execute(delete(login_failures).where(login_failures.c.at <= iso(now - timedelta(seconds=memory))))
        wait = 0.0
        for key in keys:
            limit = limits[key]
            count, oldest, newest = (
                await conn.execute(
                    select(func.count(), func.min(login_failures.c.at), func.max(login_failures.c.at)).where(
                        login_failures.c.key == key, login_failures.c.at > iso(now - timedelta(seconds=limit.window))
                    )
                )
            ).one()
            wait = max(wait, _wait(limit, count, oldest, newest, now))
        if wait:
            raise rate_limited(wait, "too many attempts; try again later")
        ids = []
        for key in keys:
            recorded = insert(login_failures).values(key=key, at=iso(now)).returning(login_failures.c.id)
            ids.append(int((await conn.execute(recorded)).scalar_one()))
        return ids


_dummies: dict[tuple[int, int], str] = {}


async def _dummy_hash(ctx: Context) -> str:
    """A hash to verify against when there is no account: unknown names cost what known ones do."""
    key = (ctx.settings.argon2_time_cost, ctx.settings.argon2_memory_kib)
    if key not in _dummies:
        _dummies[key] = await hash_password(ctx, secrets.token_hex(16))
    return _dummies[key]


async def login(ctx: Context, login_name: str, password: str, client: Client) -> dict[str, Any]:
    """Limited per account and client address together, with a growing wait, and per address
    alone, more loosely; never per account alone, so nobody can lock a stranger out. Each
    attempt is recorded before its password is checked (see `_attempt`) and a success
    removes the records, so the limits hold across API processes and concurrent requests.

    With two-factor on, the answer is `{mfa_required, ticket, methods}` instead of a token:
    POST /auth/login/totp redeems the ticket with a code (services/two_factor.py)."""
    s = ctx.settings
    name_key = login_name.casefold()
    pair_key = f"login:{name_key}|{client.address}"
    limits = {
        pair_key: _Limit(s.login_max_attempts, ATTEMPT_MEMORY_S, float(s.login_backoff_max_seconds)),
        f"login-client:{client.address}": _Limit(s.login_max_attempts * 5, s.login_window_seconds),
    }
    recorded = await _attempt(ctx, limits)
    async with ctx.db.read() as conn:
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
    stored = row["password_hash"] if row is not None else None
    verified = await _verify(ctx, stored or await _dummy_hash(ctx), password)
    if row is None or not stored or not verified:
        raise ApiError(401, "invalid_credentials", "wrong username or password")
    if row["suspended_at"] is not None:  # told only to whoever knows the password
        raise forbidden("this account is suspended by the server's administrators", code="account_suspended")
    async with ctx.uow() as tx:
        await tx.conn.execute(
            delete(login_failures).where(or_(login_failures.c.key == pair_key, login_failures.c.id.in_(recorded)))
        )
        two_factor = await tx.conn.scalar(
            select(user_totp.c.enabled_at).where(user_totp.c.user_id == row["id"], user_totp.c.enabled_at.is_not(None))
        )
        if two_factor:
            ticket = secrets.token_hex(32)
            await tx.conn.execute(delete(login_tickets).where(login_tickets.c.expires_at <= now_iso()))
            await tx.conn.execute(
                insert(login_tickets).values(
                    ticket_hash=hash_token(ticket),
                    user_id=row["id"],
                    expires_at=iso(utcnow() + timedelta(seconds=TICKET_TTL_S)),
                    user_agent=client.user_agent[:512] if client.user_agent else None,
                    address=client.address[:64],
                )
            )
            return {"mfa_required": True, "ticket": ticket, "methods": ["totp", "backup_code"]}
        token = await issue_token(ctx, tx.conn, row["id"], client)
        return await logged_in(tx.conn, row, token)


async def logout(ctx: Context, user_id: str, token: str) -> None:
    """Revoke the token; the gateway sessions that identified with it close with 4004."""
    token_hash = hash_token(token)
    async with ctx.uow() as tx:
        await tx.conn.execute(delete(auth_sessions).where(auth_sessions.c.token_hash == token_hash))
        tx.emit("SESSIONS_REVOKE", {"user_id": user_id, "token_hashes": [token_hash]})


async def change_password(ctx: Context, user_id: str, token: str, current: str, new: str) -> None:
    """POST /users/@me/password: needs the current password; every other token of the user is
    revoked (their gateway sessions close with 4004), the one used here stays, and half-done
    two-factor logins (made with the old password) are dropped."""
    check_new_password(ctx, new)
    s = ctx.settings
    await _attempt(ctx, {f"password:{user_id}": _Limit(s.login_max_attempts, s.login_window_seconds)})
    async with ctx.db.read() as conn:
        stored = await conn.scalar(select(users.c.password_hash).where(users.c.id == user_id))
    if not stored or not await _verify(ctx, stored, current):
        raise ApiError(403, "invalid_credentials", "the current password is wrong")
    password_hash = await hash_password(ctx, new)
    keep = hash_token(token)
    async with ctx.uow() as tx:
        await tx.conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
        await tx.conn.execute(
            delete(auth_sessions).where(auth_sessions.c.user_id == user_id, auth_sessions.c.token_hash != keep)
        )
        await tx.conn.execute(delete(login_tickets).where(login_tickets.c.user_id == user_id))
        await tx.conn.execute(delete(login_failures).where(login_failures.c.key == f"password:{user_id}"))
        tx.emit("SESSIONS_REVOKE", {"user_id": user_id, "all_but": keep})


async def authenticate(ctx: Context, token: str, *, cached: bool = False) -> RowMapping | None:
    """The user row (with `token_expires_at` and `session_id`) for a valid, unexpired token,
    else None. Records that the token was seen, at most once a minute. `cached`: a lookup from
    the last few seconds may answer (REST; see token_cache.py)."""
    if len(token) != 64 or any(c not in "0123456789abcdef" for c in token):
        return None
    token_hash = hash_token(token)
    now = now_iso()
    entry = ctx.tokens.get(token_hash) if cached else None
    if entry is None or entry.row["token_expires_at"] <= now:
        row = await _lookup(ctx, token_hash, now)
        if row is None:
            return None
        entry = ctx.tokens.put(token_hash, row) if cached else Entry(row, 0.0, row["last_seen_at"])
    entry.last_seen = await _seen(ctx, token_hash, entry.last_seen)
    found: RowMapping = entry.row
    return found


async def _lookup(ctx: Context, token_hash: str, now: str) -> RowMapping | None:
    async with ctx.db.read() as conn:
        query = (
            select(
                users,
                auth_sessions.c.expires_at.label("token_expires_at"),
                auth_sessions.c.id.label("session_id"),
                auth_sessions.c.last_seen_at,
            )
            .join(auth_sessions, auth_sessions.c.user_id == users.c.id)
            .where(
                auth_sessions.c.token_hash == token_hash,
                auth_sessions.c.expires_at > now,
                users.c.deleted_at.is_(None),
                users.c.suspended_at.is_(None),
            )
        )
        return (await conn.execute(query)).mappings().first()


async def _seen(ctx: Context, token_hash: str, last_seen: str | None) -> str | None:
    """Record that the token was seen unless `last_seen` is under a minute old; the last-seen time."""
    now = utcnow()
    cutoff = iso(now - timedelta(seconds=LAST_SEEN_EVERY_S))
    if last_seen is not None and last_seen > cutoff:
        return last_seen
    # A write even on GET requests, whose transactions are otherwise read-only
    # (api/safe_methods.py): this is bookkeeping, not the request's work.
    async with ctx.db.begin(write=True) as conn:
        stale = or_(auth_sessions.c.last_seen_at.is_(None), auth_sessions.c.last_seen_at <= cutoff)
        await conn.execute(
            update(auth_sessions).where(auth_sessions.c.token_hash == token_hash, stale).values(last_seen_at=iso(now))
        )
    return iso(now)


async def set_admin(ctx: Context, username: str, admin: bool = True) -> bool:
    """Grant or take instance-administrator rights. This process's REST callers see the change at
    once; another process's (`amityvox admin set-admin` beside a running server) within the token
    cache's few seconds, as no event announces it."""
    async with ctx.uow() as tx:
        result = await tx.conn.execute(
            update(users)
            .where(users.c.username_key == username_key(username))
            .values(is_admin=admin)
            .returning(users.c.id)
        )
        changed = result.scalars().all()
    for user_id in changed:
        ctx.tokens.forget(user_id)
    return bool(changed)
