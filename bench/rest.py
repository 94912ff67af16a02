"""REST throughput and REST→WebSocket delivery latency against a real `amityvox serve`.

    python bench/rest.py                                   # SQLite, the embedded default
    python bench/rest.py --database postgresql://postgres@127.0.0.1:5432/test
    python bench/rest.py --quick --json build/rest.json    # shorter runs, fewer sizes

Throughput: wrk (Debian's `wrk`; C, one process, so the client is not what is measured; its
CPU use is reported) posts messages into one channel and reads the newest message back, at
1, 10 and 50 connections, against AmityVox and, in the same run, against a bare FastAPI +
aiosqlite (or asyncpg) endpoint doing the same insert and select: the ceiling of the stack.

Delivery: a poster sends messages over REST at a fixed rate, each carrying its send time in
its nonce, into a channel whose members are all connected (client processes that only count
frames; every 50th session parses MESSAGE_CREATE and records now minus send time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from loopback import Clients, Poster, create_postgres, drop_postgres, free_port, pct, setup, start_server

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = (1, 10, 50)


# ---- the ceiling: the same work on the bare stack ---------------------------------------------

_BARE = r"""
import sys, time, secrets
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

port, url = int(sys.argv[1]), sys.argv[2]
sqlite = url.startswith("sqlite")
engine = create_async_engine(url, pool_size=1 if sqlite else 10, max_overflow=0)
app = FastAPI()

@app.on_event("startup")
async def schema():
    async with engine.begin() as c:
        if sqlite:
            await c.exec_driver_sql("PRAGMA journal_mode=WAL")
        await c.execute(text(
            "CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, channel_id TEXT, author_id TEXT,"
            " content TEXT, created_at TEXT)"))
        await c.execute(text("CREATE INDEX IF NOT EXISTS by_channel ON messages (channel_id, id)"))

@app.post("/channels/{channel}/messages")
async def post(channel: str, request: Request):
    body = orjson.loads(await request.body())
    row = {"id": secrets.token_hex(13), "channel_id": channel, "author_id": "a" * 26,
           "content": body["content"], "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00")}
    async with engine.begin() as c:
        await c.execute(text("INSERT INTO messages VALUES (:id, :channel_id, :author_id, :content, :created_at)"), row)
    return Response(orjson.dumps({"data": row}), status_code=201, media_type="application/json")

@app.get("/channels/{channel}/messages")
async def get(channel: str, limit: int = 50):
    async with engine.connect() as c:
        rows = (await c.execute(text(
            "SELECT * FROM messages WHERE channel_id = :c ORDER BY id DESC LIMIT :n"), {"c": channel, "n": limit}
        )).mappings().all()
    return Response(orjson.dumps({"data": [dict(r) for r in rows]}), media_type="application/json")

import uvicorn
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


@contextmanager
def bare_server(database: str | None, data_dir: str) -> Iterator[str]:
    port = free_port()
    url = _sqlalchemy_url(database) if database else f"sqlite+aiosqlite:///{data_dir}/bare.db"
    proc = subprocess.Popen([sys.executable, "-c", _BARE, str(port), url])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/channels/c/messages", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1) if url.startswith("postgresql://") else url


# ---- load from wrk ----------------------------------------------------------------------------

_WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
{body}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %f %f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk(url: str, method: str, token: str, connections: int, seconds: float) -> dict[str, Any]:
    """Drive `url` with wrk; requests/s, non-2xx answers, latency, and the client's CPU share."""
    body = 'wrk.body = \'{"content": "benchmark message"}\'' if method == "POST" else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_WRK_SCRIPT.format(method=method, token=token, body=body))
    threads = min(connections, 2)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "-s", f.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(f.name)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    requests, bad_status, socket_errors, micros, p50, p99 = line.split()[1:]
    duration = int(micros) / 1e6
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "per_s": round(int(requests) / duration),
        "errors": int(bad_status) + int(socket_errors),
        "latency_p50_ms": round(float(p50) / 1000, 2),
        "latency_p99_ms": round(float(p99) / 1000, 2),
        "client_cpu_cores": round(cpu / duration, 2),
    }


def throughput(base: str, api_prefix: str, token: str, channel: str, seconds: float) -> dict[str, Any]:
    messages = f"{base}{api_prefix}/channels/{channel}/messages"
    results: dict[str, Any] = {}
    for c in CONCURRENCY:
        results[f"posts_{c}"] = wrk(messages, "POST", token, c, seconds)
        results[f"gets_{c}"] = wrk(f"{messages}?limit=1", "GET", token, c, seconds)
    return results


