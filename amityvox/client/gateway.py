"""Gateway client (docs/protocol.md): IDENTIFY or RESUME, heartbeats with zombie detection, reconnects.

Every dispatch first goes through the hooks (the `Client` applies it to its `State` there),
then resolves `wait_for` waiters, then reaches listeners. Three client-local events report
the connection itself: GATEWAY_DISCONNECTED on every lost or failed connection,
GATEWAY_AUTH_FAILED on close 4004 (the client stops: the token is no good), and
GATEWAY_EXHAUSTED when `max_attempts` connections in a row failed (the client stops).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import websockets
from websockets.asyncio.client import ClientConnection, connect

from amityvox.client.errors import GatewayError
from amityvox.events import CATALOG

log = logging.getLogger("amityvox.client")

JSON = dict[str, Any]
Hook = Callable[[str, JSON], None]
Check = Callable[[JSON], bool]

# Opcodes (docs/protocol.md#opcodes).
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE_UPDATE, RESUME = 0, 1, 2, 3, 4, 5
RECONNECT, REQUEST_MEMBERS, TYPING, SUBSCRIBE, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11
AUTHENTICATION_FAILED, INVALID_RESUME = 4004, 4007
# Closing with 1000/1001 ends the server-side session; any other code keeps it resumable.
_CLOSE_RESUMABLE = 4000


def gateway_ws_url(url: str) -> str:
    """`http://host:port` (with or without /api/v1) or `ws://host:port[/ws]` → `ws://host:port/ws`."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    if scheme in ("http", "https") or not path.endswith("/ws"):
        path = path.removesuffix("/api/v1") + "/ws"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


@dataclass
class _Drop:
    """How a connection ended."""

    code: int | None = None
    reason: str | None = None
    established: bool = False  # READY or RESUMED was received on it
    invalid_session: bool = False  # the session cannot be resumed: IDENTIFY next time
    immediate: bool = False  # reconnect at once (RECONNECT, invalid session, zombie)


@dataclass
class _Waiter:
    name: str
    check: Check | None
    future: asyncio.Future[JSON]


