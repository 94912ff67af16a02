"""The event bus contract shared by the in-process and NATS implementations."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from amityvox.ids import new_id, now_iso
from amityvox.ratelimit import Hit

if TYPE_CHECKING:
    from nats.js.kv import KeyValue


@dataclass(frozen=True, slots=True)
class Envelope:
    """One published event: catalog name, its subject, the payload `d`, and bookkeeping."""

    name: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=new_id)
    ts: str = field(default_factory=now_iso)


Handler = Callable[[Envelope], Awaitable[None]]
# A follower gets each client-visible event with its position: 1, 2, 3… in the one order every
# follower (every gateway) sees, so a position names the same point of the history everywhere.
Follower = Callable[[int, Envelope], Awaitable[None]]


class Subscription(Protocol):
    async def unsubscribe(self) -> None: ...


class Following(Subscription, Protocol):
    after: int  # the position the follower starts after: everything up to it came before


class History(Protocol):
    """The client-visible events a bus stored, read back by position (a gateway rebuilding the
    dispatches of a session another gateway owned)."""

    async def first_position(self) -> int:
        """The oldest position still held, or the next one when none is (retention drops old events)."""
        ...

    def read(self, after: int, upto: int | None = None) -> AsyncIterator[tuple[int, Envelope]]:
        """The stored events after position `after` up to `upto` (default: the last stored), in
        order; positions no longer held are skipped, so compare `first_position()` first."""
        ...


class SharedKeyValues(Protocol):
    """Key-value buckets every process on the bus shares (JetStream KV: entries carry revisions,
    writes can be conditional on them, and watchers report deletions and expiries)."""

    async def key_value(self, bucket: str, *, ttl: float, expiry_markers: bool = False) -> KeyValue:
        """The bucket, created with entries expiring after `ttl` (and, with `expiry_markers`, a
        marker a watcher sees when one expires) unless it exists: then as it is."""
        ...

    async def stored_keys(self, bucket: str, pattern: str) -> list[str]:
        """The keys matching `pattern` the bucket holds anything for (values, deletions or expiry
        markers), read from the server itself rather than from a watcher that may lag."""
        ...


class Bus(Protocol):
    outbox: bool  # whether committed events go through the transactional outbox (bus/outbox.py)
    replays: bool  # whether the outbox rows stay as the bus's own journal (in-process bus): no relay

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, events: Sequence[Envelope], positions: Sequence[int] = ()) -> None:
        """Publish in order; returns once the bus has accepted every event. `positions`: where
        the events were written in the outbox, when they were."""
        ...

    async def subscribe(self, pattern: str, handler: Handler, *, queue: str | None = None) -> Subscription:
        """Deliver matching events to `handler`. Without `queue`, every subscriber sees every
        matching event from now on (tests and tools; the gateways `follow`).

        With a `queue` name, a background worker: the subscribers sharing it split the events
        between them (one member per event, across processes), and the queue is durable: an
        event published while no member runs (a restart, a crash between the commit and the
        handling) is delivered when one is back. Delivery is at least once, so a worker must
        be idempotent: handling an event a second time changes nothing more."""
        ...

    async def follow(self, handler: Follower) -> Following:
        """Deliver every client-visible event published from now on to `handler` with its
        position, once each, in position order (the gateways)."""
        ...

    async def health(self) -> dict[str, Any]: ...

    def history(self) -> History | None:
        """The stored history of client-visible events; None when the bus keeps none to read back
        (the in-process bus: its one gateway's sessions end with the process)."""
        ...

    def shared(self) -> SharedKeyValues | None:
        """Key-value buckets shared across processes; None when the bus is one process (the
        in-process bus: presence and sessions stay in the gateway's memory)."""
        ...

    async def claim(self, name: str, key: str, ttl: float) -> bool:
        """Claim `key` in the namespace `name` for `ttl` seconds: True for the first claim,
        False while it holds — across every process on this bus (e.g. a typing throttle)."""
        ...

    async def hit(self, name: str, key: str, limit: int, window: float) -> Hit:
        """Count one hit of `key` in the namespace `name` if fewer than `limit` were counted in
        the last `window` seconds, across every process on this bus (the REST rate limits)."""
        ...


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    parts = []
    tokens = pattern.split(".")
    for i, token in enumerate(tokens):
        if token == ">":
            if i != len(tokens) - 1:
                raise ValueError(f"'>' must be the last token in {pattern!r}")
            parts.append(r"[^.]+(?:\.[^.]+)*")
        elif token == "*":
            parts.append(r"[^.]+")
        else:
            parts.append(re.escape(token))
    return re.compile(r"\.".join(parts) + r"\Z")


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard semantics: `*` is one token, `>` is one or more trailing tokens."""
    return _compile(pattern).match(subject) is not None
