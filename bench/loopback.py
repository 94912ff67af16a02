"""What the loopback benchmarks share: a real `amityvox serve`, users in one guild, and
client processes that hold WebSocket sessions and only split frames and count them (sampled
connections also time MESSAGE_CREATE by the nonce its poster wrote), so that the server, not
the client, is what is measured."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from amityvox.config import normalise_database_url

WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


# ---- posting -----------------------------------------------------------------------------------


class HttpConnection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that sends prepared requests and reads each answer's
    status. httpx's pool costs the poster more CPU per request than the server spends on it
    once requests queue (it checks every connection for every request), and on two cores that
    CPU is taken from the server being measured."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        self._answered()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError("the server closed the connection"))

    def _answered(self) -> None:
        if self.answer is None or self.answer.done():
            return
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        length = next((int(v) for k, _, v in (h.partition(":") for h in head[1:]) if k.lower() == "content-length"), 0)
        if len(self.buf) < end + 4 + length:
            return
        del self.buf[: end + 4 + length]
        self.answer.set_result(int(head[0].split(" ", 2)[1]))

    async def request(self, data: bytes) -> int:
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.answer


class Poster:
    """Posts messages carrying their send time in `nonce`, over at most `connections` keep-alive
    connections (a post waits for a free one when all are busy)."""

    def __init__(self, base: str, token: str, channel: str, connections: int = 64) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.head = (
            f"POST /api/v1/channels/{channel}/messages HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        ).encode()
        self.limit = connections
        self.opened = 0
        self.idle: asyncio.Queue[HttpConnection] = asyncio.Queue()

    async def _connection(self) -> HttpConnection:
        if self.idle.empty() and self.opened < self.limit:
            self.opened += 1
            _, conn = await asyncio.get_running_loop().create_connection(HttpConnection, self.host, self.port)
            return conn
        return await self.idle.get()

    async def post(self) -> int:
        """One message; its HTTP status (0 when the connection failed)."""
        conn = await self._connection()
        body = b'{"content":"latency probe","nonce":"t%.6f"}' % time.time()
        try:
            status = await conn.request(self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        except ConnectionError:
            self.opened -= 1
            return 0
        self.idle.put_nowait(conn)
        return status

    def close(self) -> None:
        while not self.idle.empty():
            conn = self.idle.get_nowait()
            if conn.transport is not None:
                conn.transport.close()


# ---- client worker processes ------------------------------------------------------------------


class Counter(asyncio.Protocol):
    """A WebSocket client that only splits the stream into frames and counts them.

    Parsing a frame header costs far less than a WebSocket library's receive path, so two of
    these processes keep up with the server and the benchmark measures the server."""

    def __init__(self, counts: dict[str, float], latencies: list[float] | None) -> None:
        self.counts = counts
        self.latencies = latencies  # sampled connections parse MESSAGE_CREATE for its nonce
        self.buf = bytearray()
        self.upgraded = False
        self.frames = 0
        self.arrived = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            del buf[: end + 4]
            self.upgraded = True
        pos, n, size = 0, 0, len(buf)
        while size - pos >= 2:
            length, head = buf[pos + 1] & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if size - pos < head + length:
                break
            if self.latencies is not None:
                payload = bytes(buf[pos + head : pos + head + length])
                if b'"MESSAGE_CREATE"' in payload:
                    nonce = orjson.loads(payload)["d"].get("nonce", "")
                    if nonce.startswith("t"):
                        self.latencies.append(time.time() - float(nonce[1:]))
            pos += head + length
            n += 1
        del buf[:pos]
        if n:
            self.frames += n
            self.counts["frames"] += n
            self.counts["last"] = time.time()
            if not self.arrived.done():
                self.arrived.set_result(None)

    def send_text(self, text: str) -> None:
        """A client frame: masked, as the protocol requires (a zero mask leaves the payload as is)."""
        assert self.transport is not None
        data = text.encode()
        n = len(data)
        header = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big")
        self.transport.write(header + b"\0\0\0\0" + data)

    async def wait_frames(self, count: int) -> None:
        while self.frames < count:
            self.arrived = asyncio.get_running_loop().create_future()
            await self.arrived


async def open_counter(
    host: str, port: int, path: str, counts: dict[str, float], sample: bool, lat: list[float]
) -> Counter:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(lambda: Counter(counts, lat if sample else None), host, port)
    assert client.transport is not None
    client.transport.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    return client


async def _worker_main(conn: Any, url: str, tokens: list[str]) -> None:
    """Hold sessions open, count frames, record message latency; obey commands from the pipe."""
    counts: dict[str, float] = {"frames": 0, "last": 0.0}
    latencies: list[float] = []
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    clients = []
    for start in range(0, len(tokens), 100):
        batch = tokens[start : start + 100]
        opened = await asyncio.gather(
            *(open_counter(host, port, path, counts, (start + i) % 50 == 0, latencies) for i in range(len(batch)))
        )
        await asyncio.gather(*(c.wait_frames(1) for c in opened))  # HELLO
        for client, token in zip(opened, batch, strict=True):
            if token:
                client.send_text(orjson.dumps({"op": 2, "d": {"token": token}}).decode())
        await asyncio.gather(*(c.wait_frames(2) for c, t in zip(opened, batch, strict=True) if t))  # READY
        clients += opened
    conn.send(("ready", len(clients)))
    loop = asyncio.get_running_loop()
    while True:
        cmd = await loop.run_in_executor(None, conn.recv)
        if cmd == "reset":
            counts["frames"], counts["last"] = 0, 0.0
            latencies.clear()
            conn.send("ok")
        elif cmd == "report":
            conn.send((counts["frames"], counts["last"], list(latencies)))
        elif cmd == "stop":
            for client in clients:
                if client.transport is not None:
                    client.transport.close()
            conn.send("bye")
            return


def _worker(conn: Any, url: str, tokens: list[str]) -> None:
    asyncio.run(_worker_main(conn, url, tokens))


class Clients:
    def __init__(self, url: str | list[str], tokens: list[str]) -> None:
        """`url`, or one per worker process (the scaled mode puts each worker on its own gateway)."""
        urls = url if isinstance(url, list) else [url] * WORKERS
        self.pipes = []
        self.procs = []
        for w in range(WORKERS):
            parent, child = mp.Pipe()
            p = mp.Process(target=_worker, args=(child, urls[w], tokens[w::WORKERS]), daemon=True)
            p.start()
            self.pipes.append(parent)
            self.procs.append(p)
        for pipe in self.pipes:
            kind, _ = pipe.recv()
            assert kind == "ready"

    def ask(self, cmd: str) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(cmd)
        return [pipe.recv() for pipe in self.pipes]

    def frames(self) -> tuple[int, float]:
        reports = self.ask("report")
        return sum(r[0] for r in reports), max(r[1] for r in reports)

    def wait_quiet(self, expected: int, timeout: float = 120) -> tuple[int, float]:
        end = time.time() + timeout
        while time.time() < end:
            total, last = self.frames()
            if total >= expected:
                return total, last
            time.sleep(0.2)
        return self.frames()

    def close(self) -> None:
        self.ask("stop")
        for p in self.procs:
            p.join(5)


# ---- the AmityVox server ----------------------------------------------------------------------


def start_server(port: int, data_dir: str, role: str = "serve", **settings: str) -> subprocess.Popen[bytes]:
    """`amityvox <role>` on `port`; `settings` become AMITYVOX_* variables (bus_url=..., ...)."""
    env = dict(
        os.environ,
        **{f"AMITYVOX_{k.upper()}": v for k, v in settings.items()},
        AMITYVOX_ARGON2_TIME_COST="1",
        AMITYVOX_ARGON2_MEMORY_KIB="8",
        AMITYVOX_LOG_LEVEL="warning",
        AMITYVOX_RATE_LIMIT_FRAMES="1000000",
        AMITYVOX_REGISTRATIONS_PER_HOUR="0",
        AMITYVOX_RATE_LIMIT_PER_SECOND="0",  # the load generator posts far faster than any client
        AMITYVOX_RATE_LIMIT_ROUTE_SCALE="0",
        AMITYVOX_HEARTBEAT_TIMEOUT_MS="3600000",  # the counting clients never heartbeat
        AMITYVOX_SEND_BUFFER_KIB="1048576",
        AMITYVOX_LINK_PREVIEWS="false",
    )
    exe = str(Path(sys.executable).with_name("amityvox"))
    proc = subprocess.Popen([exe, role, "--port", str(port), "--data-dir", data_dir], env=env)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not start")


async def setup(base: str, users: int) -> tuple[list[str], str, str]:
    """Register users, put them all in one guild; return their tokens, the guild and its channel."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:

        async def register(i: int) -> str:
            r = await http.post("/api/v1/auth/register", json={"username": f"u{i}", "password": "benchmark pw"})
            return str(r.json()["data"]["token"])

        tokens = []
        for start in range(0, users, 50):
            tokens += await asyncio.gather(*(register(i) for i in range(start, min(start + 50, users))))
        owner = {"Authorization": f"Bearer {tokens[0]}"}
        g = (await http.post("/api/v1/guilds", json={"name": "bench"}, headers=owner)).json()["data"]
        code = (await http.post(f"/api/v1/guilds/{g['id']}/invites", json={}, headers=owner)).json()["data"]["code"]
        for start in range(1, users, 50):
            await asyncio.gather(
                *(
                    http.post(f"/api/v1/invites/{code}", headers={"Authorization": f"Bearer {t}"})
                    for t in tokens[start : start + 50]
                )
            )
        return tokens, g["id"], g["channels"][0]["id"]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def _admin(url: str, statement: str) -> None:
    admin = create_async_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


async def create_postgres(url: str) -> str:
    """A new database beside `url`'s (a PostgreSQL URL); returns its URL. `drop_postgres` ends it."""
    name = f"amityvox_bench_{secrets.token_hex(4)}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    return normalise_database_url(url.rsplit("/", 1)[0] + "/" + name)


async def drop_postgres(url: str, fresh: str) -> None:
    await _admin(url, f'DROP DATABASE IF EXISTS "{fresh.rsplit("/", 1)[1]}" WITH (FORCE)')


@asynccontextmanager
async def fresh_postgres(url: str) -> AsyncIterator[str]:
    """A new database beside `url`'s, dropped afterwards (within one event loop)."""
    fresh = await create_postgres(url)
    try:
        yield fresh
    finally:
        await drop_postgres(url, fresh)