# ---- delivery latency -------------------------------------------------------------------------


async def _post_at_rate(base: str, token: str, channel: str, rate: float, seconds: float) -> int:
    """Open-loop posting: message i leaves at start + i/rate whatever the answers take."""
    poster = Poster(base, token, channel)
    failures = 0

    async def post() -> None:
        nonlocal failures
        failures += await poster.post() != 201

    loop = asyncio.get_running_loop()
    start, tasks = loop.time(), []
    for i in range(int(rate * seconds)):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post()))
    await asyncio.gather(*tasks)
    poster.close()
    return failures


def delivery(base: str, members: int, rates: tuple[int, ...], seconds: float) -> list[dict[str, Any]]:
    url = base.replace("http://", "ws://") + "/ws"
    tokens, _, channel = asyncio.run(setup(base, members + 1))
    poster, sessions = tokens[0], tokens[1:]
    clients = Clients(url, sessions)
    results = []
    try:
        for rate in rates:
            clients.ask("reset")
            failures = asyncio.run(_post_at_rate(base, poster, channel, rate, seconds))
            expected = int(rate * seconds) * len(sessions)
            total, _ = clients.wait_quiet(expected, timeout=60)
            latencies = [lat for r in clients.ask("report") for lat in r[2]]
            results.append(
                {
                    "members": members,
                    "rate_per_s": rate,
                    "failed_posts": failures,
                    "delivered": total,
                    "expected": expected,
                    "latency_p50_ms": round(pct(latencies, 0.5) * 1000, 1),
                    "latency_p99_ms": round(pct(latencies, 0.99) * 1000, 1),
                }
            )
            print(json.dumps(results[-1]), flush=True)
    finally:
        clients.close()
    return results


# ---- one backend ------------------------------------------------------------------------------


# Members in the channel → posting rates. A thousand members at 1,000 msg/s would be a million
# deliveries a second, beyond one gateway process: that size stops at 300.
RATES = {100: (100, 300, 1000), 1000: (100, 300)}


def measure(database: str | None, seconds: float, sizes: tuple[int, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"database": "postgresql" if database else "sqlite"}
    with tempfile.TemporaryDirectory() as data:
        # Throughput: one user posting into one channel, and the bare stack beside it.
        with _amityvox(database, data) as base:
            token, channel = _one_user(base)
            out["amityvox"] = throughput(base, "/api/v1", token, channel, seconds)
        with tempfile.TemporaryDirectory() as bare_data, _database(database) as bare_db:
            with bare_server(bare_db, bare_data) as base:
                out["bare"] = throughput(base, "", "x", "c", seconds)
        out["percent_of_bare"] = {
            k: round(100 * v["per_s"] / max(out["bare"][k]["per_s"], 1)) for k, v in out["amityvox"].items()
        }
        print(json.dumps(out, indent=2), flush=True)
    out["delivery"] = []
    for members in sizes:
        with tempfile.TemporaryDirectory() as data, _amityvox(database, data) as base:
            out["delivery"] += delivery(base, members, RATES[members], seconds)
    return out


@contextmanager
def _database(database: str | None) -> Iterator[str | None]:
    if database is None:
        yield None
        return
    # One database for several `asyncio.run` calls, so no async context manager: the loop that
    # entered it would finalise it (drop the database) as that `asyncio.run` returned.
    url = asyncio.run(create_postgres(database))
    try:
        yield url
    finally:
        asyncio.run(drop_postgres(database, url))


@contextmanager
def _amityvox(database: str | None, data_dir: str) -> Iterator[str]:
    with _database(database) as url:
        port = free_port()
        settings = {"database_url": url} if url else {}
        proc = start_server(port, data_dir, **settings)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(15)


def _one_user(base: str) -> tuple[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/register", json={"username": "poster", "password": "benchmark pw"})
    token = r.json()["data"]["token"]
    guild = httpx.post(
        f"{base}/api/v1/guilds", json={"name": "bench"}, headers={"Authorization": f"Bearer {token}"}
    ).json()["data"]
    return token, guild["channels"][0]["id"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="a PostgreSQL URL (a fresh database is made beside it); default SQLite")
    parser.add_argument("--quick", action="store_true", help="3 s per load level, the 100-member channel only")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/rest.py drives the server with wrk: apt-get install wrk", file=sys.stderr)
        return 2
    seconds = 3.0 if args.quick else 5.0
    sizes = (100,) if args.quick else (100, 1000)
    result = measure(args.database, seconds, sizes)
    print(json.dumps(result, indent=2), flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
