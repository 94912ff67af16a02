"""Token lookups remembered briefly, so a REST request does not cost a database read to authenticate.

An entry lives `TTL_S` seconds at most. SESSIONS_REVOKE (logout, a revoked session, a password
change, a deleted account, a bot's new token) and USER_UPDATE drop the user's entries in every
process that serves the API as the event arrives, the same event that closes the user's gateway
sessions; the TTL bounds what no event announces (the instance-admin flag set from the command
line). The gateway does not use the cache: it authenticates once per connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amityvox.forgetting import ForgetsOnEvents

TTL_S = 10.0
MAX_ENTRIES = 10_000


@dataclass(slots=True)
class Entry:
    row: Any  # the user row with `token_expires_at`, `session_id` and `last_seen_at`
    fetched: float
    last_seen: str | None  # moves on when this process records that the token was seen


class TokenCache(ForgetsOnEvents):
    FORGET_ON = {"SESSIONS_REVOKE": "user_id", "USER_UPDATE": "id"}

    def __init__(self, ttl: float = TTL_S, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[str, Entry] = {}  # by token hash, oldest first

    def get(self, token_hash: str) -> Entry | None:
        entry = self._entries.get(token_hash)
        if entry is not None and self.clock() - entry.fetched > self.ttl:
            del self._entries[token_hash]
            return None
        return entry

    def put(self, token_hash: str, row: Any) -> Entry:
        self._entries.pop(token_hash, None)
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        entry = self._entries[token_hash] = Entry(row, self.clock(), row["last_seen_at"])
        return entry

    def forget(self, user_id: str) -> None:
        """Drop every lookup of the user's tokens."""
        for token_hash in [h for h, e in self._entries.items() if e.row["id"] == user_id]:
            del self._entries[token_hash]

    def __len__(self) -> int:
        return len(self._entries)
