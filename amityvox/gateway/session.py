"""A gateway session: its sequence, replay buffer and (while connected) one connection's send queue."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from amityvox.gateway.protocol import Close, Dispatch

log = logging.getLogger("amityvox.gateway")


class Connection:
    """One WebSocket. A dedicated writer drains a bounded queue, so a slow peer only hurts itself."""

    __slots__ = ("closed", "queue", "writer", "ws")

    def __init__(self, ws: Any, max_queue: int) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[str | tuple[int, str]] = asyncio.Queue(max_queue)
        self.closed = False
        self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while True:
                item = await self.queue.get()
                if isinstance(item, tuple):
                    await self.ws.close(code=item[0], reason=item[1])
                    return
                await self.ws.send_text(item)
        except Exception:  # the peer vanished; the reader notices and cleans up
            pass
        finally:
            self.closed = True

    def push(self, frame: str) -> bool:
        """Queue a frame; False when the queue is full (the caller closes with 4010)."""
        if self.closed:
            return True
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            return False
        return True

    def close(self, code: int, reason: str = "") -> None:
        """Close after the frames already queued (or at once when the queue is full)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.queue.put_nowait((code, reason))
        except asyncio.QueueFull:
            self.writer.cancel()
            task = asyncio.ensure_future(_close_now(self.ws, code, reason))
            _closing.add(task)
            task.add_done_callback(_closing.discard)


_closing: set[asyncio.Future[None]] = set()  # keeps close tasks alive until they finish


async def _close_now(ws: Any, code: int, reason: str) -> None:
    try:
        await ws.close(code=code, reason=reason)
    except Exception:
        pass


class Session:
    """Outlives its connection for the resume window, buffering every dispatch for RESUME."""

    __slots__ = ("conn", "detached_at", "holding", "id", "replay", "seq", "user_id")

    def __init__(self, session_id: str, user_id: str, replay_size: int) -> None:
        self.id = session_id
        self.user_id = user_id
        self.seq = 0
        self.replay: deque[tuple[int, str]] = deque(maxlen=replay_size)
        self.conn: Connection | None = None
        self.detached_at: float | None = None
        # Dispatches routed while READY is being built; sequenced after READY.
        self.holding: list[Dispatch] | None = []

    def send(self, dispatch: Dispatch) -> None:
        if self.holding is not None:
            self.holding.append(dispatch)
            return
        self.seq += 1
        frame = dispatch.frame(self.seq)
        self.replay.append((self.seq, frame))
        conn = self.conn
        if conn is not None and not conn.push(frame):
            log.info("session %s: send queue overflow, closing 4010", self.id)
            conn.close(Close.SLOW_CONSUMER, "send queue overflow")
            self.detach()

    def release(self, ready: Dispatch) -> None:
        """Send READY first, then whatever was routed meanwhile.

        READY is not kept for replay: a client learns its session_id from READY, so any RESUME
        comes after it (seq >= 1) and READY is often the largest frame a session ever gets."""
        held, self.holding = self.holding or [], None
        self.send(ready)
        if self.replay and self.replay[-1][0] == 1:
            self.replay.pop()
        for d in held:
            self.send(d)

    def frames_after(self, seq: int) -> list[str] | None:
        """Frames with s > seq, or None if some of them are no longer buffered (or seq is impossible)."""
        if seq < 1 or seq > self.seq:
            return None
        if seq == self.seq:
            return []
        if not self.replay or self.replay[0][0] > seq + 1:
            return None
        return [frame for s, frame in self.replay if s > seq]

    def attach(self, conn: Connection) -> None:
        self.conn = conn
        self.detached_at = None

    def detach(self) -> None:
        self.conn = None
        if self.detached_at is None:
            self.detached_at = time.monotonic()
