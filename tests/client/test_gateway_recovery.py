"""GatewayClient recovery against scripted servers: zombies, RECONNECT, failed resumes, dead ports."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
import pytest
from websockets.asyncio.server import ServerConnection, serve

from amityvox.client import GatewayClient, GatewayError
from amityvox.client.gateway import gateway_ws_url
from amityvox.events import validate

Script = Callable[[ServerConnection, int, dict[str, Any]], Awaitable[None]]
FAST: dict[str, Any] = {"backoff": (0.02,), "jitter": 0.0}


class Scripted:
    """A gateway that says HELLO, records each connection's first frame, then runs `script`."""

    def __init__(self, script: Script, interval_ms: int = 50) -> None:
        self.script = script
        self.interval_ms = interval_ms
        self.firsts: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.url = ""

    async def handle(self, ws: ServerConnection) -> None:
        number = len(self.firsts)
        await send(ws, 10, {"heartbeat_interval": self.interval_ms, "build_version": "test"})
        first = orjson.loads(await ws.recv())
        self.firsts.append(first)
        await self.script(ws, number, first)
        async for raw in ws:  # keep the connection open; count heartbeats, never ACK them
            if orjson.loads(raw).get("op") == 1:
                self.heartbeats += 1


async def send(ws: ServerConnection, op: int, d: Any = None, t: str | None = None, s: int | None = None) -> None:
    frame: dict[str, Any] = {"op": op, "d": d}
    if t is not None:
        frame.update(t=t, s=s)
    await ws.send(orjson.dumps(frame).decode())


def ready(session_id: str = "sess") -> dict[str, Any]:
    return {"session_id": session_id}


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Script], Awaitable[Scripted]]]:
    servers: list[Any] = []

    async def start(script: Script) -> Scripted:
        fake = Scripted(script)
        server = await serve(fake.handle, "127.0.0.1", 0)
        servers.append(server)
        port = next(iter(server.sockets)).getsockname()[1]
        fake.url = f"ws://127.0.0.1:{port}/ws"
        return fake

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def record(client: GatewayClient) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    client.add_listener("*", lambda name, d: seen.append((name, d)))
    return seen


def test_gateway_url_accepts_http_and_ws_forms() -> None:
    assert gateway_ws_url("http://h:1") == "ws://h:1/ws"
    assert gateway_ws_url("https://h/api/v1") == "wss://h/ws"
    assert gateway_ws_url("ws://h:1/ws") == "ws://h:1/ws"
    assert gateway_ws_url("ws://h:1") == "ws://h:1/ws"


async def test_a_server_that_never_acks_is_a_zombie_and_the_client_resumes(scripted: Any) -> None:
    async def script(ws: ServerConnection, number: int, first: dict[str, Any]) -> None:
        if number == 0:
            await send(ws, 0, ready(), "READY", 1)

    fake = await scripted(script)
    client = GatewayClient(fake.url, "tok", heartbeat_ack_timeout=0.15, **FAST)
    seen = record(client)
    await client.start(timeout=5)
    try:
        for _ in range(100):
            if len(fake.firsts) >= 2:
                break
            await asyncio.sleep(0.02)
        assert fake.firsts[0]["op"] == 2 and fake.firsts[0]["d"] == {"token": "tok"}
        assert fake.firsts[1] == {"op": 5, "d": {"token": "tok", "session_id": "sess", "seq": 1, "ready": False}}
        assert fake.heartbeats >= 1
        disconnects = [d for name, d in seen if name == "GATEWAY_DISCONNECTED"]
        assert disconnects and "zombie" in disconnects[0]["reason"]
        validate("GATEWAY_DISCONNECTED", disconnects[0])
    finally:
        await client.close()


async def test_heartbeats_carry_the_last_sequence_number(scripted: Any) -> None:
    beats: list[Any] = []

    async def script(ws: ServerConnection, number: int, first: dict[str, Any]) -> None:
        await send(ws, 0, ready(), "READY", 1)
        await send(ws, 0, {}, "TYPING_START", 7)
        frame = orjson.loads(await ws.recv())
        beats.append(frame)
        await send(ws, 11)

    fake = await scripted(script)
    client = GatewayClient(fake.url, "tok", **FAST)
    await client.start(timeout=5)
    try:
        for _ in range(100):
            if beats:
                break
            await asyncio.sleep(0.02)
        assert beats == [{"op": 1, "d": 7}] and client.seq == 7
    finally:
        await client.close()


