"""The embedded bus: in-process fan-out with NATS-style wildcards, one ordered queue per subscriber.

Work queues (`subscribe(..., queue=...)`, the background workers) are durable when the bus has
a journal (the outbox table, `bus/outbox.py`): the events of every committed transaction
stay there, each worker's cursor (the journal position below which it handled everything) is
saved every `CHECKPOINT_S`, and a restarted process replays what lies after the cursors before
following live events. So a crash between a commit and a worker's reaction loses nothing; an
event may be handled a second time after a crash, so the workers are idempotent, as they must
be on NATS too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from amityvox.bus.base import Envelope, Follower, Handler, subject_matches
from amityvox.ratelimit import Hit, SlidingWindow, take

log = logging.getLogger("amityvox.bus")

CHECKPOINT_S = 1.0  # how often the workers' cursors are saved (only when they moved)
# An event younger than this may still have an uncommitted neighbour with a lower position
# (PostgreSQL allocates positions before commit): cursors do not pass it yet.
SETTLE_S = 5.0
REPLAY_BATCH = 500


class Journal(Protocol):
    """Committed events in position order, and the workers' cursors into them."""

    async def last(self) -> int:
        """The highest position stored, 0 when there is none."""
        ...

    async def read(self, after: int, limit: int) -> list[tuple[int, Envelope]]:
        """Up to `limit` events after position `after`, in order."""
        ...

    async def heads(self, after: int, limit: int) -> list[tuple[int, str, float]]:
        """(position, subject, age in seconds) of up to `limit` events after `after`, in order."""
        ...

    async def cursors(self, names: Iterable[str] | None = None) -> dict[str, int]:
        """The saved cursors of the work queues `names` (of every one when None)."""
        ...

    async def save(self, cursors: dict[str, int], trim_below: int | None) -> None:
        """Store the cursors and drop the events below `trim_below` (every worker passed them)."""
        ...


class _MemorySubscription:
    """One subscriber's ordered queue of (position, event), handled by its own task; a plain
    subscription is a follower that ignores the position."""

    def __init__(self, bus: MemoryBus, pattern: str, handler: Follower) -> None:
        self.bus = bus
        self.pattern = pattern
        self.handler = handler
        self.after = bus.published
        self.queue: asyncio.Queue[tuple[int, Envelope]] = asyncio.Queue()
        self.task = asyncio.create_task(self._run(), name=f"bus-sub:{pattern}")

    async def _run(self) -> None:
        while True:
            position, env = await self.queue.get()
            try:
                await self.handler(position, env)
            except Exception:
                # A failing subscriber must not stop delivery of later events to it.
                log.exception("bus subscriber %s failed on %s", self.pattern, env.name)
            finally:
                self.queue.task_done()

    async def unsubscribe(self) -> None:
        if self in self.bus._subs:
            self.bus._subs.remove(self)
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


class _WorkQueue:
    """The members of one work queue on one pattern: they share a queue of (journal position or
    None, event), each event goes to one member. `cursor`: every journal position up to it was
    handled here or is not on the pattern; `done` holds the handled positions above it."""

    def __init__(self, bus: MemoryBus, name: str, pattern: str, cursor: int, *, held: bool) -> None:
        self.bus = bus
        self.name = name
        self.pattern = pattern
        self.cursor = self.saved = cursor
        self.held = held  # takes events without handling them: they stay after the cursor
        self.taken: set[int] = set()
        self.done: set[int] = set()
        self.queue: asyncio.Queue[tuple[int | None, Envelope]] = asyncio.Queue()
        self.members: list[_Member] = []

    async def handle(self, handler: Handler) -> None:
        while True:
            position, env = await self.queue.get()
            try:
                if self.held or (position is not None and (position <= self.cursor or position in self.taken)):
                    continue  # a replayed event also published live, or one handled before a restart
                if position is not None:
                    self.taken.add(position)
                try:
                    await handler(env)
                except Exception:  # logged and passed, as on NATS: a poison event must not block the rest
                    log.exception("bus worker %s failed on %s", self.name, env.name)
                if position is not None:
                    self.done.add(position)
            finally:
                self.queue.task_done()

    def advance(self, heads: Sequence[tuple[int, str, float]], settle: float) -> None:
        """Move the cursor over the handled (or foreign) events that follow it."""
        for position, subject, age in heads:
            if position <= self.cursor:
                continue
            if age < settle or (position not in self.done and subject_matches(self.pattern, subject)):
                break
            self.cursor = position
        self.done = {p for p in self.done if p > self.cursor}
        self.taken = {p for p in self.taken if p > self.cursor}


