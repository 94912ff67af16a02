"""Sessions that outlive their gateway process: handed over at shutdown, resumed on any gateway.

A gateway that stops (a deploy, a restart) stops routing, then stores each session — its
user, sequence and replay buffer — in the NATS KV bucket AMITYVOX_SESSIONS, with the time
it stopped and the ids of the events it routed last. Its clients get RECONNECT and reconnect,
through the load balancer, to any gateway. That gateway takes the session out of the bucket
(once: a second RESUME finds nothing), replays the buffered frames after the client's `seq`,
then reads the events it missed from the AMITYVOX_EVENTS stream and sends those the user may
see — numbered on from the session's sequence, exactly as the old gateway would have.

That is exact only while nothing in the gap changed who sees what: an event that changes the
world's indexes (membership, roles, overwrites, channels, friendships, voice) would have sent
visibility transitions the new gateway cannot reconstruct, so the resume fails with 4007 and
the client re-IDENTIFYs to a fresh READY. Records expire after the resume window.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import orjson
from nats.js import api
from nats.js.errors import BadRequestError, KeyNotFoundError

log = logging.getLogger("amityvox.gateway")
BUCKET = "AMITYVOX_SESSIONS"


class Handover:
    """The NATS KV bucket of handed-over sessions."""

    def __init__(self, nc: Any, ttl_s: float, replicas: int = 1) -> None:
        self._nc = nc
        self._ttl_s = ttl_s
        self._replicas = replicas
        self._kv: Any = None

    async def start(self) -> None:
        js = self._nc.jetstream()
        config = api.KeyValueConfig(bucket=BUCKET, ttl=self._ttl_s, history=1, replicas=self._replicas)
        try:
            self._kv = await js.create_key_value(config)
        except BadRequestError:  # exists with other settings: use it as it is
            self._kv = await js.key_value(BUCKET)

    async def save(self, node: dict[str, Any], sessions: Iterable[dict[str, Any]]) -> int:
        """Store the node's stopping point once and every session under its id; returns how many."""
        await self._kv.put(f"node.{node['id']}", orjson.dumps(node))
        count = 0
        for record in sessions:
            try:
                await self._kv.put(f"session.{record['id']}", orjson.dumps(record))
                count += 1
            except Exception as exc:  # e.g. a replay buffer over the server's payload limit
                log.warning("session %s not handed over: %s", record["id"], exc)
        return count

    async def take(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The session's record and its node's stopping point, removed so it resumes only once."""
        if not session_id.isalnum():  # KV keys are tokens; anything else was never stored
            return None
        try:
            entry = await self._kv.get(f"session.{session_id}")
        except KeyNotFoundError:
            return None
        if entry.value is None:
            return None
        try:  # only the first of two racing RESUMEs gets it
            await self._kv.delete(f"session.{session_id}", last=entry.revision)
        except Exception:
            return None
        record = orjson.loads(entry.value)
        try:
            node = orjson.loads((await self._kv.get(f"node.{record['node']}")).value or b"{}")
        except KeyNotFoundError:
            return None
        return record, node


def handover_store(bus: Any, ttl_s: float) -> Handover | None:
    """A handover store when the bus crosses processes (NATS); none for the in-process bus."""
    nc = getattr(bus, "nc", None)
    if nc is None:
        return None
    return Handover(nc, ttl_s, getattr(bus, "replicas", 1))
