"""The gateway's WebSocket transport: websockets' sans-I/O protocol driven straight from uvicorn's socket.

uvicorn hands every WebSocket upgrade to the class given as its `ws` protocol. For `/ws` on a
process that runs the gateway, that class is `Connection`: it speaks WebSocket with websockets'
sans-I/O `ServerProtocol` and writes each frame to the socket synchronously. Fan-out is then a
plain function call per recipient — no ASGI message, no per-connection writer task, no queue —
which is what makes it cheap (docs/performance.md). The send "queue" of a connection is its
transport's write buffer, bounded in bytes: a peer that stops reading fills only its own buffer
and is closed with 4010, while everyone else's frames go straight to their sockets. Any other
WebSocket path is handed to uvicorn's usual implementation and reaches the ASGI app.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Protocol, cast

from starlette.applications import Starlette
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Opcode
from websockets.http11 import Request
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from amityvox.config import Settings

log = logging.getLogger("amityvox.gateway")
PATH = "/ws"
# websockets logs every handshake at INFO; the gateway logs identify, resume and close itself.
_protocol_log = logging.getLogger("amityvox.gateway.websocket")
_protocol_log.setLevel(logging.WARNING)
CLOSE_TIMEOUT_S = 2.0  # a peer that does not answer our close frame (or never reads) is cut off


class Disconnected(Exception):
    """The peer is gone; `code` is its close code (1006 when the TCP connection just dropped)."""

    def __init__(self, code: int) -> None:
        self.code = code


def app_of(config: Any) -> Starlette | None:
    """The app inside uvicorn's middleware wrappers."""
    app = getattr(config, "loaded_app", None)
    while app is not None and not isinstance(app, Starlette):
        app = getattr(app, "app", None)
    return app


class Serving(Protocol):
    """What a connection needs of the gateway that serves `/ws` (`server.Gateway`)."""

    settings: Settings
    batcher: Batcher

    async def handle(self, conn: Connection) -> None: ...

    async def close(self) -> None: ...


def gateway_of(config: Any) -> Serving | None:
    app = app_of(config)
    return getattr(app.state, "gateway", None) if app is not None else None


class Batcher:
    """Writes what each connection was sent during one event-loop turn with a single call.

    Fan-out pushes frames to many connections; the first frame for a connection marks it, and
    one callback at the end of the turn writes each marked connection's frames together. A
    burst of events then costs one system call per connection instead of one per frame."""

    __slots__ = ("dirty", "scheduled")

    def __init__(self) -> None:
        self.dirty: list[Connection] = []
        self.scheduled = False

    def mark(self, conn: Connection) -> None:
        self.dirty.append(conn)
        if not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self.scheduled = False
        dirty, self.dirty = self.dirty, []
        for conn in dirty:
            conn.write_pending()


