"""The bus across processes: NATS JetStream for the events, their order and their retention.

Every event is published through JetStream into a stream: AMITYVOX_EVENTS for client-visible
events (24 h), AMITYVOX_FEDERATION as a 7-day work queue. `Nats-Msg-Id` is the event id, so a
publish retried after a lost acknowledgement is stored once.

Subscribers follow AMITYVOX_EVENTS itself (`follow`; a plain `subscribe` is a follower that
keeps the matching subjects): the stream republishes each stored event on
`amityvox-live.<subject>` with its stream sequence, so every gateway routes the same history
in the same order and can name a point in it by position. A gap in the positions (a
reconnect, a lost republication, a new stream leader) is filled from the stream with direct
gets, answered by any replica, before going on. Work queues (`queue=`) share a durable
consumer instead. In a cluster the streams are replicated (`nats_replicas`) and a client
moves to another node when its node goes away.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import nats
import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import ConnectionReconnectingError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import api
from nats.js.errors import (
    APIError,
    BadRequestError,
    KeyValueLimitMarkerTTLNotSupportedError,
    KeyWrongLastSequenceError,
    NoStreamResponseError,
    NotFoundError,
    ServiceUnavailableError,
)
from nats.js.kv import KeyValue

from amityvox.bus.base import Envelope, Follower, Handler, subject_matches
from amityvox.events import CATALOG
from amityvox.events.types import Scope
from amityvox.ratelimit import Hit, SlidingWindow, take

log = logging.getLogger("amityvox.bus")

EVENTS_STREAM = "AMITYVOX_EVENTS"
LIVE_PREFIX = "amityvox-live"  # where the events stream republishes what it stored, in order
FEDERATION_STREAM = "AMITYVOX_FEDERATION"
RATE_PREFIX = "amityvox-rate"  # one memory stream per rate limit (`hit`), outside the events stream
MAX_PER_SUBJECT = 10077  # JetStream's "maximum messages per subject exceeded"

PING_INTERVAL_S = 5  # a silently dead node is noticed after 3 unanswered pings, not 6 minutes
MAX_OUTSTANDING_PINGS = 2
REPLAY_BATCH = 1000  # events per direct get when filling a gap or rebuilding a session
CATCH_UP_PATIENCE_S = 30.0  # past this, live delivery resumes even if the stream cannot be read
# A stored event whose republication was lost (a stream leader changing hands) is noticed at the
# next event, or after this long without one.
FOLLOW_IDLE_CHECK_S = 2.0
PUBLISH_PATIENCE_S = 10.0  # a leader election or a reconnect takes far less; then the outbox takes over
NO_SUITABLE_PEERS = 10005  # JetStream's "no suitable peers for placement"
# Failures that end once the cluster has a stream leader again or the client has reconnected.
TRANSIENT = (
    NoStreamResponseError,
    NoRespondersError,
    NatsTimeoutError,
    ServiceUnavailableError,
    ConnectionReconnectingError,
)


WORKER_ACK_WAIT_S = 30.0  # an event a worker took but never acknowledged goes to another after this


def durable_name(queue: str, pattern: str) -> str:
    """The durable consumer of a work queue on a subject pattern (names take no `.`, `*` or `>`)."""
    return f"{queue}--{pattern}".replace(".", "_").replace("*", "any").replace(">", "all")


def servers(url: str) -> list[str]:
    """`nats://a:4222,nats://b:4222` → one entry per server."""
    return [part.strip() for part in url.split(",") if part.strip()]


def stream_configs(events_max_age_s: float = 24 * 3600, replicas: int = 1) -> list[api.StreamConfig]:
    """The two streams, their subjects taken from the catalog so they cannot drift from it."""
    # The events stream holds what the gateways follow: client-visible events and the internal
    # ones addressed to every gateway; other internal events are work for one consumer.
    visible = sorted(e.subject for e in CATALOG.values() if e.client_visible or e.gateways)
    internal = sorted(e.subject for e in CATALOG.values() if e.audience.scope is Scope.INTERNAL and not e.gateways)
    return [
        api.StreamConfig(
            name=EVENTS_STREAM,
            subjects=visible,
            retention=api.RetentionPolicy.LIMITS,
            max_age=events_max_age_s,
            storage=api.StorageType.FILE,
            duplicate_window=120,
            num_replicas=replicas,
            allow_direct=True,  # catching up after a reconnect reads from any replica
            republish=api.RePublish(src=">", dest=f"{LIVE_PREFIX}.>"),
        ),
        api.StreamConfig(
            name=FEDERATION_STREAM,
            subjects=internal,
            retention=api.RetentionPolicy.WORK_QUEUE,
            max_age=7 * 24 * 3600,
            storage=api.StorageType.FILE,
            duplicate_window=120,
            num_replicas=replicas,
        ),
    ]


def encode(env: Envelope) -> bytes:
    return orjson.dumps({"name": env.name, "id": env.id, "ts": env.ts, "d": env.data})


def decode(subject: str, data: bytes) -> Envelope:
    body = orjson.loads(data)
    return Envelope(name=body["name"], subject=subject, data=body["d"], id=body["id"], ts=body["ts"])


class _NatsSubscription:
    def __init__(
        self,
        sub: Any,
        live: _StreamFollower | None = None,
        bus: NatsBus | None = None,
        after: int = 0,
    ) -> None:
        self.after = after  # where a follower started
        self._sub = sub
        self._live = live
        self._bus = bus

    async def unsubscribe(self) -> None:
        if self._live is not None and self._bus is not None:
            self._bus.live.discard(self._live)
            self._live.close()
        try:
            await self._sub.unsubscribe()
        except Exception:  # already gone with the connection
            pass


class _StreamFollower:
    """Every event of the events stream once, in stream order, with its stream sequence."""

    def __init__(self, bus: NatsBus, handler: Follower, after: int) -> None:
        self.bus = bus
        self.handler = handler
        self.last = after  # the position handled last
        # None asks to check the stream for what a reconnect may have lost.
        self.queue: asyncio.Queue[tuple[int, Envelope] | None] = asyncio.Queue()
        self.task = asyncio.create_task(self._run(), name="nats-follower")

    async def on_message(self, msg: Msg) -> None:
        headers = msg.headers or {}
        self.queue.put_nowait((int(headers["Nats-Sequence"]), decode(headers["Nats-Subject"], msg.data)))

    def regained(self) -> None:
        self.queue.put_nowait(None)

    def close(self) -> None:
        self.task.cancel()

    async def _run(self) -> None:
        while True:
            try:  # asyncio.timeout: see amityvox/waiting.py for why not wait_for
                async with asyncio.timeout(FOLLOW_IDLE_CHECK_S):
                    item = await self.queue.get()
            except TimeoutError:  # quiet: make sure no stored event is waiting for a successor
                await self._fill(None, patience=0)
                continue
            if item is None:
                await self._fill(None)
                continue
            position, env = item
            if position <= self.last:  # republished again by a new stream leader, or filled already
                continue
            if position > self.last + 1:
                await self._fill(position - 1)
            await self._deliver(position, env)

    async def _fill(self, upto: int | None, patience: float = CATCH_UP_PATIENCE_S) -> None:
        """Deliver what the stream holds after `last`, up to `upto` (None: whatever it has)."""
        deadline = time.monotonic() + patience
        before = self.last
        while True:
            try:
                async for position, env in self.bus.read(self.last, upto):
                    await self._deliver(position, env)
                break
            except Exception as exc:  # no stream leader yet, or the connection dropped again
                if time.monotonic() > deadline:
                    if patience:  # (an idle check is simply repeated later)
                        log.error("nats: could not read events %d..%s from the stream: %s", self.last + 1, upto, exc)
                    break
                await asyncio.sleep(0.1)
        if upto is not None and self.last < upto:  # gone from the stream (retention): nothing to read
            self.last = upto
        if self.last > before:
            log.info("nats: follower filled positions %d..%d from the stream", before + 1, self.last)

    async def _deliver(self, position: int, env: Envelope) -> None:
        self.last = position
        try:
            await self.handler(position, env)
        except Exception:
            log.exception("bus follower failed on %s", env.subject)


class NatsBus:
    """Reconnects on its own (backoff 0.5 s → 5 s, forever) and reports its state to /health/deep.

    `url` is one server or a comma-separated list of them; `replicas` is the replica count the
    streams get when created, and the least they are left with."""

    def __init__(
        self, url: str, *, name: str = "amityvox", events_max_age_s: float = 24 * 3600, replicas: int = 1
    ) -> None:
        self.url = url
        self.servers = servers(url)
        self.name = name
        self.outbox = True  # other processes consume these events: none may be lost to a crash
        self.replays = False  # the stream keeps them; the outbox rows go once published
        self.events_max_age_s = events_max_age_s
        self.replicas = replicas
        self.nc: NATS | None = None
        self.published = 0
        self.reconnects = 0
        self.last_error: str | None = None
        # Which of the two the connection last did (set by the client's callbacks), for
        # whoever waits on it (the tests do).
        self.disconnected = asyncio.Event()
        self.reconnected = asyncio.Event()
        self._claims: dict[str, KeyValue] = {}  # claim namespace → its KV bucket
        self._rate_streams: set[str] = set()
        self._hits: dict[str, SlidingWindow] = {}  # this process's view of each rate limit
        self.live: set[_StreamFollower] = set()

    async def start(self) -> None:
        async def on_error(exc: Exception) -> None:
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("nats: %s", self.last_error)

        async def on_reconnect() -> None:
            self.reconnects += 1
            self.disconnected.clear()
            self.reconnected.set()
            log.info("nats: reconnected to %s", self.nc.connected_url if self.nc else "?")
            for sub in list(self.live):
                sub.regained()

        async def on_disconnect() -> None:
            log.warning("nats: disconnected")
            self.reconnected.clear()
            self.disconnected.set()

        self.nc = await nats.connect(
            servers=self.servers,
            name=self.name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            ping_interval=PING_INTERVAL_S,
            max_outstanding_pings=MAX_OUTSTANDING_PINGS,
            error_cb=on_error,
            reconnected_cb=on_reconnect,
            disconnected_cb=on_disconnect,
        )
        await self.ensure_streams()

    async def ensure_streams(self) -> None:
        """Create the streams, or bring an existing stream's settings up to date; an existing
        stream keeps its replica count when that is higher than ours (raised by an operator)."""
        deadline = time.monotonic() + PUBLISH_PATIENCE_S
        while True:
            try:
                return await self._ensure_streams()
            except (*TRANSIENT, BadRequestError) as exc:
                # A cluster electing its meta leader answers within seconds; one whose nodes are
                # still finding each other refuses replicated placement ("no suitable peers")
                # until they have. Both happen when NATS and AmityVox start together.
                waiting = not isinstance(exc, BadRequestError) or exc.err_code == NO_SUITABLE_PEERS
                if not waiting or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    async def _ensure_streams(self) -> None:
        # A request that the cluster routes to a node just gone is lost: retry it soon.
        js = self._conn().jetstream(timeout=2)
        for config in stream_configs(self.events_max_age_s, self.replicas):
            name = str(config.name)
            try:
                current = await js.stream_info(name)
            except NotFoundError:
                try:
                    await js.add_stream(config)
                    continue
                except BadRequestError as exc:
                    if exc.err_code == NO_SUITABLE_PEERS:  # the cluster is still assembling: retried
                        raise
                    current = await js.stream_info(name)  # another process created it meanwhile
            replicas = max(config.num_replicas or 1, current.config.num_replicas or 1)
            await js.update_stream(config.evolve(num_replicas=replicas))

    def _conn(self) -> NATS:
        if self.nc is None:
            raise RuntimeError("the NATS bus is not started")
        return self.nc

    async def close(self) -> None:
        for sub in list(self.live):
            sub.close()
        self.live.clear()
        if self.nc is not None and not self.nc.is_closed:
            try:  # bounded: a cluster that lost its nodes must not hold a shutdown up
                await asyncio.wait_for(self.nc.drain(), 5)
            except Exception:
                await self.nc.close()

    async def publish(self, events: Sequence[Envelope], positions: Sequence[int] = ()) -> None:
        js = self._conn().jetstream()
        for env in events:
            await self._publish_one(js, env)
            self.published += 1

    async def _publish_one(self, js: Any, env: Envelope) -> None:
        """Retried through a stream leader election or a reconnect, so events stay in order;
        the same `Nats-Msg-Id` makes a retry of a stored event a no-op."""
        deadline = time.monotonic() + PUBLISH_PATIENCE_S
        pause, wait = 0.05, 0.5  # an acknowledgement lost with a dying node is not waited for long
        while True:
            remaining = deadline - time.monotonic()
            try:
                headers = {"Nats-Msg-Id": env.id}
                await js.publish(env.subject, encode(env), headers=headers, timeout=max(min(wait, remaining), 0.1))
                return
            except TRANSIENT:
                if remaining <= pause:
                    raise
                await asyncio.sleep(pause)
                pause, wait = min(pause * 2, 0.5), min(wait * 2, 2.0)

    async def subscribe(self, pattern: str, handler: Handler, *, queue: str | None = None) -> _NatsSubscription:
        """Live delivery of `pattern`; with `queue`, each event goes to one member of the group."""
        if queue is None:  # every event on `pattern` the events stream holds, in stream order

            async def matching(position: int, env: Envelope) -> None:
                if subject_matches(pattern, env.subject):
                    await handler(env)

            subject_matches(pattern, "amityvox.x")  # validate the pattern now, not on first event
            return await self.follow(matching)

        # A work queue reads the events stream through a durable consumer shared by the group:
        # each event goes to one member, is acknowledged once handled, and what is published
        # while every member is away (reconnecting, restarting) waits for them instead of
        # being lost. A handler that fails is logged, as for live subscribers, not retried.
        durable = durable_name(queue, pattern)

        async def on_stored(msg: Msg) -> None:
            try:
                await handler(decode(msg.subject, msg.data))
            except Exception:
                log.exception("bus worker %s failed on %s", durable, msg.subject)
            try:
                await msg.ack()
            except Exception:  # the connection dropped: the event comes again after ack_wait
                log.warning("nats: could not acknowledge %s for %s", msg.subject, durable)

        config = api.ConsumerConfig(deliver_policy=api.DeliverPolicy.NEW, ack_wait=WORKER_ACK_WAIT_S, max_deliver=5)
        sub = (
            await self._conn()
            .jetstream()
            .subscribe(
                pattern,
                queue=durable,
                durable=durable,
                stream=EVENTS_STREAM,
                cb=on_stored,
                manual_ack=True,
                config=config,
            )
        )
        return _NatsSubscription(sub)

    async def follow(self, handler: Follower) -> _NatsSubscription:
        after = await self.position()
        follower = _StreamFollower(self, handler, after)
        sub = await self._conn().subscribe(f"{LIVE_PREFIX}.>", cb=follower.on_message, pending_msgs_limit=1_000_000)
        self.live.add(follower)
        follower.regained()  # anything stored between reading the position and subscribing
        return _NatsSubscription(sub, follower, self, after)

    async def position(self) -> int:
        """The position (stream sequence) of the last event stored, 0 when there is none."""
        return await self._leader_get({"last_by_subj": "amityvox.>"}) or 0

    async def read(self, after: int, upto: int | None = None) -> AsyncIterator[tuple[int, Envelope]]:
        """The stored events after position `after` up to `upto` (default: the last stored when
        called), in order. Positions no longer held (past the retention) are skipped: callers
        that must not miss one compare `first_position()` with `after` first."""
        last = upto if upto is not None else await self.position()
        position = after + 1
        while position <= last:
            found, pending = await self._direct_get(
                {"seq": position, "next_by_subj": "amityvox.>", "batch": REPLAY_BATCH}
            )
            for seq, env in found:
                if seq > last:
                    return
                position = seq + 1
                yield seq, env
            if not found or (not pending and position <= last):
                # The replica that answered has nothing further; the leader has the final word.
                following = await self._leader_get({"seq": position, "next_by_subj": "amityvox.>"})
                if following is None or following > last:
                    return
                await asyncio.sleep(0.02)  # that replica lags behind the leader: ask again

    async def first_position(self) -> int:
        """The oldest position the events stream still holds, or the next one when it holds none
        (retention drops old events; a purge drops them all)."""
        info = await self._conn().jetstream(timeout=2).stream_info(EVENTS_STREAM)
        return int(info.state.first_seq)

    async def _direct_get(self, request: dict[str, Any]) -> tuple[list[tuple[int, Envelope]], int]:
        """One batch of a direct get (served by any replica): the events, and how many more match."""
        nc = self._conn()
        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox)
        found: list[tuple[int, Envelope]] = []
        try:
            await nc.publish(f"$JS.API.DIRECT.GET.{EVENTS_STREAM}", orjson.dumps(request), reply=inbox)
            while True:
                msg = await sub.next_msg(timeout=1)
                headers = msg.headers or {}
                status = headers.get("Status")
                if status == "404":  # nothing (more) on the pattern
                    return found, 0
                if status == "204":  # end of the batch
                    return found, int(headers.get("Nats-Num-Pending", "0"))
                if status is not None:
                    raise RuntimeError(f"direct get failed: {status} {headers.get('Description', '')}")
                found.append((int(headers["Nats-Sequence"]), decode(headers["Nats-Subject"], msg.data)))
        finally:
            await sub.unsubscribe()

    async def _leader_get(self, request: dict[str, Any]) -> int | None:
        """The sequence of the stored event a message-get request matches, asked of the stream leader."""
        msg = await self._conn().request(f"$JS.API.STREAM.MSG.GET.{EVENTS_STREAM}", orjson.dumps(request), timeout=1)
        body = orjson.loads(msg.data)
        if "message" in body:
            return int(body["message"]["seq"])
        if body.get("error", {}).get("code") == 404:
            return None
        raise RuntimeError(f"stream message get failed: {body.get('error')}")

    def history(self) -> NatsBus:
        """The events stream: `first_position` and `read` above."""
        return self

    def shared(self) -> NatsBus:
        """JetStream key-value buckets: `key_value` and `stored_keys` below."""
        return self

    async def key_value(self, bucket: str, *, ttl: float, expiry_markers: bool = False) -> KeyValue:
        js = self._conn().jetstream()
        config = api.KeyValueConfig(
            bucket=bucket,
            ttl=ttl,
            history=1,
            limit_marker_ttl=ttl if expiry_markers else None,
            storage=api.StorageType.FILE,
            replicas=self.replicas,
        )
        try:
            return await js.create_key_value(config)
        except KeyValueLimitMarkerTTLNotSupportedError as exc:
            raise RuntimeError(f"the bucket {bucket} needs nats-server 2.11 or later (expiry markers)") from exc
        except BadRequestError:  # made by another process already, maybe with other settings: use it as it is
            return await js.key_value(bucket)

    async def stored_keys(self, bucket: str, pattern: str) -> list[str]:
        prefix = f"$KV.{bucket}."
        info = await self._conn().jetstream().stream_info(f"KV_{bucket}", subjects_filter=prefix + pattern)
        return [subject.removeprefix(prefix) for subject in info.state.subjects or {}]

    async def claim(self, name: str, key: str, ttl: float) -> bool:
        """A create in the KV bucket AMITYVOX_CLAIMS_<NAME>, whose entries expire after `ttl`:
        only one process's create succeeds until then. When NATS cannot answer, the claim is
        granted: a throttle that fails open only lets an extra event through."""
        try:
            kv = self._claims.get(name)
            if kv is None:
                kv = self._claims[name] = await self.key_value(f"AMITYVOX_CLAIMS_{name.upper()}", ttl=ttl)
            await kv.create(key, b"")
            return True
        except KeyWrongLastSequenceError:
            return False
        except Exception as exc:
            log.warning("nats: claim %s %s not checked: %s", name, key, exc)
            return True

    async def hit(self, name: str, key: str, limit: int, window: float) -> Hit:
        """A publish into a memory stream that keeps at most `limit` messages per subject for
        `window` seconds and refuses one more (discard new, per subject): one round trip, atomic
        across processes. `remaining` and `reset_after` are this process's own view. When NATS
        cannot answer, the hit is allowed: a limit that fails open only lets extra requests in."""
        local = self._hits.get(name)
        if local is None or local.limit != limit or local.window != window:
            local = self._hits[name] = SlidingWindow(limit, window)
        subject = f"{RATE_PREFIX}.{name}.{limit}.{int(window * 1000)}.{key}"
        try:
            js = self._conn().jetstream(timeout=2)
            stream = await self._rate_stream(js, name, limit, window)
            try:
                await js.publish(subject, str(time.time()).encode(), stream=stream, timeout=2)
            except APIError as exc:
                if exc.err_code != MAX_PER_SUBJECT:
                    raise
                first = await js.get_msg(stream, seq=1, subject=subject, next=True)
                wait = min(max(float(first.data or b"0") + window - time.time(), 0.001), window)
                return Hit(wait, 0, wait)
        except Exception as exc:
            log.warning("nats: rate limit %s not checked: %s", name, exc)
        seen = take(local, key)
        return Hit(0.0, seen.remaining, seen.reset_after)

    async def _rate_stream(self, js: Any, name: str, limit: int, window: float) -> str:
        stream = f"AMITYVOX_RATE_{name.upper().replace('-', '_')}_{limit}_{int(window * 1000)}"
        if stream not in self._rate_streams:
            config = api.StreamConfig(
                name=stream,
                subjects=[f"{RATE_PREFIX}.{name}.{limit}.{int(window * 1000)}.>"],
                storage=api.StorageType.MEMORY,
                max_age=window,
                max_msgs_per_subject=limit,
                discard=api.DiscardPolicy.NEW,
                discard_new_per_subject=True,
                num_replicas=self.replicas,
            )
            try:
                await js.add_stream(config)
            except BadRequestError:  # made by another process already
                pass
            self._rate_streams.add(stream)
        return stream

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
                info = await nc.jetstream(timeout=2).stream_info(EVENTS_STREAM)
                out["events_stream"] = {"messages": info.state.messages, "last_seq": info.state.last_seq}
                if info.cluster is not None:
                    out["events_stream"]["replicas"] = info.config.num_replicas
            except Exception as exc:
                out["ok"] = False
                out["error"] = f"jetstream: {type(exc).__name__}"
        return out
