"""Process-local memory that committed events make stale, and the one way it learns of them.

A memory (the REST token cache, the per-guild configuration memo) names in `FORGET_ON` each
event that changes what it holds, with the payload field naming the key the change is about,
and drops that key in `forget`. This process's units of work call `observe` at commit, before
the request that made the change answers (context.py); `follow` observes what other processes
commit, from the bus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from amityvox.bus.base import Bus, Envelope
from amityvox.events import catalog


class ForgetsOnEvents:
    FORGET_ON: ClassVar[Mapping[str, str]]  # event name → the payload field naming the key to drop

    def forget(self, key: str) -> None:
        raise NotImplementedError

    def observe(self, events: Sequence[Envelope]) -> None:
        for env in events:
            field = self.FORGET_ON.get(env.name)
            key = env.data.get(field) if field is not None else None
            if key:
                self.forget(str(key))

    async def follow(self, bus: Bus) -> None:
        async def observe_one(env: Envelope) -> None:
            self.observe([env])

        for name in self.FORGET_ON:
            await bus.subscribe(catalog.get(name).subject, observe_one)
