"""The gateway: WebSocket protocol, sessions with RESUME, and fan-out from the bus."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Protocol

import orjson

from amityvox.bus.base import Bus, Envelope
from amityvox.config import Settings
from amityvox.events import catalog
from amityvox.events.types import Scope
from amityvox.gateway import metrics
from amityvox.gateway.handover import Handover, handover_store
from amityvox.gateway.indexes import STRUCTURAL_EVENTS, World, WorldData
from amityvox.gateway.presence import LocalPresence, Presence, presence_store
from amityvox.gateway.protocol import CLIENT_OPS, Close, Dispatch, Op, encode
from amityvox.gateway.router import field, recipients
from amityvox.gateway.session import Session
from amityvox.gateway.transport import Batcher, Connection, Disconnected
from amityvox.ids import parse_iso

log = logging.getLogger("amityvox.gateway")
BUILD_VERSION = "0.1.0"
HANDOVER_TIMEOUT_S = 3.0
HANDOVER_MARGIN_S = 2.0  # read back this much before a handed-over gateway stopped (clock skew)
SEEN_EVENTS = 8192  # far more than the bus carries while a duplicate can still arrive
STATUSES = ("online", "idle", "focus", "busy", "invisible")


class Backend(Protocol):
    """What the gateway asks of the rest of the server (wired by the app; never on the fan-out path)."""

    async def authenticate(self, token: str) -> str | None: ...

    async def load_world(self) -> WorldData: ...

    async def ready(self, user_id: str) -> dict[str, Any]: ...

    async def status_of(self, user_id: str) -> str: ...

    async def members(self, guild_id: str, query: str, limit: int) -> list[dict[str, Any]]: ...

    async def typing(self, user_id: str, channel_id: str) -> None: ...

    async def voice_state(self, user_id: str, session_id: str, d: dict[str, Any]) -> None: ...

    async def session_ended(self, user_id: str, session_id: str) -> None: ...


Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


class _Closing(Exception):
    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class Gateway:
    def __init__(self, settings: Settings, bus: Bus, backend: Backend, publish: Publish) -> None:
        self.settings = settings
        self.bus = bus
        self.backend = backend
        self.publish = publish
        self.sessions: dict[str, Session] = {}
        self.by_user: dict[str, set[Session]] = {}
        # Who is online on any gateway, with their chosen status (the shared store is picked at start).
        self.presence: Presence = LocalPresence()
        # Routing indexes count only this gateway's sessions (`GuildState.online`): events are
        # delivered to local sessions alone, and a remote user's coming and going never reaches them.
        self.world = World(is_online=lambda u: u in self.by_user)
        self._closing = False
        self._loaded = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscription: Any = None
        self.batcher = Batcher()  # one write per connection per event-loop turn
        self.node = secrets.token_hex(8)
        self.handover: Handover | None = None  # sessions outlive this process (NATS only)
        self._routed_at = time.time()  # wall clock of the last event routed
        self._subscribed_at = 0.0
        self._recent: deque[str] = deque(maxlen=SEEN_EVENTS)  # ids of the latest events, oldest first
        self._seen: set[str] = set()

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self.presence = presence_store(self.bus, self._publish_presence)
        await self.presence.start()
        self.handover = handover_store(self.bus, self.settings.resume_window_s)
        if self.handover is not None:
            await self.handover.start()
        # Subscribe before loading: events published meanwhile wait for the load, none is missed.
        self._subscribed_at = time.time()
        self._subscription = await self.bus.subscribe("amityvox.>", self._on_event)
        self.world.load(await self.backend.load_world())
        self._loaded.set()
        self._tasks.append(asyncio.create_task(self._reap()))

    async def close(self) -> None:
        """Tell every client to reconnect elsewhere, then close with 1001.

        With a handover store, routing stops first and every session is stored, so its client
        can RESUME on another gateway (`handover.py`)."""
        self._closing = True
        if self.handover is not None and self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
            try:  # a shutdown must end even when NATS is out of reach: those clients re-IDENTIFY
                await asyncio.wait_for(self._hand_over(), HANDOVER_TIMEOUT_S)
            except TimeoutError:
                log.warning("handing sessions over took too long; the rest will re-IDENTIFY")
        for session in list(self.sessions.values()):
            if session.conn is not None:
                session.conn.push(encode(Op.RECONNECT))
                session.conn.close(Close.GOING_AWAY, "server going away")
        for task in self._tasks:
            task.cancel()
        if self._subscription is not None:
            await self._subscription.unsubscribe()
        await self.presence.close()
        await asyncio.sleep(0.05)  # let writers flush the close frames

    async def _hand_over(self) -> None:
        assert self.handover is not None
        node = {
            "id": self.node,
            "subscribed_at": self._subscribed_at,
            "stopped_at": self._routed_at,
            "recent": list(self._recent),
        }
        records = (
            {
                "id": x.id,
                "node": self.node,
                "user_id": x.user_id,
                "seq": x.seq,
                "frames": [(s, frame.decode()) for s, frame in x.replay],
            }
            for x in self.sessions.values()
            if x.holding is None  # a session still building READY has nothing to resume
        )
        try:
            count = await self.handover.save(node, records)
            log.info("handed over %d sessions", count)
        except Exception:  # their clients re-IDENTIFY: nothing is lost but the resume
            log.exception("handing sessions over failed")

    async def _reap(self) -> None:
        """End sessions whose resume window passed."""
        window = self.settings.resume_window_s
        while True:
            await asyncio.sleep(1)
            now = time.monotonic()
            for session in list(self.sessions.values()):
                if session.detached_at is not None and now - session.detached_at > window:
                    await self._end(session)

    # ---- fan-out ---------------------------------------------------------------------------

    async def _on_event(self, env: Envelope) -> None:
        await self._loaded.wait()
        if env.id in self._seen:  # the outbox relay may publish an event a second time
            return
        if len(self._recent) == self._recent.maxlen:
            self._seen.discard(self._recent[0])
        self._recent.append(env.id)
        self._seen.add(env.id)
        self._routed_at = time.time()
        self.route(env.name, env.data)

    def route(self, name: str, d: dict[str, Any]) -> None:
        """Apply the event to the indexes and deliver it; `before` audiences are computed first."""
        event = catalog.CATALOG.get(name)
        if event is None or not event.client_visible or event.audience.scope is Scope.SESSION:
            return
        started = time.perf_counter()
        # Removals route against the indexes as they were; so does an event whose routing key is
        # absent (a voice leave has channel_id null: it goes where the user was, before forgetting it).
        if event.audience.before or (event.audience.key is not None and field(d, event.audience.key) is None):
            users = recipients(self.world, event, d, self.by_user)
            transitions = self.world.apply(name, d)
        else:
            transitions = self.world.apply(name, d)
            users = recipients(self.world, event, d, self.by_user)
        # Visibility changes first, so a member who just gained a channel has it before its update.
        for t_name, t_data, t_users in transitions:
            self._deliver(t_name, t_data, t_users)
        self._deliver(name, d, users)
        if name == "GUILD_MEMBER_ADD":
            self._introduce(d["guild_id"], d["user_id"])
        metrics.ROUTING_SECONDS.observe(time.perf_counter() - started)

    def _introduce(self, guild_id: str, joiner: str) -> None:
        """A joiner and the guild's members learn each other's presence, as READY would have told them.
        Every gateway routes the join: each tells its own sessions, about users on any gateway."""
        shown = self._shown_among({joiner})
        if joiner in shown:
            others = self.world.guild_audience(guild_id) - {joiner}
            self._deliver("PRESENCE_UPDATE", {"user_id": joiner, "status": shown[joiner]}, others)
        guild = self.world.guilds.get(guild_id)
        if joiner in self.by_user and guild is not None:
            for other, status in self._shown_among(guild.members.keys()).items():
                if other != joiner:
                    self._deliver("PRESENCE_UPDATE", {"user_id": other, "status": status}, {joiner})

    def _deliver(self, name: str, d: dict[str, Any], users: set[str]) -> None:
        dispatch = Dispatch(name, d)  # encoded once for every recipient
        delivered = 0
        for user_id in users:
            for session in self.by_user.get(user_id, ()):
                session.send(dispatch)
                delivered += 1
        metrics.DISPATCHES.labels(name).inc()
        metrics.DELIVERIES.labels(name).inc(delivered)

    # ---- sessions --------------------------------------------------------------------------

    async def _begin(self, user_id: str, session: Session | None = None) -> Session:
        """Register a new session (or one resumed from another gateway) and its user's presence."""
        if session is None:
            session = Session(secrets.token_hex(16), user_id, self.settings.replay_buffer)
        self.sessions[session.id] = session
        first = user_id not in self.by_user
        self.by_user.setdefault(user_id, set()).add(session)
        if first:
            self.world.user_online(user_id)
            elsewhere = self.presence.statuses.get(user_id)  # online on another gateway: keep their choice
            status = elsewhere if elsewhere is not None else await self.backend.status_of(user_id)
            await self.presence.join(user_id, status)
            if elsewhere is None:
                await self._publish_presence(user_id, status)
        metrics.SESSIONS.set(len(self.sessions))
        return session

    async def _end(self, session: Session) -> None:
        if self.sessions.pop(session.id, None) is None:
            return
        try:  # whatever the session held (its voice state) goes with it
            await self.backend.session_ended(session.user_id, session.id)
        except Exception:
            log.exception("cleaning up after session %s failed", session.id)
        peers = self.by_user.get(session.user_id)
        if peers is not None:
            peers.discard(session)
            if not peers:
                del self.by_user[session.user_id]
                self.world.user_offline(session.user_id)
                # A gateway shutting down leaves shared presence to expire: users who reconnect to
                # another gateway stay online, the others go offline when their keys expire.
                if not (self._closing and self.presence.shared):
                    try:
                        await self._leave(session.user_id)
                    except Exception:  # NATS out of reach: the key expires and another gateway announces it
                        log.exception("ending the presence of %s failed", session.user_id)
        metrics.SESSIONS.set(len(self.sessions))

    async def _leave(self, user_id: str) -> None:
        """The user's last session here ended: offline, unless online on another gateway or invisible."""
        was = self.presence.statuses.get(user_id, "online")
        elsewhere = await self.presence.leave(user_id)
        if not elsewhere and was != "invisible":
            await self._publish_presence(user_id, "offline")

    async def _publish_presence(self, user_id: str, status: str) -> None:
        shown = "offline" if status == "invisible" else status
        await self.publish("PRESENCE_UPDATE", {"user_id": user_id, "status": shown})

    def _presences_for(self, user_id: str) -> dict[str, str]:
        """READY's presences: friends, guild co-members and DM peers online on any gateway."""
        w = self.world
        groups: list[Collection[str]] = [w.friends.get(user_id, set())]
        groups += [w.guilds[g].members.keys() for g in w.user_guilds.get(user_id, ())]
        groups += [w.channels[c].recipients for c in w.user_private.get(user_id, ())]
        out: dict[str, str] = {}
        for group in groups:
            out.update(self._shown_among(group))
        out.pop(user_id, None)
        return out

    def _shown_among(self, users: Collection[str]) -> dict[str, str]:
        """Statuses others may see among `users`: online somewhere and not invisible. Walks the
        smaller of `users` and the online users, so a large guild costs no more than who is online."""
        statuses = self.presence.statuses
        if len(users) <= len(statuses):
            pairs = [(u, statuses.get(u)) for u in users]
        else:
            pairs = [(u, s) for u, s in statuses.items() if u in users]
        return {u: s for u, s in pairs if s is not None and s != "invisible"}

    # ---- the WebSocket protocol ------------------------------------------------------------

    async def handle(self, conn: Connection) -> None:
        """Serve one connection from the handshake to its close."""
        s = self.settings
        conn.push(encode(Op.HELLO, {"heartbeat_interval": s.heartbeat_interval_ms, "build_version": BUILD_VERSION}))
        session: Session | None = None
        frames: deque[float] = deque()
        loop = asyncio.get_running_loop()  # its clock (uvloop's is not time.monotonic)
        deadline = loop.time() + s.identify_timeout_ms / 1000
        clean = False
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        raw = await conn.receive()
                except TimeoutError:
                    raise _Closing(Close.SESSION_TIMED_OUT, "session timed out") from None
                except Disconnected as gone:
                    clean = gone.code in (1000, 1001)
                    break
                if len(raw) > s.max_frame_bytes:
                    raise _Closing(Close.DECODE_ERROR, "frame too large")
                now = loop.time()
                frames.append(now)
                while frames and frames[0] <= now - s.rate_limit_window_s:
                    frames.popleft()
                if len(frames) > s.rate_limit_frames:
                    raise _Closing(Close.RATE_LIMITED, "rate limited")
                op, d = _decode(raw)
                if op == Op.HEARTBEAT:
                    conn.push(encode(Op.HEARTBEAT_ACK))
                    if session is not None:
                        deadline = now + s.heartbeat_timeout_ms / 1000
                    continue
                if session is None:
                    if op == Op.IDENTIFY:
                        session = await self._identify(conn, d)
                    elif op == Op.RESUME:
                        session = await self._resume(conn, d)
                    else:
                        raise _Closing(Close.NOT_AUTHENTICATED, "identify first")
                    deadline = loop.time() + s.heartbeat_timeout_ms / 1000
                    continue
                if session.conn is not conn:  # taken over by a RESUME on another connection
                    break
                await self._handle_op(session, conn, op, d)
        except _Closing as closing:
            metrics.CLOSES.labels(str(closing.code)).inc()
            log.info("closing connection: %d %s", closing.code, closing.reason)
            conn.close(closing.code, closing.reason)
        except Exception:
            log.exception("gateway connection failed")
            conn.close(Close.UNKNOWN_ERROR, "unknown error")
        finally:
            if session is not None and session.conn is conn:
                session.detach()
                if clean:
                    await self._end(session)

    async def _identify(self, conn: Connection, d: Any) -> Session:
        if not isinstance(d, dict) or not isinstance(d.get("token"), str):
            raise _Closing(Close.DECODE_ERROR, "IDENTIFY needs a token")
        user_id = await self.backend.authenticate(d["token"])
        if user_id is None:
            raise _Closing(Close.AUTHENTICATION_FAILED, "authentication failed")
        session = await self._begin(user_id)
        session.attach(conn)
        try:
            ready = await self.backend.ready(user_id)
        except Exception:
            await self._end(session)
            raise
        ready.update(session_id=session.id, presences=self._presences_for(user_id))
        session.release(Dispatch("READY", ready))
        metrics.IDENTIFIES.inc()
        log.info("identified user %s session %s", user_id, session.id)
        return session

    async def _resume(self, conn: Connection, d: Any) -> Session:
        if not isinstance(d, dict) or not all(isinstance(d.get(k), str) for k in ("token", "session_id")):
            raise _Closing(Close.DECODE_ERROR, "RESUME needs token, session_id and seq")
        seq = d.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise _Closing(Close.DECODE_ERROR, "RESUME needs token, session_id and seq")
        user_id = await self.backend.authenticate(d["token"])
        if user_id is None:
            raise _Closing(Close.AUTHENTICATION_FAILED, "authentication failed")
        session = self.sessions.get(d["session_id"])
        if session is None and self.handover is not None:
            taken = await self.handover.take(d["session_id"])
            if taken is not None and taken[0]["user_id"] == user_id:
                return await self._adopt(conn, taken[0], taken[1], seq)
        if session is None or session.user_id != user_id:
            raise _Closing(Close.INVALID_RESUME, "invalid session")
        frames = session.frames_after(seq)
        if frames is None:
            await self._end(session)
            raise _Closing(Close.INVALID_RESUME, "events since seq are no longer buffered")
        if session.conn is not None and session.conn is not conn:
            session.conn.close(Close.INVALID_RESUME, "session resumed elsewhere")
        session.attach(conn)
        for frame in frames:
            conn.push(frame)
        session.send(Dispatch("RESUMED", {"replayed": len(frames)}))
        metrics.RESUMES.inc()
        log.info("resumed session %s replaying %d", session.id, len(frames))
        return session

    async def _adopt(self, conn: Connection, record: dict[str, Any], node: dict[str, Any], seq: int) -> Session:
        """Resume a session handed over by a gateway that stopped (see handover.py)."""
        session = Session(record["id"], record["user_id"], self.settings.replay_buffer)
        session.seq = record["seq"]
        session.replay.extend((s, frame.encode()) for s, frame in record["frames"])
        frames = session.frames_after(seq)
        if frames is None:
            raise _Closing(Close.INVALID_RESUME, "events since seq are no longer buffered")
        # No await between the snapshot and the registration at the start of _begin: every event
        # is either routed before it (then read back from the stream) or held for the session.
        routed_before = set(self._seen)
        await self._begin(session.user_id, session)  # holding: live dispatches wait for the gap
        skip = set(node.get("recent", ()))
        gap: list[Dispatch] = []
        try:
            async for env in self.bus.replay("amityvox.>", node["stopped_at"] - HANDOVER_MARGIN_S):  # type: ignore[attr-defined]
                if env.id in skip or (env.id in self._seen and env.id not in routed_before):
                    continue  # routed by the old gateway, or live here since the session came back
                if parse_iso(env.ts).timestamp() < node["subscribed_at"]:
                    continue  # older than the old gateway: part of the world it loaded
                event = catalog.CATALOG.get(env.name)
                if event is None or not event.client_visible or event.audience.scope is Scope.SESSION:
                    continue
                if env.name in STRUCTURAL_EVENTS:
                    raise _Closing(Close.INVALID_RESUME, "who sees what changed meanwhile: identify anew")
                if session.user_id in recipients(self.world, event, env.data, self.by_user):
                    gap.append(Dispatch(env.name, env.data))
        except BaseException:
            await self._end(session)
            raise
        session.attach(conn)
        for frame in frames:
            conn.push(frame)
        held, session.holding = session.holding or [], None
        for dispatch in [*gap, *held]:
            session.send(dispatch)
        session.send(Dispatch("RESUMED", {"replayed": len(frames) + len(gap) + len(held)}))
        metrics.RESUMES.inc()
        log.info("resumed handed-over session %s replaying %d", session.id, len(frames) + len(gap) + len(held))
        return session

    async def _handle_op(self, session: Session, conn: Connection, op: int, d: Any) -> None:
        if op in (Op.IDENTIFY, Op.RESUME):
            raise _Closing(Close.ALREADY_AUTHENTICATED, "already authenticated")
        if op == Op.PRESENCE_UPDATE:
            status = d.get("status") if isinstance(d, dict) else None
            if status not in STATUSES:
                raise _Closing(Close.DECODE_ERROR, f"status must be one of {', '.join(STATUSES)}")
            previous = self.presence.statuses.get(session.user_id)
            await self.presence.set(session.user_id, status)
            if previous != status:
                await self._publish_presence(session.user_id, status)
        elif op == Op.TYPING:
            channel_id = d.get("channel_id") if isinstance(d, dict) else None
            if not isinstance(channel_id, str):
                raise _Closing(Close.DECODE_ERROR, "TYPING needs channel_id")
            if self.world.can_view(session.user_id, channel_id):
                await self.backend.typing(session.user_id, channel_id)
        elif op == Op.REQUEST_MEMBERS:
            await self._request_members(session, d)
        elif op == Op.VOICE_STATE_UPDATE:
            if not _voice_shape(d):
                raise _Closing(Close.DECODE_ERROR, "bad voice state")
            # Bad values (an unknown channel, no permission) are the client's to notice: no event follows.
            await self.backend.voice_state(session.user_id, session.id, d)
        elif op == Op.SUBSCRIBE:
            if not isinstance(d, dict) or not isinstance(d.get("channel_ids", []), list):
                raise _Closing(Close.DECODE_ERROR, "SUBSCRIBE needs channel_ids")

    async def _request_members(self, session: Session, d: Any) -> None:
        if not isinstance(d, dict) or not isinstance(d.get("guild_id"), str):
            raise _Closing(Close.DECODE_ERROR, "REQUEST_MEMBERS needs guild_id")
        guild_id = d["guild_id"]
        query = d.get("query") or ""
        limit = d.get("limit", 100)
        if not isinstance(query, str) or not isinstance(limit, int) or isinstance(limit, bool):
            raise _Closing(Close.DECODE_ERROR, "bad REQUEST_MEMBERS")
        limit = max(1, min(limit, 100))
        if not self.world.is_member(guild_id, session.user_id):
            session.send(
                Dispatch("GUILD_MEMBERS_CHUNK", {"guild_id": guild_id, "members": [], "not_found": [guild_id]})
            )
            return
        members = await self.backend.members(guild_id, query, limit)
        session.send(Dispatch("GUILD_MEMBERS_CHUNK", {"guild_id": guild_id, "members": members}))


def _voice_shape(d: Any) -> bool:
    """Op 4: `{guild_id?, channel_id? (null = leave), self_mute?, self_deaf?}` with the right types."""
    if not isinstance(d, dict):
        return False
    ids_ok = all(isinstance(d.get(k), str | None) for k in ("guild_id", "channel_id"))
    flags_ok = all(isinstance(d.get(k), bool | None) for k in ("self_mute", "self_deaf"))
    return ids_ok and flags_ok


def _decode(raw: str | bytes) -> tuple[int, Any]:
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _Closing(Close.DECODE_ERROR, "frames must be JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("op"), int) or isinstance(frame.get("op"), bool):
        raise _Closing(Close.DECODE_ERROR, "frames must be objects with an integer op")
    op = frame["op"]
    if op not in CLIENT_OPS:
        raise _Closing(Close.UNKNOWN_OPCODE, f"unknown opcode {op}")
    return op, frame.get("d")
