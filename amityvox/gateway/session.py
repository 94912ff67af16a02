"""A gateway session: its sequence and replay buffer, and (while connected) its connection."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from amityvox.gateway.protocol import Close, Dispatch
from amityvox.gateway.transport import Connection

log = logging.getLogger("amityvox.gateway")


class Session:
    """Outlives its connection for the resume window, buffering every dispatch for RESUME."""

    __slots__ = ("conn", "detached_at", "expiry", "holding", "id", "replay", "seq", "token_hash", "user_id")

    def __init__(self, session_id: str, user_id: str, replay_size: int) -> None:
        self.id = session_id
        self.user_id = user_id
        self.token_hash = ""  # of the token it identified (or last resumed) with: revocations name it
        self.expiry: asyncio.TimerHandle | None = None  # ends the session when that token expires
        self.seq = 0
        # (seq, dispatch): the dispatch is shared by every recipient, so a buffered event costs a
        # session a tuple, not its own copy of the frame; a RESUME splices the frames again.
        self.replay: deque[tuple[int, Dispatch]] = deque(maxlen=replay_size)
        self.conn: Connection | None = None
        self.detached_at: float | None = None
        # Dispatches routed while READY is being built; sequenced after READY.
        self.holding: list[Dispatch] | None = []

    def send(self, dispatch: Dispatch) -> None:
        if self.holding is not None:
            self.holding.append(dispatch)
            return
        self.seq += 1
        self.replay.append((self.seq, dispatch))
        conn = self.conn
        if conn is not None and not conn.push(dispatch.frame(self.seq)):
            log.info("session %s: send buffer overflow, closing 4010", self.id)
            conn.close(Close.SLOW_CONSUMER, "send buffer overflow")
            self.detach()

    def release(self, ready: Dispatch) -> None:
        """Send READY (or RESUMED, GUILD_MEMBERS_CHUNK) first, then whatever was routed meanwhile.

        READY is not kept for replay: a client learns its session_id from READY, so any RESUME
        comes after it (seq >= 1), READY is often the largest frame a session ever gets, and a
        READY after a RESUME is sent again after the next one."""
        held, self.holding = self.holding or [], None
        self.send(ready)
        if ready.name == "READY" and self.replay and self.replay[-1][0] == self.seq:
            self.replay.pop()
        for d in held:
            self.send(d)

    def frames_after(self, seq: int) -> list[bytes] | None:
        """Frames with s > seq, or None if some of them are no longer buffered (or seq is impossible)."""
        if seq < 1 or seq > self.seq:
            return None
        if seq == self.seq:
            return []
        if not self.replay or self.replay[0][0] > seq + 1:
            return None
        return [dispatch.frame(s) for s, dispatch in self.replay if s > seq]

    def attach(self, conn: Connection) -> None:
        self.conn = conn
        self.detached_at = None

    def detach(self) -> None:
        self.conn = None
        if self.detached_at is None:
            self.detached_at = time.monotonic()
