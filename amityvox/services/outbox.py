"""The transactional outbox: events are stored in the transaction that causes them.

`UnitOfWork` writes its events into `event_outbox` (`bus/outbox.py`) before it commits, publishes them right
after the commit and deletes the rows. Rows that outlive `GRACE_SECONDS` belong to a process
that died (or lost the bus) between commit and publish: the relay, run by one API process at
a time, publishes them in commit order with their original id and timestamp, so NATS drops
any copy it already has (`Nats-Msg-Id`, 120 s window).

On the in-process bus the rows stay instead: they are the journal (`bus.outbox.Journal`) its background
workers replay after a restart, trimmed once every worker's cursor has passed them
(`bus/memory.py`). No relay runs then.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from amityvox.bus import outbox as rows
from amityvox.ids import iso, utcnow
from amityvox.services.leases import run_when_leader

if TYPE_CHECKING:
    from amityvox.context import Context

RELAY_SECONDS = 1.0
GRACE_SECONDS = 5.0  # far above a healthy publish, so the relay never races the fast path


async def relay(ctx: Context, grace: float | None = None) -> int:
    """Publish, oldest first, every outbox row older than `grace` seconds, then delete them;
    returns how many were published."""
    cutoff = iso(utcnow() - timedelta(seconds=GRACE_SECONDS if grace is None else grace))
    published = 0
    while True:
        found = await rows.stale(ctx.db, cutoff)
        if not found:
            return published
        await ctx.bus.publish([env for _, env in found])
        async with ctx.db.begin() as conn:
            await rows.remove(conn, [position for position, _ in found])
        published += len(found)
        if len(found) < rows.BATCH:
            return published


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    if ctx.bus.replays:  # the rows are the bus's journal: nothing to relay
        return []
    loop = run_when_leader(ctx, "outbox-relay", lambda: relay(ctx), RELAY_SECONDS)
    return [asyncio.create_task(loop, name="outbox-relay")]