class _Member:
    def __init__(self, group: _WorkQueue, handler: Handler) -> None:
        self.group = group
        self.task = asyncio.create_task(group.handle(handler), name=f"bus-worker:{group.name}")

    async def unsubscribe(self) -> None:
        group = self.group
        if self in group.members:
            group.members.remove(self)
        if not group.members:
            group.bus._groups.pop(group.name, None)
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def durable_name(queue: str, pattern: str) -> str:
    return f"{queue}:{pattern}"


class MemoryBus:
    """Every subscriber sees every matching event in publish order; publishers never wait on them."""

    def __init__(self, *, outbox: bool = False, journal: Journal | None = None, hold: Iterable[str] = ()) -> None:
        self._subs: list[_MemorySubscription] = []
        self._groups: dict[str, _WorkQueue] = {}
        self.published = 0
        # In one process a crash takes every live subscriber with it; what the workers must not
        # lose is kept by the journal. Tests that model several processes on one database turn
        # the plain outbox on.
        self.journal = journal
        self.outbox = outbox or journal is not None
        self.replays = journal is not None  # the outbox rows stay: the workers replay them
        self.hold = frozenset(hold)  # work queues that take no events in this process
        self._claims: dict[str, SlidingWindow] = {}
        self._checkpointer: asyncio.Task[None] | None = None
        # A process opens hundreds of work queues at start (one per event a reaction follows):
        # the saved cursors are read once until the next checkpoint, and `_head` (the journal's
        # end then, raised by every stored event published here) tells a queue whose cursor is
        # already there that it has nothing to replay, without asking.
        self._cursors: dict[str, int] | None = None
        self._head = 0

    async def start(self) -> None:
        if self.journal is not None and self._checkpointer is None:
            self._checkpointer = asyncio.create_task(self._checkpoint_forever(), name="bus-checkpoint")

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            await asyncio.gather(self._checkpointer, return_exceptions=True)
            self._checkpointer = None
        for sub in list(self._subs):
            await sub.unsubscribe()
        for group in list(self._groups.values()):
            for member in list(group.members):
                await member.unsubscribe()

    async def publish(self, events: Sequence[Envelope], positions: Sequence[int] = ()) -> None:
        if positions:
            self._head = max(self._head, *positions)
        for i, env in enumerate(events):
            self.published += 1
            stored = positions[i] if i < len(positions) else None
            for sub in self._subs:
                if subject_matches(sub.pattern, env.subject):  # positions count every event
                    sub.queue.put_nowait((self.published, env))
            for group in self._groups.values():
                if subject_matches(group.pattern, env.subject):
                    group.queue.put_nowait((stored, env))

    async def subscribe(
        self, pattern: str, handler: Handler, *, queue: str | None = None
    ) -> _MemorySubscription | _Member:
        subject_matches(pattern, "amityvox.x")  # validate the pattern now, not on first publish
        if queue is not None:
            return await self._join(queue, pattern, handler)

        async def plain(position: int, env: Envelope) -> None:
            await handler(env)

        sub = _MemorySubscription(self, pattern, plain)
        self._subs.append(sub)
        return sub

    async def _join(self, queue: str, pattern: str, handler: Handler) -> _Member:
        name = durable_name(queue, pattern)
        group = self._groups.get(name)
        if group is None:
            group = await self._open(name, pattern, held=queue in self.hold)
        member = _Member(group, handler)
        group.members.append(member)
        return member

    async def _open(self, name: str, pattern: str, *, held: bool) -> _WorkQueue:
        """A new work queue: it follows live events at once, then replays from the journal what
        lies after its saved cursor (a first start begins at the end of the journal)."""
        if self.journal is None:
            group = self._groups[name] = _WorkQueue(self, name, pattern, 0, held=held)
            return group
        cursors = self._cursors
        if cursors is None:
            cursors = self._cursors = await self.journal.cursors()
            self._head = max(self._head, await self.journal.last())
        saved = cursors.get(name)
        start = self._head if saved is None else saved
        group = self._groups[name] = _WorkQueue(self, name, pattern, start, held=held)
        if saved is None:
            await self.journal.save({name: start}, None)
            cursors[name] = start
        if start >= self._head:
            return group
        after = start
        while True:
            batch = await self.journal.read(after, REPLAY_BATCH)
            for position, env in batch:
                if subject_matches(pattern, env.subject):
                    group.queue.put_nowait((position, env))
            if len(batch) < REPLAY_BATCH:
                return group
            after = batch[-1][0]

    async def follow(self, handler: Follower) -> _MemorySubscription:
        follower = _MemorySubscription(self, ">", handler)
        self._subs.append(follower)
        return follower

    async def checkpoint(self, settle: float = SETTLE_S) -> None:
        """Save the cursors that moved and drop the journal's events every worker has passed."""
        self._cursors = None  # what was read for the queues opened at start: later ones read afresh
        journal = self.journal
        groups = list(self._groups.values())
        if journal is None or not groups:
            return
        start = min(g.cursor for g in groups)
        while True:
            heads = await journal.heads(start, REPLAY_BATCH * 10)
            for group in groups:
                group.advance(heads, settle)
            if len(heads) < REPLAY_BATCH * 10 or min(g.cursor for g in groups) <= start:
                break
            start = min(g.cursor for g in groups)
        moved = {g.name: g.cursor for g in groups if g.cursor != g.saved}
        if not moved:
            return
        # The newest row always stays: SQLite would otherwise hand out its position again.
        trim_below = min(min(g.cursor for g in groups), await journal.last())
        await journal.save(moved, trim_below)
        for group in groups:
            group.saved = group.cursor

    async def _checkpoint_forever(self) -> None:
        while True:
            await asyncio.sleep(CHECKPOINT_S)
            try:
                await self.checkpoint()
            except Exception:  # the next round tries again; until then a restart replays more
                log.exception("saving the workers' cursors failed")

    async def claim(self, name: str, key: str, ttl: float) -> bool:
        window = self._claims.get(name)
        if window is None or window.window != ttl:
            window = self._claims[name] = SlidingWindow(1, ttl)
        return window.hit(key) == 0

    async def hit(self, name: str, key: str, limit: int, window: float) -> Hit:
        found = self._claims.get(f"hit:{name}")
        if found is None or found.limit != limit or found.window != window:
            found = self._claims[f"hit:{name}"] = SlidingWindow(limit, window)
        return take(found, key)

    def history(self) -> None:
        """Not kept: one process, so no other gateway ever rebuilds a session from it."""
        return None

    def shared(self) -> None:
        """Not supported: one process, nothing to share."""
        return None

    async def flush(self) -> None:
        """Wait until every subscriber has handled everything published so far, including
        what the subscribers themselves published meanwhile."""
        while True:
            seen = self.published
            for sub in list(self._subs):
                await sub.queue.join()
            for group in list(self._groups.values()):
                await group.queue.join()
            if self.published == seen:
                return

    async def health(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "memory",
            "ok": True,
            "subscriptions": len(self._subs),
            "published": self.published,
        }
        if self._groups:
            out["workers"] = {g.name: {"cursor": g.cursor, "queued": g.queue.qsize()} for g in self._groups.values()}
        return out
