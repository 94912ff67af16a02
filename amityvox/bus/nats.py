"""The bus across processes: NATS core subjects for live fan-out, JetStream for retention.

Every event is published through JetStream, so it lands in a stream (AMITYVOX_EVENTS for
client-visible events, 24 h; AMITYVOX_FEDERATION as a 7-day work queue) *and* reaches
plain subscribers of its subject — the gateways. `Nats-Msg-Id` is the event id, so a
publish retried after a lost acknowledgement is stored once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import nats
import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import api
from nats.js.errors import BadRequestError

from amityvox.bus.base import Envelope, Handler
from amityvox.events import CATALOG
from amityvox.events.types import Scope

log = logging.getLogger("amityvox.bus")

EVENTS_STREAM = "AMITYVOX_EVENTS"
FEDERATION_STREAM = "AMITYVOX_FEDERATION"


def stream_configs(events_max_age_s: float = 24 * 3600) -> list[api.StreamConfig]:
    """The two streams, their subjects taken from the catalog so they cannot drift from it."""
    visible = sorted(e.subject for e in CATALOG.values() if e.audience.scope not in (Scope.INTERNAL, Scope.LOCAL))
    internal = sorted(e.subject for e in CATALOG.values() if e.audience.scope is Scope.INTERNAL)
    return [
        api.StreamConfig(
            name=EVENTS_STREAM,
            subjects=visible,
            retention=api.RetentionPolicy.LIMITS,
            max_age=events_max_age_s,
            storage=api.StorageType.FILE,
            duplicate_window=120,
        ),
        api.StreamConfig(
            name=FEDERATION_STREAM,
            subjects=internal,
            retention=api.RetentionPolicy.WORK_QUEUE,
            max_age=7 * 24 * 3600,
            storage=api.StorageType.FILE,
            duplicate_window=120,
        ),
    ]


def encode(env: Envelope) -> bytes:
    return orjson.dumps({"name": env.name, "id": env.id, "ts": env.ts, "d": env.data})


def decode(subject: str, data: bytes) -> Envelope:
    body = orjson.loads(data)
    return Envelope(name=body["name"], subject=subject, data=body["d"], id=body["id"], ts=body["ts"])


class _NatsSubscription:
    def __init__(self, sub: Any) -> None:
        self._sub = sub

    async def unsubscribe(self) -> None:
        try:
            await self._sub.unsubscribe()
        except Exception:  # already gone with the connection
            pass


class NatsBus:
    """Reconnects on its own (backoff 0.5 s → 5 s, forever) and reports its state to /health/deep."""

    def __init__(self, url: str, *, name: str = "amityvox", events_max_age_s: float = 24 * 3600) -> None:
        self.url = url
        self.name = name
        self.outbox = True  # other processes consume these events: none may be lost to a crash
        self.events_max_age_s = events_max_age_s
        self.nc: NATS | None = None
        self.published = 0
        self.reconnects = 0
        self.last_error: str | None = None

    async def start(self) -> None:
        async def on_error(exc: Exception) -> None:
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("nats: %s", self.last_error)

        async def on_reconnect() -> None:
            self.reconnects += 1
            log.info("nats: reconnected to %s", self.nc.connected_url if self.nc else "?")

        async def on_disconnect() -> None:
            log.warning("nats: disconnected")

        self.nc = await nats.connect(
            self.url,
            name=self.name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            error_cb=on_error,
            reconnected_cb=on_reconnect,
            disconnected_cb=on_disconnect,
        )
        await self.ensure_streams()

    async def ensure_streams(self) -> None:
        """Create the streams, or bring an existing stream's settings up to date."""
        js = self._conn().jetstream()
        for config in stream_configs(self.events_max_age_s):
            try:
                await js.add_stream(config)
            except BadRequestError:
                await js.update_stream(config)

    def _conn(self) -> NATS:
        if self.nc is None:
            raise RuntimeError("the NATS bus is not started")
        return self.nc

    async def close(self) -> None:
        if self.nc is not None and not self.nc.is_closed:
            try:
                await self.nc.drain()
            except Exception:
                await self.nc.close()

    async def publish(self, events: Sequence[Envelope]) -> None:
        js = self._conn().jetstream()
        for env in events:
            await js.publish(env.subject, encode(env), headers={"Nats-Msg-Id": env.id})
            self.published += 1

    async def subscribe(self, pattern: str, handler: Handler, *, queue: str | None = None) -> _NatsSubscription:
        """Live delivery of `pattern`; with `queue`, each event goes to one member of the group."""

        async def on_message(msg: Msg) -> None:
            try:
                await handler(decode(msg.subject, msg.data))
            except Exception:
                log.exception("bus subscriber %s failed on %s", pattern, msg.subject)

        sub = await self._conn().subscribe(pattern, queue=queue or "", cb=on_message, pending_msgs_limit=1_000_000)
        return _NatsSubscription(sub)

    async def flush(self) -> None:
        """Round-trip to the server, so everything published so far has been routed."""
        await self._conn().flush()
        await asyncio.sleep(0.05)

    async def health(self) -> dict[str, Any]:
        nc = self.nc
        out: dict[str, Any] = {
            "kind": "nats",
            "ok": bool(nc is not None and nc.is_connected),
            "server": nc.connected_url.netloc if nc is not None and nc.connected_url else None,
            "published": self.published,
            "reconnects": self.reconnects,
        }
        if self.last_error:
            out["last_error"] = self.last_error
        if out["ok"] and nc is not None:
            try:
                info = await nc.jetstream().stream_info(EVENTS_STREAM)
                out["events_stream"] = {"messages": info.state.messages, "last_seq": info.state.last_seq}
            except Exception as exc:
                out["ok"] = False
                out["error"] = f"jetstream: {type(exc).__name__}"
        return out
