"""Deleting one's own account, with a grace period.

DELETE /users/@me asks for the password again (and a code when two-factor is on), then
schedules the erasure `account_deletion_days` ahead (`account_deletions`) and ends every
session of the account at once (SESSIONS_REVOKE: gateway connections close with 4004).
Logging in again before then calls the deletion off (auth.logged_in says so in its answer).
When the period is over, the timer here erases the account as users.delete_account does
(anonymised, out of every guild, its bots' tokens revoked); with `account_deletion_days = 0`
that happens in the request itself. A guild owner is refused until their guilds are
transferred or deleted.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from amityvox.context import Context
from amityvox.db.schema import account_deletions, auth_sessions, login_tickets, users
from amityvox.errors import ApiError
from amityvox.ids import iso, utcnow
from amityvox.services import auth, mail, two_factor
from amityvox.services import users as user_service
from amityvox.services.leases import run_when_leader

log = logging.getLogger("amityvox.account_deletion")

SWEEP_SECONDS = 60.0
OWNER_RETRY = timedelta(days=1)  # an account that came to own a guild meanwhile waits this long


async def request_deletion(ctx: Context, user_id: str, password: str, code: str | None) -> dict[str, Any] | None:
    """DELETE /users/@me: `{erase_at, grace_days}` once scheduled, or None when the account was
    erased at once (no grace period configured)."""
    user = await auth.confirm_password(ctx, user_id, password)
    await two_factor.require_code(ctx, user_id, code)
    days = ctx.settings.account_deletion_days
    async with ctx.uow() as tx:
        await user_service.require_no_owned_guilds(tx.conn, user_id)
        if days == 0:
            await user_service.delete_account(tx, user_id)
            return None
        now = utcnow()
        erase_at = iso(now + timedelta(days=days))
        await tx.conn.execute(delete(account_deletions).where(account_deletions.c.user_id == user_id))
        await tx.conn.execute(
            insert(account_deletions).values(user_id=user_id, requested_at=iso(now), erase_at=erase_at)
        )
        await tx.conn.execute(delete(auth_sessions).where(auth_sessions.c.user_id == user_id))
        await tx.conn.execute(delete(login_tickets).where(login_tickets.c.user_id == user_id))
        tx.emit("SESSIONS_REVOKE", {"user_id": user_id})
        if user["email"] and ctx.settings.mail_configured:
            await mail.enqueue(
                tx.conn,
                user["email"],
                "Your account will be deleted",
                f"Hello {user['username']},\n\nyour account is set to be deleted on {erase_at[:10]} ({days} days from"
                " now) and every session of it has ended.\n\nLog in before then to keep it: logging in calls the"
                " deletion off.\n",
            )
    mail.wake(ctx)
    return {"erase_at": erase_at, "grace_days": days}


async def erase_due(ctx: Context, now: datetime | None = None) -> int:
    """Erase every account whose grace period is over at `now` (default: now); how many."""
    at = iso(now or utcnow())
    async with ctx.db.read() as conn:
        due = list(await conn.scalars(select(account_deletions.c.user_id).where(account_deletions.c.erase_at <= at)))
    erased = 0
    for user_id in due:
        try:
            async with ctx.uow() as tx:
                # Conditional: a login that just called the deletion off wins.
                taken = await tx.conn.execute(
                    delete(account_deletions).where(
                        account_deletions.c.user_id == user_id, account_deletions.c.erase_at <= at
                    )
                )
                gone = await tx.conn.scalar(select(users.c.deleted_at).where(users.c.id == user_id))
                if not taken.rowcount or gone is not None:  # called off, or erased by an administrator
                    continue
                await user_service.delete_account(tx, user_id)
                erased += 1
        except ApiError as exc:  # the account came to own a guild (an administrator's transfer)
            log.warning("cannot erase account %s yet: %s", user_id, exc)
            async with ctx.db.begin() as conn:
                await conn.execute(
                    update(account_deletions)
                    .where(account_deletions.c.user_id == user_id)
                    .values(erase_at=iso(utcnow() + OWNER_RETRY))
                )
            continue
        ctx.tokens.forget(user_id)
    return erased


async def _sweep_forever(ctx: Context) -> None:
    # One process at a time erases accounts; another takes over if it dies.
    await run_when_leader(ctx, "account-deletion", lambda: erase_due(ctx), SWEEP_SECONDS)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(_sweep_forever(ctx), name="account-deletion")]
