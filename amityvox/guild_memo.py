"""Guild configuration that background reactions read for every event, remembered per process.

Every message a guild posts asks "which automod rules?" and "which event webhooks?"; almost
always the answer is the same as a moment ago, and mostly it is "none". `GuildMemo.get` keeps
each answer for TTL_S at most.

Every change to that configuration writes an audit log entry in the change's own transaction
(services/audit_log.py), so GUILD_AUDIT_LOG_ENTRY_CREATE is the one signal needed: it drops the
guild's entries at commit in the process that made the change (before its request answers), and
from the bus in every other, where TTL_S bounds how late it may arrive. A load that overlapped
a change is used once but not kept, so an answer read before a change never outlives it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from amityvox.forgetting import ForgetsOnEvents

TTL_S = 5.0
MAX_ENTRIES = 20_000

T = TypeVar("T")


class GuildMemo(ForgetsOnEvents):
    FORGET_ON = {"GUILD_AUDIT_LOG_ENTRY_CREATE": "guild_id", "GUILD_DELETE": "id"}

    def __init__(self, ttl: float = TTL_S, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[tuple[str, str], tuple[float, Any]] = {}  # (what, guild) → (read at, answer)
        self._changes: dict[str, int] = {}  # guild → changes seen, to tell a load that overlapped one
        self._epoch = 0  # moves when `_changes` is emptied, which counts as a change everywhere

    async def get(self, what: str, guild_id: str, load: Callable[[], Awaitable[T]]) -> T:
        """`what` of the guild: remembered, or `load()`ed now."""
        key = (what, guild_id)
        now = self.clock()
        found = self._entries.get(key)
        if found is not None and now - found[0] <= self.ttl:
            answer: T = found[1]
            return answer
        changes = self._changed(guild_id)
        answer = await load()
        if self._changed(guild_id) == changes:
            self._entries.pop(key, None)
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]  # the oldest
            self._entries[key] = (now, answer)
        return answer

    def _changed(self, guild_id: str) -> tuple[int, int]:
        return self._epoch, self._changes.get(guild_id, 0)

    def forget(self, guild_id: str) -> None:
        self._changes[guild_id] = self._changes.get(guild_id, 0) + 1
        if len(self._changes) > self.max_entries:
            self._epoch += 1
            self._changes.clear()
            self._entries.clear()
        for key in [k for k in self._entries if k[1] == guild_id]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
