"""Leases: of several processes sharing a database, one runs each timer, and another takes over
when it stops renewing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from amityvox.bus import MemoryBus
from amityvox.context import Context
from amityvox.db.engine import Database
from amityvox.db.schema import leases
from amityvox.ids import utcnow
from amityvox.services import guild_events, locations, moderation, outbox, polls
from amityvox.services import leases as leases_service
from amityvox.services.leases import HOLDER, run_when_leader, try_acquire
from tests.conftest import _serve, make_settings

TICK = 0.02


async def _ctx(tmp_path: Path, database_url: str) -> Context:
    settings = make_settings(tmp_path, database_url=database_url)
    db = Database(settings.resolved_database_url)
    await db.migrate()
    return Context(settings=settings, db=db, bus=MemoryBus())


@pytest.fixture
async def pair(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Context, Context]]:
    """Two processes on one database."""
    a, b = await _ctx(tmp_path, database_url), await _ctx(tmp_path, database_url)
    yield a, b
    await a.db.close()
    await b.db.close()


class Timer:
    """A timer body that counts its runs and can freeze, like a process that hangs."""

    def __init__(self) -> None:
        self.runs = 0
        self.frozen = asyncio.Event()
        self.first_run = asyncio.Event()
        self.ticked = asyncio.Event()

    async def tick(self) -> None:
        if self.frozen.is_set():
            await asyncio.Event().wait()
        self.runs += 1
        self.first_run.set()
        self.ticked.set()

    async def ran(self, runs: int) -> None:
        """Return once the timer has run `runs` times."""
        while self.runs < runs:
            self.ticked.clear()
            await self.ticked.wait()


async def _until(condition: asyncio.Event, timeout: float) -> None:
    """Return once `condition` is set; fail after `timeout` seconds."""
    await asyncio.wait_for(condition.wait(), timeout)


async def _stop(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# Leases long enough that no stall of a loaded test machine lets one run out unplanned: where a
# test needs one to expire, it is short and the test waits past it (waiting longer is harmless).
LONG = 60.0


async def test_a_lease_has_one_holder_until_it_expires(
    pair: tuple[Context, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = pair
    assert await try_acquire(a, "sweep", "a", LONG)
    assert not await try_acquire(b, "sweep", "b", LONG)
    assert await try_acquire(a, "sweep", "a", 0.3)  # renewing (for a short while, this time)
    later = utcnow() + timedelta(seconds=0.35)
    monkeypatch.setattr(leases_service, "utcnow", lambda: later)  # the processes' clocks, past its end
    assert await try_acquire(b, "sweep", "b", LONG)
    assert not await try_acquire(a, "sweep", "a", LONG)
    assert await try_acquire(a, "other", "a", LONG)  # leases are per timer


async def test_only_one_process_runs_the_timer(pair: tuple[Context, Context]) -> None:
    timers = Timer(), Timer()
    tasks = [
        asyncio.create_task(run_when_leader(ctx, "sweep", t.tick, TICK, ttl=LONG, holder=name))
        for ctx, t, name in zip(pair, timers, ("a", "b"), strict=True)
    ]
    try:
        waits = [asyncio.create_task(t.ran(10)) for t in timers]
        done, pending = await asyncio.wait(waits, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        for w in pending:
            w.cancel()
        assert done, "neither process ran the timer"
    finally:
        await _stop(*tasks)
    # Both tried on every tick all along; the one that did not get the lease never ran.
    runs = sorted(t.runs for t in timers)
    assert runs[0] == 0 and runs[1] >= 10


async def test_another_process_takes_over_within_the_ttl(pair: tuple[Context, Context]) -> None:
    a, b = pair
    ttl = 2.0
    first, second = Timer(), Timer()
    leader = asyncio.create_task(run_when_leader(a, "sweep", first.tick, TICK, ttl=ttl, holder="a"))
    await _until(first.first_run, 5)
    follower = asyncio.create_task(run_when_leader(b, "sweep", second.tick, TICK, ttl=ttl, holder="b"))
    try:
        await asyncio.wait_for(first.ran(first.runs + 5), 30)  # the follower tries meanwhile
        assert second.runs == 0
        first.frozen.set()  # the holder hangs: it no longer renews, and never gives the lease up
        await _until(second.first_run, 30)
        # The follower holds the lease now, and keeps running the timer on its own.
        await asyncio.wait_for(second.ran(second.runs + 2), 30)
        async with b.db.read() as conn:
            assert await conn.scalar(select(leases.c.holder).where(leases.c.name == "sweep")) == "b"
    finally:
        await _stop(leader, follower)


async def test_a_clean_stop_hands_the_timer_over_at_once(pair: tuple[Context, Context]) -> None:
    a, b = pair
    first, second = Timer(), Timer()
    leader = asyncio.create_task(run_when_leader(a, "sweep", first.tick, TICK, ttl=LONG, holder="a"))
    await _until(first.first_run, 5)
    follower = asyncio.create_task(run_when_leader(b, "sweep", second.tick, TICK, ttl=LONG, holder="b"))
    try:
        await asyncio.wait_for(first.ran(first.runs + 5), 30)
        assert second.runs == 0
        await _stop(leader)
        # Without the release the follower would wait out the whole LONG lease.
        await _until(second.first_run, LONG / 3)
    finally:
        await _stop(leader, follower)


async def test_a_failing_tick_keeps_the_timer_running(pair: tuple[Context, Context]) -> None:
    a, _ = pair
    calls = 0
    done = asyncio.Event()

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        done.set()

    task = asyncio.create_task(run_when_leader(a, "sweep", flaky, TICK, holder="a"))
    try:
        await _until(done, 5)
    finally:
        await _stop(task)
    assert calls >= 2


async def test_api_timers_run_under_leases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module, name in (
        (moderation, "BAN_SWEEP_SECONDS"),
        (polls, "SWEEP_SECONDS"),
        (locations, "SWEEP_SECONDS"),
        (guild_events, "SCHEDULER_SECONDS"),
        (outbox, "RELAY_SECONDS"),
    ):
        monkeypatch.setattr(module, name, TICK)
    # No outbox relay: the in-process bus keeps the outbox as the journal its workers replay.
    expected = {"ban-expiry", "poll-expiry", "location-expiry", "guild-event-scheduler", "interaction-timeouts"}
    # The interaction sweep ticks at a quarter of the deadline: 50 ms here.
    async for server in _serve(make_settings(tmp_path, interaction_response_ms=200), role="api"):
        held: dict[str, str] = {}
        for _ in range(200):
            async with server.ctx.db.read() as conn:
                held = {r.name: r.holder for r in await conn.execute(select(leases.c.name, leases.c.holder))}
            if set(held) == expected:
                break
            await asyncio.sleep(0.02)
        assert held == dict.fromkeys(expected, HOLDER)