async def test_reconnect_opcode_makes_the_client_resume_at_once(scripted: Any) -> None:
    async def script(ws: ServerConnection, number: int, first: dict[str, Any]) -> None:
        if number == 0:
            await send(ws, 0, ready(), "READY", 1)
            await send(ws, 0, {}, "TYPING_START", 2)
            await send(ws, 6)
        else:
            await send(ws, 0, {"replayed": 0}, "RESUMED", 3)

    fake = await scripted(script)
    client = GatewayClient(fake.url, "tok", backoff=(5,), jitter=0.0)  # a backoff would time the test out
    await client.start(timeout=5)
    try:
        resumed = await client.wait_for("RESUMED", timeout=3)
        assert resumed == {"replayed": 0}
        assert fake.firsts[1] == {"op": 5, "d": {"token": "tok", "session_id": "sess", "seq": 2, "ready": False}}
        assert client.seq == 3 and client.session_id == "sess" and client.connected
    finally:
        await client.close()


async def test_reconnect_after_a_failed_resume_makes_the_client_identify_anew(scripted: Any) -> None:
    async def script(ws: ServerConnection, number: int, first: dict[str, Any]) -> None:
        if number == 0:
            await send(ws, 0, ready("old"), "READY", 1)
            await send(ws, 6)
        elif number == 1:
            await send(ws, 6)  # the RESUME failed
        else:
            await send(ws, 0, ready("new"), "READY", 1)

    fake = await scripted(script)
    client = GatewayClient(fake.url, "tok", **FAST)
    await client.start(timeout=5)
    try:
        await client.wait_for("READY", check=lambda d: d["session_id"] == "new", timeout=3)
        assert [f["op"] for f in fake.firsts] == [2, 5, 2]
        assert client.session_id == "new"
    finally:
        await client.close()


async def test_invalid_resume_close_clears_the_session(scripted: Any) -> None:
    async def script(ws: ServerConnection, number: int, first: dict[str, Any]) -> None:
        if number == 0:
            await send(ws, 0, ready("old"), "READY", 1)
            await ws.close(4009, "session timed out")
        elif number == 1:
            await ws.close(4007, "invalid session")
        else:
            await send(ws, 0, ready("new"), "READY", 1)

    fake = await scripted(script)
    client = GatewayClient(fake.url, "tok", **FAST)
    seen = record(client)
    await client.start(timeout=5)
    try:
        await client.wait_for("READY", check=lambda d: d["session_id"] == "new", timeout=3)
        assert [f["op"] for f in fake.firsts] == [2, 5, 2]
        codes = [d.get("code") for name, d in seen if name == "GATEWAY_DISCONNECTED"]
        assert codes == [4009, 4007]
    finally:
        await client.close()


async def test_authentication_failure_stops_without_reconnecting(scripted: Any) -> None:
    async def script(ws: ServerConnection, number: int, first: dict[str, Any]) -> None:
        await ws.close(4004, "authentication failed")

    fake = await scripted(script)
    client = GatewayClient(fake.url, "bad", **FAST)
    seen = record(client)
    with pytest.raises(GatewayError) as err:
        await client.start(timeout=5)
    assert err.value.code == 4004
    await asyncio.sleep(0.1)
    assert len(fake.firsts) == 1 and client.connects == 1
    assert seen == [("GATEWAY_AUTH_FAILED", {"code": 4004})]
    validate("GATEWAY_AUTH_FAILED", seen[0][1])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_attempts_run_out_against_a_dead_port() -> None:
    client = GatewayClient(f"http://127.0.0.1:{_closed_port()}", "tok", max_attempts=3, backoff=(0.01, 0.02))
    seen = record(client)
    with pytest.raises(GatewayError):
        await client.start(timeout=5)
    names = [name for name, _ in seen]
    assert names == ["GATEWAY_DISCONNECTED"] * 3 + ["GATEWAY_EXHAUSTED"]
    assert seen[-1][1] == {"attempts": 3} and client.connects == 3
    for name, d in seen:
        validate(name, d)


async def test_backoff_delays_grow_and_repeat_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("amityvox.client.gateway.asyncio.sleep", fake_sleep)
    client = GatewayClient(f"http://127.0.0.1:{_closed_port()}", "tok", max_attempts=5, backoff=(1, 2, 5), jitter=0.5)
    with pytest.raises(GatewayError):
        await client.start(timeout=5)
    assert len(slept) == 4
    for delay, base in zip(slept, (1, 2, 5, 5), strict=True):
        assert base <= delay <= base * 1.5
