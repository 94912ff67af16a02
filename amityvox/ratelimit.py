"""Fixed-size sliding windows in memory: cheap, per key, for logins, typing and frames."""

from __future__ import annotations

import time
from collections import deque


class SlidingWindow:
    """At most `limit` hits per `window` seconds per key."""

    def __init__(self, limit: int, window: float, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self.max_keys:  # bounded memory under a flood of keys
                self._hits.pop(next(iter(self._hits)))
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def retry_after(self, key: str, now: float | None = None) -> float:
        """Seconds until `key` may act again; 0 when it may act now."""
        now = time.monotonic() if now is None else now
        hits = self._prune(key, now)
        if len(hits) < self.limit:
            return 0.0
        return max(hits[0] + self.window - now, 0.001)

    def hit(self, key: str, now: float | None = None) -> float:
        """Record a hit if allowed; return 0 on success or the seconds to wait."""
        now = time.monotonic() if now is None else now
        wait = self.retry_after(key, now)
        if wait == 0:
            self._hits[key].append(now)
        return wait

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)
