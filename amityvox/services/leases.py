"""Leases: one process at a time runs each periodic timer, and another takes over when it dies.

A lease is a row `(name, holder, expires_at)`. Taking it is one conditional upsert, so it
works the same on SQLite and PostgreSQL: the row is written when it is missing, already
ours, or expired, and left alone otherwise. The holder renews it on every tick; a process
that stops renewing (crashed, frozen, cut off from the database) loses it after `ttl`.
Expiry is judged by the clocks of the processes, which must agree to well within a TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_
from sqlalchemy.dialects import postgresql, sqlite

from amityvox.db.schema import leases
from amityvox.ids import iso, utcnow

if TYPE_CHECKING:
    from amityvox.context import Context

log = logging.getLogger("amityvox.leases")

# One id per process, readable in the table; the random part tells restarts (and pid 1 in
# every container) apart.
HOLDER = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
MIN_TTL_SECONDS = 10.0  # failover time for fast timers; slower ones get three intervals
RELEASE_TIMEOUT_SECONDS = 2.0


def default_ttl(interval: float) -> float:
    """Long enough that a holder on time never loses its lease between two ticks."""
    return max(interval * 3, MIN_TTL_SECONDS)


def _claim(dialect_name: str, name: str, holder: str, ttl: float) -> Any:
    now = utcnow()
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(leases).values(name=name, holder=holder, expires_at=iso(now + timedelta(seconds=ttl)))
    return stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
        where=or_(leases.c.holder == holder, leases.c.expires_at <= iso(now)),
    )


async def try_acquire(ctx: Context, name: str, holder: str, ttl: float) -> bool:
    """Take or renew lease `name` for `ttl` seconds; False while another holder's lease runs."""
    async with ctx.db.begin() as conn:
        result = await conn.execute(_claim(conn.dialect.name, name, holder, ttl))
        return bool(result.rowcount)


async def release(ctx: Context, name: str, holder: str) -> None:
    """Give lease `name` up, if `holder` has it, so another process takes over at its next tick."""
    async with ctx.db.begin() as conn:
        await conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))


async def run_when_leader(
    ctx: Context,
    name: str,
    tick: Callable[[], Awaitable[object]],
    interval: float,
    *,
    ttl: float | None = None,
    holder: str = HOLDER,
) -> None:
    """Every `interval` seconds renew lease `name` and, while holding it, run `tick`; forever.

    A failing tick or lease write is logged and retried at the next interval. Cancelling
    releases the lease, so a clean shutdown hands the timer over at once.
    """
    ttl = default_ttl(interval) if ttl is None else ttl
    held = False
    try:
        while True:
            await asyncio.sleep(interval)
            try:
                now_held = await try_acquire(ctx, name, holder, ttl)
                if now_held != held:
                    log.info("%s %s timer %s", holder, "runs" if now_held else "no longer runs", name)
                held = now_held
                if held:
                    await tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep going; a transient database error must not end the timer
                log.exception("timer %s failed", name)
    finally:
        if held:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(release(ctx, name, holder), RELEASE_TIMEOUT_SECONDS)
