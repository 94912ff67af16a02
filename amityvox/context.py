"""What every service call needs: settings, the database, the bus, and shared in-memory limiters."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from amityvox.bus.base import Bus, Envelope
from amityvox.config import Settings
from amityvox.db.engine import Database
from amityvox.guild_memo import GuildMemo
from amityvox.media.storage import Storage, from_settings
from amityvox.ratelimit import SlidingWindow
from amityvox.token_cache import TokenCache
from amityvox.uow import UnitOfWork, envelope


@dataclass
class Context:
    settings: Settings
    db: Database
    bus: Bus
    validate_events: bool = False
    limiters: dict[str, SlidingWindow] = field(default_factory=dict)
    tokens: TokenCache = field(default_factory=TokenCache)  # REST's token lookups (token_cache.py)
    memo: GuildMemo = field(default_factory=GuildMemo)  # guild configuration reactions read (guild_memo.py)
    # How many of these users others see online: the gateway's presence, set by the app when
    # this process runs a gateway (presence lives there); None in an api-only process.
    online_among: Callable[[Collection[str]], int] | None = None

    @cached_property
    def storage(self) -> Storage:
        """Where uploaded files live (made on first use)."""
        return from_settings(self.settings)

    async def close_storage(self) -> None:
        if "storage" in self.__dict__:
            await self.storage.close()

    def uow(self) -> UnitOfWork:
        # Revocations and configuration changes reach this process's caches before the request
        # that made them answers.
        return UnitOfWork(self.db, self.bus, validate=self.validate_events, committed=self._committed)

    def _committed(self, events: Sequence[Envelope]) -> None:
        self.tokens.observe(events)
        self.memo.observe(events)

    async def publish(self, name: str, data: dict[str, Any]) -> None:
        """Publish an event that changes no table (presence, typing): no transaction to wait for."""
        await self.bus.publish([envelope(name, data, validate=self.validate_events)])

    def limiter(self, name: str, limit: int, window: float) -> SlidingWindow:
        found = self.limiters.get(name)
        if found is None:
            found = self.limiters[name] = SlidingWindow(limit, window)
        return found