class GatewayClient:
    """One gateway connection, kept alive: reconnects resume the session when they can.

    `backoff` holds the delays (seconds) before successive reconnects, the last one repeating;
    each is stretched by up to `jitter` (a fraction) at random. `heartbeat_ack_timeout`
    (seconds; default twice the heartbeat interval) is how long an unanswered heartbeat may
    wait before the connection counts as a zombie and is replaced.
    """

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        intents: int | None = None,
        max_attempts: int = 10,
        backoff: Iterable[float] = (1, 2, 5, 10, 30),
        jitter: float = 0.5,
        heartbeat_ack_timeout: float | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        self.url = gateway_ws_url(url)
        self.token = token
        self.intents = intents
        self.max_attempts = max_attempts
        self.backoff = tuple(backoff) or (1.0,)
        self.jitter = jitter
        self.heartbeat_ack_timeout = heartbeat_ack_timeout
        self.connect_timeout = connect_timeout
        self.session_id: str | None = None
        self.seq: int | None = None
        self.connected = False
        self.connects = 0  # connection attempts made, successful or not
        self.stop_reason: GatewayError | None = None
        self.errors: list[BaseException] = []  # exceptions raised by hooks and listeners
        self._hooks: list[Hook] = []
        self._listeners: dict[str, list[Callable[..., Any]]] = defaultdict(list)
        self._waiters: list[_Waiter] = []
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._established = asyncio.Event()
        self._beat_sent_at: float | None = None  # an unanswered heartbeat's send time
        self._acks: deque[asyncio.Future[None] | None] = deque()  # one per heartbeat in flight; None: a beat
        self._zombie = False

    # ---- listeners -----------------------------------------------------------------------------

    def add_hook(self, hook: Hook) -> None:
        """Run `hook(name, d)` for every event before waiters and listeners (synchronously, in order)."""
        self._hooks.append(hook)

    def add_listener(self, name: str, listener: Callable[..., Any]) -> None:
        """Call `listener(d)` for every `name` event, or `listener(name, d)` for `"*"`.

        A coroutine function runs as a task, so a slow listener never holds up the connection.
        """
        if name != "*" and name not in CATALOG:
            raise KeyError(f"unknown event {name!r}: not in the event catalog")
        self._listeners[name].append(listener)

    def remove_listener(self, name: str, listener: Callable[..., Any]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners[name].remove(listener)

    def on(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator form of `add_listener`: `@client.on("MESSAGE_CREATE")`."""
        if name != "*" and name not in CATALOG:
            raise KeyError(f"unknown event {name!r}: not in the event catalog")

        def register(listener: Callable[..., Any]) -> Callable[..., Any]:
            self.add_listener(name, listener)
            return listener

        return register

    def wait_for(self, name: str, check: Check | None = None, timeout: float = 5) -> Awaitable[JSON]:
        """The next `name` event's payload for which `check` holds.

        The waiter is registered when this is called, so an event arriving between the call and
        the `await` is not missed: `w = gw.wait_for("USER_UPDATE"); await act(); d = await w`.
        Raises TimeoutError after `timeout` seconds.
        """
        waiter = _Waiter(name, check, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        return self._wait(waiter, timeout)

    async def _wait(self, waiter: _Waiter, timeout: float) -> JSON:
        try:
            return await asyncio.wait_for(waiter.future, timeout)
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _emit(self, name: str, d: JSON) -> None:
        for hook in self._hooks:
            try:
                hook(name, d)
            except Exception as exc:
                self.errors.append(exc)
                log.exception("applying %s failed", name)
        for waiter in list(self._waiters):
            if waiter.name == name and not waiter.future.done():
                try:
                    matched = waiter.check is None or waiter.check(d)
                except Exception as exc:
                    waiter.future.set_exception(exc)
                    continue
                if matched:
                    waiter.future.set_result(d)
        calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [(fn, (d,)) for fn in self._listeners.get(name, ())]
        calls += [(fn, (name, d)) for fn in self._listeners.get("*", ())]
        for fn, args in calls:
            try:
                result = fn(*args)
            except Exception as exc:
                self.errors.append(exc)
                log.exception("listener for %s failed", name)
                continue
            if inspect.isawaitable(result):
                self._spawn(self._guard(name, result))

    async def _guard(self, name: str, pending: Awaitable[Any]) -> None:
        try:
            await pending
        except Exception as exc:
            self.errors.append(exc)
            log.exception("listener for %s failed", name)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ---- lifecycle -----------------------------------------------------------------------------

    async def start(self, wait: bool = True, timeout: float | None = None) -> None:
        """Connect in the background; with `wait`, return once READY (or RESUMED) arrived.

        Raises GatewayError when the client stops before that (4004 or reconnects used up).
        """
        if self._task is not None and not self._task.done():
            raise RuntimeError("the gateway client is already running")
        self._closing = False
        self.stop_reason = None
        self._established = asyncio.Event()
        self._task = asyncio.create_task(self._run())
        if not wait:
            return
        established = asyncio.ensure_future(self._established.wait())
        try:
            await asyncio.wait({established, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            established.cancel()
        if self._established.is_set():
            return
        if self._task.done():
            raise self.stop_reason or GatewayError("the gateway client stopped")
        raise TimeoutError("no READY from the gateway in time")

    async def wait_stopped(self) -> None:
        """Wait until the client has stopped for good (closed, 4004 or reconnects used up)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def close(self) -> None:
        """Close the connection and end the session (the server marks the user offline if it was
        their last one); nothing reconnects afterwards."""
        self._closing = True
        was_connected = self.connected
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(1000, "client closing"), 2)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._background):
            task.cancel()
        if was_connected:
            self.connected = False
            self._emit("GATEWAY_DISCONNECTED", {"code": 1000, "reason": "closed by the client"})

    async def _run(self) -> None:
        failures = 0  # connection attempts in a row that did not reach READY/RESUMED
        step = 0  # position in `backoff`
        delay: float | None = None  # None: the first connection
        while not self._closing:
            if delay:
                await asyncio.sleep(delay)
            drop = await self._connect_once()
            if self._closing:
                return
            self.connected = False
            if drop.established:
                failures, step = 0, 0
            else:
                failures += 1
            if drop.code == AUTHENTICATION_FAILED:
                self._emit("GATEWAY_AUTH_FAILED", {"code": AUTHENTICATION_FAILED})
                self.stop_reason = GatewayError("authentication failed: log in again", AUTHENTICATION_FAILED)
                return
            immediate = drop.immediate
            if drop.invalid_session or drop.code == INVALID_RESUME:
                self.session_id, self.seq = None, None
                immediate = True  # IDENTIFY anew at once
            payload: JSON = {}
            if drop.code is not None:
                payload["code"] = drop.code
            if drop.reason:
                payload["reason"] = drop.reason
            self._emit("GATEWAY_DISCONNECTED", payload)
            if failures >= self.max_attempts:
                self._emit("GATEWAY_EXHAUSTED", {"attempts": failures})
                self.stop_reason = GatewayError(f"gave up after {failures} failed connection attempts")
                return
            # At most one immediate reconnect in a row, so a server that keeps asking cannot spin us.
            if immediate and failures <= 1 and delay != 0:
                delay = 0
            else:
                base = self.backoff[min(step, len(self.backoff) - 1)]
                delay = base * (1 + random.uniform(0, self.jitter))
                step += 1

    # ---- one connection ------------------------------------------------------------------------

    async def _connect_once(self) -> _Drop:
        self.connects += 1
        try:
            ws = await connect(
                self.url,
                max_size=None,
                ping_interval=None,  # the protocol's own heartbeats watch the connection
                open_timeout=self.connect_timeout,
                close_timeout=2,
            )
        except (OSError, TimeoutError, websockets.InvalidHandshake, websockets.InvalidURI) as exc:
            return _Drop(reason=str(exc) or type(exc).__name__)
        self._ws = ws
        self._zombie = False
        drop = _Drop()
        heartbeat: asyncio.Task[None] | None = None
        try:
            hello = orjson.loads(await asyncio.wait_for(ws.recv(), self.connect_timeout))
            if hello.get("op") != HELLO:
                await ws.close(_CLOSE_RESUMABLE, "expected HELLO")
                return _Drop(reason="the server did not start with HELLO")
            interval = hello["d"]["heartbeat_interval"] / 1000
            resuming = self.session_id is not None and self.seq is not None
            if resuming:
                # ready=false: the cache is kept, so no fresh READY after RESUMED.
                resume = {"token": self.token, "session_id": self.session_id, "seq": self.seq, "ready": False}
                await self._send(ws, RESUME, resume)
            else:
                identify: JSON = {"token": self.token}
                if self.intents is not None:
                    identify["intents"] = self.intents
                await self._send(ws, IDENTIFY, identify)
            heartbeat = asyncio.create_task(self._heartbeat(ws, interval))
            async for raw in ws:
                frame = orjson.loads(raw)
                op = frame.get("op")
                if op == DISPATCH:
                    self.seq = frame.get("s", self.seq)
                    name, d = frame.get("t"), frame.get("d")
                    if name == "READY":
                        self.session_id = d["session_id"]
                    if name in ("READY", "RESUMED"):
                        drop.established = True
                        self.connected = True
                        self._established.set()
                    self._emit(str(name), d if isinstance(d, dict) else {})
                elif op == HEARTBEAT_ACK:
                    self._on_heartbeat_ack()
                elif op == HEARTBEAT:
                    await self._beat(ws, None)
                elif op == RECONNECT:
                    # After a RESUME that has not succeeded, RECONNECT means the session is gone.
                    drop.invalid_session = resuming and not drop.established
                    drop.immediate = True
                    drop.reason = "the server asked to reconnect"
                    await ws.close(_CLOSE_RESUMABLE, "reconnecting")
                    break
        except websockets.ConnectionClosed:
            pass
        except (TimeoutError, OSError, ValueError, KeyError, TypeError) as exc:
            drop.reason = f"bad or missing frame: {exc!r}"
            with contextlib.suppress(Exception):
                ws.transport.abort()
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
            self._ws = None
            self.connected = False
            while self._acks:  # pings of this connection will never be answered
                pending = self._acks.popleft()
                if pending is not None and not pending.done():
                    pending.set_exception(ConnectionError("the gateway connection closed"))
        if self._zombie:
            drop.reason = "no heartbeat ACK: the connection is a zombie"
            drop.immediate = True
        elif not drop.immediate and ws.protocol.close_rcvd is not None:
            drop.code = ws.protocol.close_rcvd.code
            drop.reason = drop.reason or ws.protocol.close_rcvd.reason or None
        elif drop.reason is None:
            drop.reason = "connection lost"
        return drop

    async def _heartbeat(self, ws: ClientConnection, interval: float) -> None:
        """Beat every `interval`; an ACK missing for `heartbeat_ack_timeout` makes a zombie."""
        loop = asyncio.get_running_loop()
        ack_timeout = self.heartbeat_ack_timeout or 2 * interval
        self._beat_sent_at = None
        next_beat = loop.time() + interval
        while True:
            deadline = self._beat_sent_at + ack_timeout if self._beat_sent_at is not None else float("inf")
            await asyncio.sleep(max(0.0, min(next_beat, deadline) - loop.time()))
            now = loop.time()
            if self._beat_sent_at is not None and now >= self._beat_sent_at + ack_timeout:
                log.warning("no heartbeat ACK for %.1fs: reconnecting", ack_timeout)
                self._zombie = True
                ws.transport.abort()  # a zombie will not answer a close handshake either
                return
            if now >= next_beat:
                if self._beat_sent_at is None:
                    self._beat_sent_at = now
                    with contextlib.suppress(websockets.ConnectionClosed):
                        await self._beat(ws, None)
                next_beat = now + interval

    def _on_heartbeat_ack(self) -> None:
        self._beat_sent_at = None
        if self._acks:  # the server answers every heartbeat, in order
            pending = self._acks.popleft()
            if pending is not None and not pending.done():
                pending.set_result(None)

    async def _beat(self, ws: ClientConnection, pending: asyncio.Future[None] | None) -> None:
        self._acks.append(pending)
        await self._send(ws, HEARTBEAT, self.seq)

    async def ping(self, timeout: float = 10) -> None:
        """A heartbeat round trip. The server answers after everything it queued for this session
        before reading the heartbeat, so once this returns those frames have all been handled."""
        ws = self._ws
        if ws is None or not self.connected:
            raise ConnectionError("the gateway is not connected")
        pending: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._beat(ws, pending)
        await asyncio.wait_for(pending, timeout)

    # ---- sending -------------------------------------------------------------------------------

    @staticmethod
    async def _send(ws: ClientConnection, op: int, d: Any) -> None:
        await ws.send(orjson.dumps({"op": op, "d": d}).decode())

    async def send(self, op: int, d: Any = None) -> None:
        """Send one frame on the live connection; ConnectionError when there is none."""
        ws = self._ws
        if ws is None or not self.connected:
            raise ConnectionError("the gateway is not connected")
        await self._send(ws, op, d)

    async def send_typing(self, channel_id: str) -> None:
        """op 8: announce typing in a channel (its other viewers get TYPING_START)."""
        await self.send(TYPING, {"channel_id": channel_id})

    async def update_presence(self, status: str) -> None:
        """op 3: one of online, idle, focus, busy, invisible."""
        await self.send(PRESENCE_UPDATE, {"status": status})

    async def update_voice_state(
        self,
        guild_id: str | None,
        channel_id: str | None,
        self_mute: bool = False,
        self_deaf: bool = False,
        self_video: bool | None = None,
    ) -> None:
        """op 4: join, move within or (channel_id None) leave voice; `self_video`: the camera is on."""
        d: JSON = {"channel_id": channel_id, "self_mute": self_mute, "self_deaf": self_deaf}
        if guild_id is not None:
            d["guild_id"] = guild_id
        if self_video is not None:
            d["self_video"] = self_video
        await self.send(VOICE_STATE_UPDATE, d)

    async def request_members(self, guild_id: str, query: str = "", limit: int = 100, timeout: float = 5) -> JSON:
        """op 7: the GUILD_MEMBERS_CHUNK payload answering it."""
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        waiter = _Waiter("GUILD_MEMBERS_CHUNK", lambda d: d.get("guild_id") == guild_id, future)
        self._waiters.append(waiter)
        try:
            await self.send(REQUEST_MEMBERS, {"guild_id": guild_id, "query": query, "limit": limit})
        except BaseException:
            self._waiters.remove(waiter)
            raise
        return await self._wait(waiter, timeout)

    async def subscribe(self, channel_ids: list[str]) -> None:
        """op 9: opt in to high-volume events of these channels."""
        await self.send(SUBSCRIBE, {"channel_ids": list(channel_ids)})