class Connection(asyncio.Protocol):
    """One gateway WebSocket: frames in through `receive()`, frames out through `push()`."""

    __slots__ = (
        "_abort",
        "_app_state",
        "_batcher",
        "_config",
        "_fragments",
        "_handler",
        "_inbox",
        "_other",
        "_pending",
        "_pending_size",
        "_server_state",
        "_text",
        "_waiter",
        "closed",
        "gateway",
        "max_buffer",
        "protocol",
        "transport",
    )  # thousands of idle connections: no per-object __dict__

    def __init__(self, config: Any, server_state: Any, app_state: Any, **_: Any) -> None:
        self._config, self._server_state, self._app_state = config, server_state, app_state
        self.gateway = gateway_of(config)
        self.protocol = ServerProtocol(max_size=config.ws_max_size, logger=_protocol_log)
        self.transport: asyncio.Transport | None = None
        self.max_buffer = self.gateway.settings.send_buffer_kib * 1024 if self.gateway else 0
        self.closed = False  # we closed it, or the peer left: push() is a no-op from now on
        self._inbox: deque[str | bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._fragments: list[bytes] = []
        self._text = False  # the type of the fragmented message being assembled
        self._handler: asyncio.Task[None] | None = None
        self._abort: asyncio.TimerHandle | None = None
        self._other: Any = None  # uvicorn's protocol, for WebSocket paths that are not the gateway
        self._pending: list[bytes] = []  # frames pushed this event-loop turn, written together
        self._pending_size = 0
        self._batcher: Batcher = getattr(self.gateway, "batcher", None) or Batcher()

    # ---- asyncio.Protocol --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self._server_state.connections.add(self)

    def data_received(self, data: bytes) -> None:
        if self._other is not None:
            self._other.data_received(data)
            return
        if self._handler is None and self.protocol.state is not OPEN:
            self._handshake(data)
            return
        self.protocol.receive_data(data)
        self._take_events()

    def eof_received(self) -> bool | None:
        if self._other is not None:
            return self._other.eof_received()
        self.protocol.receive_eof()
        self._take_events()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._other is not None:
            self._other.connection_lost(exc)
            return
        self._server_state.connections.discard(self)
        self.closed = True
        if self._abort is not None:
            self._abort.cancel()
        self._wake()

    def pause_writing(self) -> None:
        if self._other is not None:
            self._other.pause_writing()

    def resume_writing(self) -> None:
        if self._other is not None:
            self._other.resume_writing()

    def shutdown(self) -> None:
        """uvicorn's shutdown: the gateway has normally closed us with 1001 already."""
        if self._other is not None:
            self._other.shutdown()
            return
        self.close(1012, "server restarting")

    # ---- handshake ---------------------------------------------------------------------------

    def _handshake(self, data: bytes) -> None:
        self.protocol.receive_data(data)
        events = self.protocol.events_received()
        if not events:
            return  # the request is not complete yet
        request = events[0]
        assert isinstance(request, Request)
        if self.gateway is None or request.path.split("?", 1)[0] != PATH:
            self._hand_over(data)
            return
        response = self.protocol.accept(request)
        self.protocol.send_response(response)
        self._flush()
        if self.protocol.state is OPEN:
            self._handler = asyncio.get_running_loop().create_task(self.gateway.handle(self))
        else:
            self._after_close()

    def _hand_over(self, data: bytes) -> None:
        """Not the gateway: uvicorn's own WebSocket implementation serves it through the ASGI app.

        uvicorn installs this object as the transport's protocol after this call returns, so it
        stays in place and forwards every callback."""
        assert self.transport is not None
        self._server_state.connections.discard(self)
        self._other = WebSocketsSansIOProtocol(
            config=self._config, server_state=self._server_state, app_state=self._app_state
        )
        self._other.connection_made(self.transport)
        self._other.data_received(data)

    # ---- receiving ---------------------------------------------------------------------------

    def _take_events(self) -> None:
        for frame in self.protocol.events_received():
            opcode = frame.opcode  # type: ignore[union-attr]
            if self.closed:
                break  # whatever the peer sends after our close frame is not read
            if opcode is Opcode.TEXT or opcode is Opcode.BINARY or opcode is Opcode.CONT:
                self._fragments.append(frame.data)  # type: ignore[union-attr]
                if frame.fin:  # type: ignore[union-attr]
                    payload = b"".join(self._fragments)
                    text = opcode is Opcode.TEXT or (opcode is Opcode.CONT and self._text)
                    self._fragments = []
                    if not text:
                        self._inbox.append(payload)
                        continue
                    try:
                        self._inbox.append(payload.decode())
                    except UnicodeDecodeError:  # RFC 6455 §8.1: a text message must be UTF-8
                        self.close(1007, "text frame is not valid UTF-8")
                        break
                elif opcode is not Opcode.CONT:
                    self._text = opcode is Opcode.TEXT
        self._flush()  # pongs, the answer to a close, protocol errors
        self._after_close()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def receive(self) -> str | bytes:
        """The next message; raises Disconnected once the peer closed or vanished."""
        while not self._inbox:
            if self.transport is None or self.transport.is_closing() or self.protocol.close_rcvd is not None:
                raise Disconnected(self._close_code())
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._inbox.popleft()

    def _close_code(self) -> int:
        received = self.protocol.close_rcvd
        return received.code if received is not None else 1006

    # ---- sending -----------------------------------------------------------------------------

    def push(self, data: bytes) -> bool:
        """Queue a text frame (its UTF-8 payload) for this turn's write; False when this peer already has too much
        unread (the caller closes with 4010). A frame is taken whole while under the bound."""
        transport = self.transport
        if self.closed or transport is None or self.protocol.state is not OPEN:
            return True
        if transport.get_write_buffer_size() + self._pending_size > self.max_buffer:
            return False
        n = len(data)
        # A server's text frame: FIN + opcode 1, unmasked, no extensions are ever negotiated.
        if n < 126:
            header = b"\x81" + n.to_bytes(1, "big")
        elif n < 65536:
            header = b"\x81\x7e" + n.to_bytes(2, "big")
        else:
            header = b"\x81\x7f" + n.to_bytes(8, "big")
        if not self._pending:
            self._batcher.mark(self)
        self._pending.append(header)
        self._pending.append(data)
        self._pending_size += len(header) + n
        return True

    def write_pending(self) -> None:
        """Everything queued since the last turn, in one write (one system call)."""
        if not self._pending:
            return
        pending, self._pending, self._pending_size = self._pending, [], 0
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(b"".join(pending))

    def close(self, code: int, reason: str = "") -> None:
        """Send a close frame after what is already written; cut the peer off if it never answers."""
        if self.closed or self.transport is None:
            return
        self.closed = True
        if self.protocol.state is OPEN:
            self.protocol.send_close(code, reason)
            self._flush()
        self._after_close()
        if self._abort is None and self.transport is not None:
            self._abort = asyncio.get_running_loop().call_later(CLOSE_TIMEOUT_S, self.transport.abort)

    def _flush(self) -> None:
        """Write the protocol's own output (pongs, close frames) after the frames queued before it."""
        self.write_pending()
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        for data in self.protocol.data_to_send():
            if data:
                transport.write(data)
            else:  # end of the stream: the close handshake is done
                transport.close()
                return

    def _after_close(self) -> None:
        if self.protocol.close_expected() and self.transport is not None and self._abort is None:
            self.closed = True
            self._abort = asyncio.get_running_loop().call_later(CLOSE_TIMEOUT_S, self.transport.abort)
