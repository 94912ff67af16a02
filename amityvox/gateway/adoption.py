"""Resuming a session that another gateway owned — one that stopped or was killed — from the
anchors it recorded and the events stream (handover.py): the session's dispatches since the
client's `seq` are rebuilt and numbered as its old gateway numbered them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Mapping
from typing import Any, Protocol

from amityvox.config import Settings
from amityvox.events import catalog
from amityvox.events.types import Scope
from amityvox.gateway import metrics
from amityvox.gateway.backend import Credential
from amityvox.gateway.handover import Anchor, Handover
from amityvox.gateway.indexes import STRUCTURAL_EVENTS, World
from amityvox.gateway.protocol import Close, Closing, Dispatch
from amityvox.gateway.router import recipients
from amityvox.gateway.session import Session
from amityvox.gateway.transport import Connection

log = logging.getLogger("amityvox.gateway")


class Host(Protocol):
    """What adopting a session needs of the gateway (`server.Gateway`)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def node(self) -> str: ...

    @property
    def handover(self) -> Handover | None: ...

    @property
    def position(self) -> int: ...

    @property
    def seen(self) -> Mapping[str, int]: ...

    @property
    def world(self) -> World: ...

    @property
    def by_user(self) -> Mapping[str, set[Session]]: ...

    async def make_room(self, user_id: str) -> None: ...

    async def begin(self, user_id: str, session: Session | None = None) -> Session: ...

    def authorize(self, session: Session, credential: Credential) -> None: ...

    async def end(self, session: Session, *, moved: bool = False) -> None: ...

    async def send_own(self, session: Session, dispatch: Dispatch, position: int | None = None) -> None: ...

    async def ready_after_resume(self, session: Session, d: dict[str, Any]) -> None: ...


async def adopt(gateway: Host, conn: Connection, d: dict[str, Any], credential: Credential, seq: int) -> Session:
    """Resume a session another gateway owned, from its anchors and the stream (handover.py)."""
    handover = gateway.handover
    assert handover is not None
    session_id: str = d["session_id"]
    user_id = credential.user_id
    found = await handover.find(session_id)
    if found is None or found.user_id != user_id or found.owner == gateway.node:
        raise Closing(Close.INVALID_RESUME, "invalid session")
    if time.time() - found.written_at > gateway.settings.resume_window_s:
        raise Closing(Close.INVALID_RESUME, "the resume window has passed")
    start = next((a for a in reversed(found.anchors) if a.seq <= seq), None)
    if start is None:
        raise Closing(Close.INVALID_RESUME, "events since seq are no longer buffered")
    later = deque(a for a in found.anchors if (a.position, a.seq) > (start.position, start.seq))
    if later and not await _reached(gateway, later[-1].position):
        raise Closing(Close.INVALID_RESUME, "this gateway is behind the session: try again")
    if start.position + 1 < await handover.history.first_position():
        raise Closing(Close.INVALID_RESUME, "events since seq are past the stream's retention")
    await gateway.make_room(user_id)
    session = Session(session_id, user_id, gateway.settings.replay_buffer)
    position = gateway.position  # begin registers the session (holding) before its first await
    await gateway.begin(user_id, session)
    gateway.authorize(session, credential)
    try:
        frames, session.seq = await _rebuild(gateway, handover, session, start, later, seq, position)
        if not await handover.claim(session_id, found):
            raise Closing(Close.INVALID_RESUME, "session resumed elsewhere")
    except BaseException:
        await gateway.end(session, moved=True)
        raise
    session.replay.extend(frames)
    session.attach(conn)
    sent = [d.frame(s) for s, d in frames if s > seq]
    for frame in sent:
        conn.push(frame)
    await gateway.send_own(session, Dispatch("RESUMED", {"replayed": len(sent)}), position)
    await gateway.ready_after_resume(session, d)
    metrics.RESUMES.inc()
    log.info("resumed session %s of gateway %s replaying %d", session_id, found.owner, len(sent))
    return session


async def _rebuild(
    gateway: Host, handover: Handover, session: Session, start: Anchor, later: deque[Anchor], seq: int, upto: int
) -> tuple[list[tuple[int, Dispatch]], int]:
    """The session's dispatches after `start` up to stream position `upto`, numbered as its
    old gateway numbered them (every later anchor must agree on the way), and its `s` then."""
    count = start.seq
    frames: list[tuple[int, Dispatch]] = []

    def passing(position: int) -> None:
        nonlocal count
        while later and later[0].position <= position:
            anchor = later.popleft()
            expected = anchor.seq - 1 if anchor.sync else anchor.seq
            if count != expected:
                log.warning("session %s: rebuilt %d dispatches, its gateway sent %d", session.id, count, expected)
                raise Closing(Close.INVALID_RESUME, "the session could not be rebuilt")
            if anchor.sync and seq < anchor.seq:
                raise Closing(Close.INVALID_RESUME, "a dispatch since seq cannot be sent again")
            count = anchor.seq

    passing(start.position)
    async for position, env in handover.history.read(start.position, upto):
        passing(position - 1)
        if gateway.seen.get(env.id, position) < position:
            continue  # a second copy of an event: its gateway dropped it too
        event = catalog.CATALOG.get(env.name)
        if event is None or not event.client_visible or event.audience.scope is Scope.SESSION:
            continue
        if env.name in STRUCTURAL_EVENTS:
            log.info("session %s: %s at %d changed who sees what", session.id, env.name, position)
            raise Closing(Close.INVALID_RESUME, "who sees what changed meanwhile: identify anew")
        if session.user_id in recipients(gateway.world, event, env.data, gateway.by_user):
            for name in event.wire_names:
                count += 1
                frames.append((count, Dispatch(name, env.data)))
    passing(upto)
    if seq > count:
        raise Closing(Close.INVALID_RESUME, "seq is ahead of the session")
    return frames, count


async def _reached(gateway: Host, position: int, patience: float = 2.0) -> bool:
    """Wait (briefly) until this gateway has routed up to `position`."""
    deadline = time.monotonic() + patience
    while gateway.position < position:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
