"""The transactional outbox: events of a committed transaction reach the bus even when the
process could not publish them, once each and in order; rolled-back work leaves nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, select

from amityvox.bus import Envelope, MemoryBus
from amityvox.bus import outbox as outbox_rows
from amityvox.context import Context
from amityvox.db.engine import Database
from amityvox.db.schema import event_outbox, metadata, users
from amityvox.ids import new_id, now_iso
from amityvox.services import outbox
from tests.conftest import make_settings


class BrokenBus(MemoryBus):
    """A bus that accepts subscribers but refuses every publish, like a NATS that is down."""

    async def publish(self, events: Sequence[Envelope], positions: Sequence[int] = ()) -> None:
        raise ConnectionError("bus unavailable")


class Process:
    """One API process: its own database handle and bus, sharing the database with the others."""

    def __init__(self, tmp_path: Path, database_url: str, bus: MemoryBus) -> None:
        settings = make_settings(tmp_path, database_url=database_url)
        db = Database(settings.resolved_database_url)
        self.ctx = Context(settings=settings, db=db, bus=bus, validate_events=True)
        self.seen: list[Envelope] = []

    async def start(self) -> None:
        await self.ctx.db.migrate()

        async def record(env: Envelope) -> None:
            self.seen.append(env)

        await self.ctx.bus.subscribe("amityvox.>", record)

    async def received(self) -> list[Envelope]:
        await self.ctx.bus.flush()  # type: ignore[attr-defined]
        return self.seen

    async def close(self) -> None:
        await self.ctx.bus.close()
        await self.ctx.db.close()


@pytest.fixture
async def procs(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Process, Process]]:
    """`broken` commits but cannot publish; `healthy` has a working bus."""
    broken = Process(tmp_path, database_url, BrokenBus(outbox=True))
    healthy = Process(tmp_path, database_url, MemoryBus(outbox=True))
    await broken.start()
    await healthy.start()
    yield broken, healthy
    await broken.close()
    await healthy.close()


def _user_update(n: int) -> dict[str, Any]:
    return {"id": new_id(), "username": f"u{n}", "status_presence": "online", "flags": 0, "created_at": now_iso()}


async def _commit(ctx: Context, *ns: int) -> list[Envelope]:
    """One transaction emitting USER_UPDATE for each of `ns`; returns the envelopes as built."""
    async with ctx.uow() as tx:
        for n in ns:
            tx.emit("USER_UPDATE", _user_update(n))
        sent = list(tx.events)
    return sent


async def _outbox_rows(ctx: Context) -> int:
    async with ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(event_outbox)) or 0)


def _same(got: Sequence[Envelope], sent: Sequence[Envelope]) -> None:
    """The relayed events are the original ones: same id, time, name, subject and payload, same order."""
    assert [(e.id, e.ts, e.name, e.subject, e.data) for e in got] == [
        (e.id, e.ts, e.name, e.subject, e.data) for e in sent
    ]


async def test_committed_events_are_published_at_once_and_leave_no_rows(procs: tuple[Process, Process]) -> None:
    _, healthy = procs
    sent = await _commit(healthy.ctx, 1, 2) + await _commit(healthy.ctx, 3)
    _same(await healthy.received(), sent)
    assert await _outbox_rows(healthy.ctx) == 0
    assert await outbox.relay(healthy.ctx, grace=0) == 0
    assert len(await healthy.received()) == 3


async def test_rolled_back_transaction_leaves_no_outbox_rows(procs: tuple[Process, Process]) -> None:
    _, healthy = procs
    uid = new_id()
    row = {
        "id": uid,
        "username": "x1",
        "username_key": "x1",
        "status_presence": "online",
        "flags": 0,
        "is_admin": False,
        "created_at": now_iso(),
    }
    with pytest.raises(RuntimeError):
        async with healthy.ctx.uow() as tx:
            await tx.conn.execute(insert(users).values(**row))
            tx.emit("USER_UPDATE", _user_update(1))
            raise RuntimeError("boom")
    assert await _outbox_rows(healthy.ctx) == 0
    assert await outbox.relay(healthy.ctx, grace=0) == 0
    assert await healthy.received() == []


async def test_events_a_failed_publish_left_behind_are_relayed_once_in_order(procs: tuple[Process, Process]) -> None:
    broken, healthy = procs
    # The commits stand and the callers see no error, although nothing reached the bus.
    sent = await _commit(broken.ctx, 1, 2) + await _commit(broken.ctx, 3) + await _commit(broken.ctx, 4, 5)
    assert await broken.received() == []
    assert await _outbox_rows(broken.ctx) == 5

    # Within the grace period the rows may still be on their way: the relay leaves them alone.
    assert await outbox.relay(healthy.ctx, grace=60) == 0
    assert await healthy.received() == []

    assert await outbox.relay(healthy.ctx, grace=0) == 5
    _same(await healthy.received(), sent)
    assert await _outbox_rows(healthy.ctx) == 0
    assert await outbox.relay(healthy.ctx, grace=0) == 0
    assert len(await healthy.received()) == 5


async def test_relay_works_through_a_backlog_in_batches(
    procs: tuple[Process, Process], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, healthy = procs
    monkeypatch.setattr(outbox_rows, "BATCH", 2)
    sent = await _commit(broken.ctx, *range(7))
    assert await outbox.relay(healthy.ctx, grace=0) == 7
    _same(await healthy.received(), sent)
    assert await _outbox_rows(healthy.ctx) == 0


async def test_running_relay_publishes_what_a_dead_process_left(
    procs: tuple[Process, Process], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, healthy = procs
    monkeypatch.setattr(outbox, "RELAY_SECONDS", 0.02)
    monkeypatch.setattr(outbox, "GRACE_SECONDS", 0.2)
    tasks = await outbox.start(healthy.ctx)
    try:
        sent = await _commit(broken.ctx, 1) + await _commit(broken.ctx, 2, 3)
        for _ in range(300):
            if len(await healthy.received()) >= 3:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # several more relay ticks: nothing is published twice
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    _same(await healthy.received(), sent)
    assert await _outbox_rows(healthy.ctx) == 0


async def test_migration_builds_the_declared_tables(procs: tuple[Process, Process]) -> None:
    _, healthy = procs
    async with healthy.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
    assert [d for d in diffs if any(getattr(p, "name", p) in ("event_outbox", "leases") for p in _parts(d))] == []


def _parts(diff: Any) -> list[Any]:
    """The objects a diff entry names, and the tables they belong to."""
    entries = diff if isinstance(diff, list) else [diff]
    parts: list[Any] = []
    for entry in entries:
        for part in entry[1:]:
            parts.append(part)
            table = getattr(part, "table", None)
            if table is not None:
                parts.append(table)
    return parts
