"""The gateway's core: its lifecycle, fan-out from the bus, sessions and the connection loop.

What a client sends once identified is handled in `ops.py`; resuming a session another
gateway owned, in `adoption.py`."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque
from collections.abc import Collection, Coroutine
from typing import Any

from amityvox.bus.base import Bus, Envelope
from amityvox.config import Settings
from amityvox.events import catalog
from amityvox.events.types import Scope
from amityvox.gateway import adoption, metrics, ops
from amityvox.gateway.backend import Backend, Credential, Publish
from amityvox.gateway.handover import Handover, handover_store
from amityvox.gateway.indexes import STRUCTURAL_EVENTS, World
from amityvox.gateway.presence import LocalPresence, Presence, presence_store
from amityvox.gateway.protocol import Close, Closing, Dispatch, Op, encode
from amityvox.gateway.router import field, recipients
from amityvox.gateway.session import Session
from amityvox.gateway.transport import Batcher, Connection, Disconnected

log = logging.getLogger("amityvox.gateway")
BUILD_VERSION = "0.1.0"
HANDOVER_TIMEOUT_S = 3.0
CHECKPOINT_S = 1.0  # how often each session's anchor is recorded (handover.py)
SWEEP_S = 30.0  # how often to look for sessions that gone gateways left behind (at most)
SYNC_TIMEOUT_S = 2.0  # a sync anchor NATS cannot take in time only costs that session a later resume
SEEN_EVENTS = 8192  # far more than the bus carries while a duplicate can still arrive


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
        self._ending: set[asyncio.Task[None]] = set()  # sessions being ended by their token's expiry
        self._subscription: Any = None
        self.batcher = Batcher()  # one write per connection per event-loop turn
        self.node = secrets.token_hex(8)
        self.handover: Handover | None = None  # sessions outlive this process (NATS only)
        self.position = 0  # of the last event followed (the bus's history, see bus.base.Follower)
        self._recent: deque[str] = deque(maxlen=SEEN_EVENTS)  # ids of the latest events, oldest first
        self.seen: dict[str, int] = {}  # their positions

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self.presence = presence_store(self.bus, self.publish_presence)
        await self.presence.start()
        self.handover = handover_store(self.bus, self.node, self.settings.resume_window_s)
        if self.handover is not None:
            await self.handover.start()
        # Follow before loading: events published meanwhile wait for the load, none is missed.
        following = await self.bus.follow(self._on_event)
        self._subscription, self.position = following, following.after
        self.world.load(await self.backend.load_world())
        self._loaded.set()
        self._tasks.append(asyncio.create_task(self._reap()))
        if self.handover is not None:
            self._tasks.append(asyncio.create_task(self._checkpoints()))
            self._tasks.append(asyncio.create_task(self._sweep()))

    async def close(self) -> None:
        """Tell every client to reconnect elsewhere, then close with 1001.

        With a handover store, routing stops first and every session's anchor is brought up to
        the last event routed, so its client can RESUME on another gateway (`handover.py`).
        The server's shutdown closes the gateway before the app's lifespan ends, which calls
        this again: the second call has nothing to do."""
        if self._closing:
            return
        self._closing = True
        if self.handover is not None and self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
            try:  # a shutdown must end even when NATS is out of reach: those clients re-IDENTIFY
                checkpoint = self.handover.checkpoint(self.sessions.values(), self.position, final=True)
                await asyncio.wait_for(checkpoint, HANDOVER_TIMEOUT_S)
                log.info("handed %d sessions over", len(self.sessions))
            except Exception:
                log.exception("handing sessions over failed; their clients will re-IDENTIFY")
        connected = [s.conn for s in self.sessions.values() if s.conn is not None]
        for conn in connected:
            conn.push(encode(Op.RECONNECT))
            conn.close(Close.GOING_AWAY, "server going away")
        for task in self._tasks:
            task.cancel()
        for session in self.sessions.values():
            if session.expiry is not None:
                session.expiry.cancel()
        if self._subscription is not None:
            await self._subscription.unsubscribe()
        await self.presence.close()
        if connected:
            await asyncio.sleep(0.05)  # let writers flush the close frames

    async def _reap(self) -> None:
        """End sessions whose resume window passed."""
        window = self.settings.resume_window_s
        while True:
            await asyncio.sleep(1)
            now = time.monotonic()
            for session in list(self.sessions.values()):
                if session.detached_at is not None and now - session.detached_at > window:
                    await self.end(session, moved=await self._moved(session))

    async def _checkpoints(self) -> None:
        """Record every session's anchor each second (see handover.py)."""
        assert self.handover is not None
        while True:
            await asyncio.sleep(CHECKPOINT_S)
            try:
                await self.handover.checkpoint(list(self.sessions.values()), self.position)
            except Exception as exc:  # NATS out of reach: the next round writes what changed
                log.warning("recording session anchors failed: %r", exc)

    async def _sweep(self) -> None:
        """End the sessions of gateways that are gone once nobody resumed them in the resume
        window — what they held (a voice state) would otherwise stay. One gateway per gone node
        does it (a claim), and any may repeat it: ending a session twice changes nothing."""
        assert self.handover is not None
        window = self.settings.resume_window_s
        while True:
            await asyncio.sleep(min(SWEEP_S, window / 2))
            try:
                for node, sessions in (await self.handover.abandoned(window)).items():
                    if not await self.bus.claim("gateway-sweep", node, min(SWEEP_S, window / 2) * 4):
                        continue
                    for session_id, user_id in sessions:
                        await self.backend.session_ended(user_id, session_id)
                    await self.handover.drop(node)
                    log.info("gateway %s is gone: ended the %d sessions nobody resumed", node, len(sessions))
            except Exception as exc:  # NATS or the database out of reach: the next round retries
                log.warning("ending sessions left behind failed: %r", exc)

    async def _moved(self, session: Session) -> bool:
        """Whether another gateway resumed the session since (its client moved there)."""
        if self.handover is None:
            return False
        try:
            return (await self.handover.owner(session.id))[0] != self.node
        except Exception:
            return False

    # ---- fan-out ---------------------------------------------------------------------------

    async def _on_event(self, position: int, env: Envelope) -> None:
        await self._loaded.wait()
        self.position = position
        if env.id in self.seen:  # the outbox relay may publish an event a second time
            return
        if len(self._recent) == self._recent.maxlen:
            del self.seen[self._recent[0]]
        self._recent.append(env.id)
        self.seen[env.id] = position
        if env.name == "SESSIONS_REVOKE":  # before any later event can reach those sessions
            await self.revoke(env.data)
        self.route(env.name, env.data)
        if self.handover is not None and env.name in STRUCTURAL_EVENTS:
            self.handover.note(self.sessions.values(), position)

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
        # Encoded once for every recipient; an event with aliases makes one frame per name.
        dispatches = [Dispatch(n, d) for n in catalog.CATALOG[name].wire_names]
        delivered = 0
        for user_id in users:
            for session in self.by_user.get(user_id, ()):
                for dispatch in dispatches:
                    session.send(dispatch)
                delivered += 1
        metrics.DISPATCHES.labels(name).inc()
        metrics.DELIVERIES.labels(name).inc(delivered)

    # ---- sessions --------------------------------------------------------------------------

    async def begin(self, user_id: str, session: Session | None = None) -> Session:
        """Register a new session (or one resumed from another gateway) and its user's presence."""
        if session is None:  # the id starts with this node's: where to look when it comes back
            session = Session(self.node + secrets.token_hex(8), user_id, self.settings.replay_buffer)
        self.sessions[session.id] = session
        first = user_id not in self.by_user
        self.by_user.setdefault(user_id, set()).add(session)
        if first:
            self.world.user_online(user_id)
            elsewhere = self.presence.statuses.get(user_id)  # online on another gateway: keep their choice
            status = elsewhere if elsewhere is not None else await self.backend.status_of(user_id)
            await self.presence.join(user_id, status)
            if elsewhere is None:
                await self.publish_presence(user_id, status)
        metrics.SESSIONS.set(len(self.sessions))
        return session

    async def end(self, session: Session, *, moved: bool = False) -> None:
        """The session is over here; `moved`: it lives on, resumed on another gateway."""
        if self.sessions.pop(session.id, None) is None:
            return
        if session.expiry is not None:
            session.expiry.cancel()
        if self.handover is not None and not self._closing:
            self.handover.forget(session.id)
        if not moved:
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
            await self.publish_presence(user_id, "offline")

    async def publish_presence(self, user_id: str, status: str) -> None:
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

    def online_among(self, users: Collection[str]) -> int:
        """How many of `users` others see online (any gateway, not invisible): invite previews' count."""
        return len(self._shown_among(users))

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
                    raise Closing(Close.SESSION_TIMED_OUT, "session timed out") from None
                except Disconnected as gone:
                    clean = gone.code in (1000, 1001)
                    break
                if len(raw) > s.max_frame_bytes:
                    raise Closing(Close.DECODE_ERROR, "frame too large")
                now = loop.time()
                frames.append(now)
                while frames and frames[0] <= now - s.rate_limit_window_s:
                    frames.popleft()
                if len(frames) > s.rate_limit_frames:
                    raise Closing(Close.RATE_LIMITED, "rate limited")
                op, d = ops.decode(raw)
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
                        raise Closing(Close.NOT_AUTHENTICATED, "identify first")
                    deadline = loop.time() + s.heartbeat_timeout_ms / 1000
                    continue
                if session.conn is not conn:  # taken over by a RESUME on another connection
                    break
                await ops.handle_op(self, session, op, d)
        except Closing as closing:
            metrics.CLOSES.labels(str(closing.code)).inc()
            log.info("closing connection: %d %s", closing.code, closing.reason)
            if closing.code == Close.INVALID_RESUME and session is None:
                # A RESUME that failed: op 6 first, which clients of the original gateway read as
                # "forget the session" (they would otherwise RESUME it again and again); ours
                # read op 6 before RESUMED, like 4007, as "IDENTIFY anew".
                conn.push(encode(Op.RECONNECT))
            conn.close(closing.code, closing.reason)
        except Exception:
            log.exception("gateway connection failed")
            conn.close(Close.UNKNOWN_ERROR, "unknown error")
        finally:
            if session is not None and session.conn is conn:
                session.detach()
                # A stopping gateway's sessions are for another gateway to resume, voice states
                # included; those nobody resumes are ended by a gateway's sweep.
                if clean and not (self._closing and self.handover is not None):
                    await self.end(session)

    async def _identify(self, conn: Connection, d: Any) -> Session:
        if not isinstance(d, dict) or not isinstance(d.get("token"), str):
            raise Closing(Close.DECODE_ERROR, "IDENTIFY needs a token")
        credential = await self.backend.authenticate(d["token"])
        if credential is None:
            raise Closing(Close.AUTHENTICATION_FAILED, "authentication failed")
        user_id = credential.user_id
        await self.make_room(user_id)
        position = self.position  # begin registers the session before its first await
        session = await self.begin(user_id)
        self.authorize(session, credential)
        session.attach(conn)
        try:
            ready = await self.backend.ready(user_id)
            # A revocation routed between the first check and begin found no session to end.
            revoked = await self.backend.authenticate(d["token"]) is None
        except Exception:
            await self.end(session)
            raise
        if revoked:
            await self.end(session)
            raise Closing(Close.AUTHENTICATION_FAILED, "authentication failed")
        ready.update(session_id=session.id, presences=self._presences_for(user_id))
        await self.send_own(session, Dispatch("READY", ready), position)
        metrics.IDENTIFIES.inc()
        log.info("identified user %s session %s", user_id, session.id)
        return session

    async def _resume(self, conn: Connection, d: Any) -> Session:
        if not isinstance(d, dict) or not all(isinstance(d.get(k), str) for k in ("token", "session_id")):
            raise Closing(Close.DECODE_ERROR, "RESUME needs token, session_id and seq")
        seq = d.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise Closing(Close.DECODE_ERROR, "RESUME needs token, session_id and seq")
        if not isinstance(d.get("ready", True), bool):
            raise Closing(Close.DECODE_ERROR, "RESUME's ready must be true or false")
        credential = await self.backend.authenticate(d["token"])
        if credential is None:
            raise Closing(Close.AUTHENTICATION_FAILED, "authentication failed")
        user_id = credential.user_id
        session = self.sessions.get(d["session_id"])
        if session is not None and session.user_id == user_id and await self._moved(session):
            await self.end(session, moved=True)  # resumed on another gateway since: that copy is current
            session = None
        if session is None and self.handover is not None:
            return await adoption.adopt(self, conn, d, credential, seq)
        if session is None or session.user_id != user_id:
            raise Closing(Close.INVALID_RESUME, "invalid session")
        if session.detached_at is not None and time.monotonic() - session.detached_at > self.settings.resume_window_s:
            await self.end(session)  # its window passed before the reaper's next round came
            raise Closing(Close.INVALID_RESUME, "the resume window has passed")
        frames = session.frames_after(seq)
        if frames is None:
            await self.end(session)
            raise Closing(Close.INVALID_RESUME, "events since seq are no longer buffered")
        if session.conn is not None and session.conn is not conn:
            session.conn.close(Close.INVALID_RESUME, "session resumed elsewhere")
        self.authorize(session, credential)
        session.attach(conn)
        for frame in frames:
            conn.push(frame)
        await self.send_own(session, Dispatch("RESUMED", {"replayed": len(frames)}))
        await self.ready_after_resume(session, d)
        metrics.RESUMES.inc()
        log.info("resumed session %s replaying %d", session.id, len(frames))
        return session

    async def ready_after_resume(self, session: Session, d: dict[str, Any]) -> None:
        """After RESUMED, a fresh READY unless the RESUME said `"ready": false`.

        Clients written for the original gateway (which answered every RESUME with READY) leave
        their "reconnecting" state only on READY; ours keep their cache and send false. Events
        routed while READY is built are held and follow it, as after IDENTIFY."""
        if d.get("ready", True) is False:
            return
        position = self.position
        session.holding = []
        try:
            ready = await self.backend.ready(session.user_id)
        except Exception:
            await self.end(session)
            raise
        ready.update(session_id=session.id, presences=self._presences_for(session.user_id))
        await self.send_own(session, Dispatch("READY", ready), position)

    def authorize(self, session: Session, credential: Credential) -> None:
        """Note the session's token, and end the session when that token expires."""
        session.token_hash = credential.token_hash
        if session.expiry is not None:
            session.expiry.cancel()
        delay = max(credential.expires_at - time.time(), 0.0)
        session.expiry = asyncio.get_running_loop().call_later(delay, self._expire, session)

    def _expire(self, session: Session) -> None:
        self._spawn(self._close_revoked(session, "the token expired"))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    async def revoke(self, d: dict[str, Any]) -> None:
        """SESSIONS_REVOKE: end the user's sessions on this gateway that use the named tokens
        (`token_hashes`), or all of them but those using `all_but`."""
        hashes, keep = d.get("token_hashes"), d.get("all_but")
        for session in list(self.by_user.get(d["user_id"], ())):
            named = session.token_hash in hashes if hashes is not None else session.token_hash != keep
            if named:
                await self._close_revoked(session, "the token was revoked")

    async def _close_revoked(self, session: Session, why: str) -> None:
        """Close with 4004 (the client must not reconnect with that token) and end the session,
        so nothing more is routed to it and a RESUME finds nothing."""
        conn = session.conn
        if conn is not None:
            session.detach()
            conn.close(Close.AUTHENTICATION_FAILED, "authentication failed")
        log.info("session %s of user %s ended: %s", session.id, session.user_id, why)
        await self.end(session)

    async def make_room(self, user_id: str) -> None:
        """Hold each user to `max_sessions_per_user` sessions on this gateway: a new one first
        replaces the user's longest-detached session, and is refused (4008) when all are live."""
        own = self.by_user.get(user_id, set())
        if len(own) < self.settings.max_sessions_per_user:
            return
        detached = [s for s in own if s.conn is None and s.detached_at is not None]
        if not detached:
            raise Closing(Close.RATE_LIMITED, "too many sessions")
        await self.end(min(detached, key=lambda s: s.detached_at or 0.0))

    async def send_own(self, session: Session, dispatch: Dispatch, position: int | None = None) -> None:
        """Send a dispatch that does not come from the stream (READY, RESUMED, GUILD_MEMBERS_CHUNK).

        With a handover store its sync anchor is written first, so another gateway can number
        the session's dispatches past it; live dispatches wait meanwhile. `position`: where the
        session started holding them (default: now)."""
        if session.holding is None:
            session.holding = []
            position = self.position
        if self.handover is not None:
            try:
                sync = self.handover.sync(session, self.position if position is None else position)
                await asyncio.wait_for(sync, SYNC_TIMEOUT_S)
            except Exception as exc:  # the frame goes out regardless; a later anchor covers it
                log.warning("recording the anchor of session %s failed: %r", session.id, exc)
        session.release(dispatch)
