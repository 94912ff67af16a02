"""The embedded bus: in-process fan-out with NATS-style wildcards, one ordered queue per subscriber."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from amityvox.bus.base import Envelope, Follower, Handler, subject_matches
from amityvox.ratelimit import SlidingWindow

log = logging.getLogger("amityvox.bus")


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


class MemoryBus:
    """Every subscriber sees every matching event in publish order; publishers never wait on them."""

    def __init__(self, *, outbox: bool = False) -> None:
        self._subs: list[_MemorySubscription] = []
        self.published = 0
        # In one process a crash takes every subscriber with it, so the outbox buys nothing
        # there; tests that model several processes on one database turn it on.
        self.outbox = outbox
        self._claims: dict[str, SlidingWindow] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        for sub in list(self._subs):
            await sub.unsubscribe()

    async def publish(self, events: Sequence[Envelope]) -> None:
        for env in events:
            self.published += 1
            for sub in self._subs:
                if subject_matches(sub.pattern, env.subject):  # positions count every event
                    sub.queue.put_nowait((self.published, env))

    async def subscribe(self, pattern: str, handler: Handler, *, queue: str | None = None) -> _MemorySubscription:
        # One process: a queue group of one member is the same as a plain subscription.
        subject_matches(pattern, "amityvox.x")  # validate the pattern now, not on first publish
        async def plain(position: int, env: Envelope) -> None:
            await handler(env)

        sub = _MemorySubscription(self, pattern, plain)
        self._subs.append(sub)
        return sub

    async def follow(self, handler: Follower) -> _MemorySubscription:
        follower = _MemorySubscription(self, ">", handler)
        self._subs.append(follower)
        return follower

    async def claim(self, name: str, key: str, ttl: float) -> bool:
        window = self._claims.get(name)
        if window is None or window.window != ttl:
            window = self._claims[name] = SlidingWindow(1, ttl)
        return window.hit(key) == 0

    async def flush(self) -> None:
        """Wait until every subscriber has handled everything published so far, including
        what the subscribers themselves published meanwhile."""
        while True:
            seen = self.published
            for sub in list(self._subs):
                await sub.queue.join()
            if self.published == seen:
                return

    async def health(self) -> dict[str, Any]:
        return {"kind": "memory", "ok": True, "subscriptions": len(self._subs), "published": self.published}
