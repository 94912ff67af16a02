"""Fixed-size sliding windows in memory: cheap, per key, for logins, typing and frames; and the
REST rate limits built on them (`RateLimit`)."""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson


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


# ---- REST rate limits --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One request counted in a bucket: `wait` 0 when allowed, else the seconds until it would be."""

    wait: float
    remaining: int
    reset_after: float  # seconds until the bucket is full again


def take(window: SlidingWindow, key: str, now: float | None = None) -> Hit:
    """Count a hit of `key` in `window` if it fits, with what is left afterwards."""
    now = time.monotonic() if now is None else now
    wait = window.hit(key, now)
    hits = window._hits[key]
    reset_after = max(hits[-1] + window.window - now, 0.0) if hits else 0.0
    return Hit(wait, max(window.limit - len(hits), 0), reset_after)


@dataclass(frozen=True, slots=True)
class Bucket:
    """A per-route limit: `limit` requests per `window` seconds per caller, and per the path's
    `scope` group (e.g. the channel) when the pattern has one."""

    name: str
    method: str
    path: re.Pattern[str]
    limit: int
    window: float


def _route(name: str, method: str, path: str, limit: int, window: float) -> Bucket:
    pattern = "/api/v1" + path.replace("{scope}", "(?P<scope>[^/]+)").replace("{id}", "[^/]+")
    return Bucket(name, method, re.compile(pattern + r"/?\Z"), limit, window)


# Every per-route bucket, in one place (Discord's model: message creation is 5 per 5 s per channel
# per user). The `rate_limit_route_scale` setting multiplies every limit.
BUCKETS: tuple[Bucket, ...] = (
    _route("message-create", "POST", "/channels/{scope}/messages", 5, 5.0),
    _route("message-edit", "PATCH", "/channels/{scope}/messages/{id}", 5, 5.0),
    _route("message-delete", "DELETE", "/channels/{scope}/messages/{id}", 5, 1.0),
    _route("reaction", "PUT", "/channels/{scope}/messages/{id}/reactions/{id}", 4, 1.0),
    _route("typing", "POST", "/channels/{scope}/typing", 5, 5.0),
    _route("upload", "POST", "/channels/{id}/attachments", 10, 10.0),
    _route("upload", "POST", "/files/upload", 10, 10.0),
    _route("guild-create", "POST", "/guilds", 10, 3600.0),
    _route("invite-use", "POST", "/invites/{id}", 10, 60.0),
    _route("dm-open", "POST", "/users/{id}/dm", 10, 60.0),
    _route("friend-request", "PUT", "/users/{id}/friend", 10, 60.0),
    # Each answer stores a challenge for five minutes, and anyone may ask without a token.
    _route("passkey-challenge", "POST", "/auth/passkey/options", 20, 60.0),
    # Joining a mesh of 6 sends about 5 x (offer + a few ICE candidates); renegotiation adds a few.
    _route("voice-signal", "POST", "/voice/{scope}/signal", 120, 10.0),
)
GLOBAL = "global"
GLOBAL_WINDOW = 1.0


def bucket_for(method: str, path: str) -> tuple[Bucket, str] | None:
    """The route bucket of a request and the scope within it ("" when the bucket has none)."""
    for bucket in BUCKETS:
        if bucket.method == method:
            found = bucket.path.match(path)
            if found is not None:
                return bucket, found.groupdict().get("scope") or ""
    return None


def caller_key(scope: dict[str, Any]) -> str:
    """Whom a request counts against: its token, or its client address without one. Hashed, so
    no token is kept in memory or sent to NATS as it is."""
    token = b""
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            token = value.partition(b" ")[2].strip()
            break
    if token:
        raw = b"t:" + token
    else:
        client = scope.get("client")
        raw = b"a:" + (client[0] if client else "unknown").encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


class Limiter(Protocol):
    async def hit(self, name: str, key: str, limit: int, window: float) -> Hit: ...


class RateLimit:
    """ASGI middleware for /api/: a budget per caller (the instance's `rate_limit_per_second`), then the route's
    bucket (`BUCKETS`). The counts live on the bus (`Bus.hit`): in memory in one process, in a
    JetStream stream when API processes share NATS, so a limit holds across them. A refusal is
    429 `rate_limited` with `retry_after` and `Retry-After`; responses of routes with a bucket
    carry X-RateLimit-Limit, -Remaining, -Reset-After and -Bucket."""

    def __init__(self, app: Any, per_second: Callable[[Any], Awaitable[int]], route_scale: int) -> None:
        self.app = app
        self.per_second = per_second  # of the request's Context: administrators change it at runtime
        self.route_scale = route_scale

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        ctx = scope["state"]["ctx"]
        limiter: Limiter = ctx.bus
        key = caller_key(scope)
        per_second = await self.per_second(ctx)
        if per_second:
            hit = await limiter.hit(GLOBAL, key, per_second, GLOBAL_WINDOW)
            if hit.wait:
                await _refuse(send, GLOBAL, per_second, hit, globally=True)
                return
        route = bucket_for(scope["method"], scope["path"]) if self.route_scale else None
        if route is None:
            await self.app(scope, receive, send)
            return
        bucket, within = route
        limit = bucket.limit * self.route_scale
        hit = await limiter.hit(bucket.name, f"{key}:{within}", limit, bucket.window)
        if hit.wait:
            await _refuse(send, bucket.name, limit, hit, globally=False)
            return
        headers = _headers(bucket.name, limit, hit)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _headers(bucket: str, limit: int, hit: Hit) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-ratelimit-limit", str(limit).encode()),
        (b"x-ratelimit-remaining", str(hit.remaining).encode()),
        (b"x-ratelimit-reset-after", f"{hit.reset_after:.3f}".encode()),
        (b"x-ratelimit-bucket", bucket.encode()),
    ]


async def _refuse(send: Any, bucket: str, limit: int, hit: Hit, *, globally: bool) -> None:
    retry_after = round(max(hit.wait, 0.001), 3)
    message = "you are sending too many requests" if globally else "you are doing that too often"
    error = {"code": "rate_limited", "message": message, "retry_after": retry_after, "global": globally}
    body = orjson.dumps({"error": error})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(math.ceil(retry_after)).encode()),
        *_headers(bucket, limit, Hit(hit.wait, 0, max(hit.reset_after, retry_after))),
    ]
    if globally:
        headers.append((b"x-ratelimit-global", b"true"))
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
