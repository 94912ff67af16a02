"""The transactional outbox's table: events stored in the transaction that causes them.

`UnitOfWork` (`uow.py`) writes its events here before it commits and deletes the rows once
published; `services/outbox.py` relays rows a process left behind. On the in-process bus the
rows stay: they are the journal its background workers replay after a restart (`Journal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.bus.base import Envelope
from amityvox.db.engine import Database
from amityvox.db.schema import event_outbox, worker_cursors
from amityvox.db.upserts import upsert
from amityvox.ids import now_iso, parse_iso, utcnow

BATCH = 500


_WRITE = insert(event_outbox).returning(event_outbox.c.position, sort_by_parameter_order=True)


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
    return list((await conn.execute(_WRITE, rows)).scalars())


async def remove(conn: AsyncConnection, positions: Sequence[int]) -> None:
    """Delete published rows."""
    await conn.execute(delete(event_outbox).where(event_outbox.c.position.in_(positions)))


def _envelope(r: Any) -> Envelope:
    return Envelope(name=r["name"], subject=r["subject"], data=orjson.loads(r["payload"]), id=r["id"], ts=r["ts"])


async def stale(db: Database, cutoff: str) -> list[tuple[int, Envelope]]:
    q = select(event_outbox).where(event_outbox.c.created_at <= cutoff).order_by(event_outbox.c.position).limit(BATCH)
    async with db.read() as conn:
        rows = (await conn.execute(q)).mappings().all()
    return [(r["position"], _envelope(r)) for r in rows]


class Journal:
    """The outbox read back by the in-process bus (`bus.memory.Journal`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def last(self) -> int:
        async with self.db.read() as conn:
            return int(await conn.scalar(select(func.max(event_outbox.c.position))) or 0)

    async def read(self, after: int, limit: int) -> list[tuple[int, Envelope]]:
        q = select(event_outbox).where(event_outbox.c.position > after).order_by(event_outbox.c.position).limit(limit)
        async with self.db.read() as conn:
            return [(r["position"], _envelope(r)) for r in (await conn.execute(q)).mappings()]

    async def heads(self, after: int, limit: int) -> list[tuple[int, str, float]]:
        cols = event_outbox.c.position, event_outbox.c.subject, event_outbox.c.created_at
        q = select(*cols).where(event_outbox.c.position > after).order_by(event_outbox.c.position).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        now = utcnow()
        return [(r.position, r.subject, (now - parse_iso(r.created_at)).total_seconds()) for r in rows]

    async def cursors(self, names: Iterable[str] | None = None) -> dict[str, int]:
        q = select(worker_cursors.c.name, worker_cursors.c.position)
        if names is not None:
            q = q.where(worker_cursors.c.name.in_(list(names)))
        async with self.db.read() as conn:
            return {r.name: int(r.position) for r in await conn.execute(q)}

    async def save(self, cursors: dict[str, int], trim_below: int | None) -> None:
        now = now_iso()
        async with self.db.begin() as conn:
            for name, position in cursors.items():
                values = {"name": name, "position": position, "updated_at": now}
                await upsert(conn, worker_cursors, ["name"], values, ["position", "updated_at"])
            if trim_below is not None:
                await conn.execute(delete(event_outbox).where(event_outbox.c.position < trim_below))
