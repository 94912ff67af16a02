"""The transactional outbox: events are stored in the transaction that causes them.

`UnitOfWork` writes its events into `event_outbox` before it commits, publishes them right
after the commit and deletes the rows. Rows that outlive `GRACE_SECONDS` belong to a process
that died (or lost the bus) between commit and publish: the relay, run by one API process at
a time, publishes them in commit order with their original id and timestamp, so NATS drops
any copy it already has (`Nats-Msg-Id`, 120 s window).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.bus.base import Envelope
from amityvox.db.engine import Database
from amityvox.db.schema import event_outbox
from amityvox.ids import iso, now_iso, utcnow
from amityvox.services.leases import run_when_leader

if TYPE_CHECKING:
    from amityvox.context import Context

RELAY_SECONDS = 1.0
GRACE_SECONDS = 5.0  # far above a healthy publish, so the relay never races the fast path
BATCH = 500


async def write(conn: AsyncConnection, events: Sequence[Envelope]) -> list[int]:
    """Store `events` in the open transaction (one statement); returns their positions."""
    created_at = now_iso()
    rows = [
        {
            "id": env.id,
            "name": env.name,
            "subject": env.subject,
            "payload": orjson.dumps(env.data).decode(),
            "ts": env.ts,
            "created_at": created_at,
        }
        for env in events
    ]
    stmt = insert(event_outbox).returning(event_outbox.c.position, sort_by_parameter_order=True)
    return list((await conn.execute(stmt, rows)).scalars())


async def remove(conn: AsyncConnection, positions: Sequence[int]) -> None:
    """Delete published rows."""
    await conn.execute(delete(event_outbox).where(event_outbox.c.position.in_(positions)))


async def _stale(db: Database, cutoff: str) -> list[tuple[int, Envelope]]:
    q = select(event_outbox).where(event_outbox.c.created_at <= cutoff).order_by(event_outbox.c.position).limit(BATCH)
    async with db.connect() as conn:
        rows = (await conn.execute(q)).mappings().all()
    return [
        (
            r["position"],
            Envelope(name=r["name"], subject=r["subject"], data=orjson.loads(r["payload"]), id=r["id"], ts=r["ts"]),
        )
        for r in rows
    ]


async def relay(ctx: Context, grace: float | None = None) -> int:
    """Publish, oldest first, every outbox row older than `grace` seconds, then delete them;
    returns how many were published."""
    cutoff = iso(utcnow() - timedelta(seconds=GRACE_SECONDS if grace is None else grace))
    published = 0
    while True:
        found = await _stale(ctx.db, cutoff)
        if not found:
            return published
        await ctx.bus.publish([env for _, env in found])
        async with ctx.db.begin() as conn:
            await remove(conn, [position for position, _ in found])
        published += len(found)
        if len(found) < BATCH:
            return published


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    loop = run_when_leader(ctx, "outbox-relay", lambda: relay(ctx), RELAY_SECONDS)
    return [asyncio.create_task(loop, name="outbox-relay")]
