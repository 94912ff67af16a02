"""Shared fixtures: a real server on a free loopback port, with real SQLite (or PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from amityvox.app import build_app
from amityvox.bus.base import Envelope
from amityvox.config import Settings, normalise_database_url
from amityvox.context import Context
from amityvox.db.engine import Database
from amityvox.serving import AmityServer, server_for

PG_URL = os.environ.get("AMITYVOX_TEST_DATABASE_URL", "")
_TLS = httpx.create_ssl_context()  # made once: each new context reads the CA bundle


# Tests that wait on whole processes, a browser or many examples: started first, so their
# waits overlap the many short tests instead of trailing the run. Otherwise the order stands.
_STARTED_FIRST = (
    "tests/gateway/test_processes.py",
    "tests/security/test_durable_workers.py",
    "tests/bus/test_cluster.py",
    "tests/test_serve_process.py",
    "tests/gateway/test_crash.py",
    "tests/gateway/test_routing_property.py",
    "tests/security/test_grant_property.py",
    "tests/web/test_browser",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(_STARTED_FIRST))


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Cheap password hashing and a private data directory; everything else as shipped."""
    base = Settings(
        data_dir=str(tmp_path / "data"),
        argon2_time_cost=1,
        argon2_memory_kib=8,
        preview_allow_hosts=("127.0.0.1",),
        registrations_per_hour=0,  # every test user registers from 127.0.0.1
        # Tests send bursts no client would: the REST limits are tested with their own settings.
        rate_limit_per_second=1_000_000,
        rate_limit_route_scale=10_000,
    )
    return base.with_overrides(**overrides)


async def _admin(url: str, statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


@asynccontextmanager
async def fresh_postgres(url: str) -> AsyncIterator[str]:
    """A new, empty database on the server of `url`, dropped afterwards: concurrent runs never collide."""
    name = f"amityvox_t_{secrets.token_hex(6)}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Recorder:
    """Every event the bus carried, in order."""

    events: list[Envelope] = field(default_factory=list)

    async def __call__(self, env: Envelope) -> None:
        self.events.append(env)

    def names(self, ignore: str | None = None) -> list[str]:
        """Event names in order; `ignore` drops names with that prefix (side effects such as
        NOTIFICATION_* published by other subscribers)."""
        return [e.name for e in self.events if ignore is None or not e.name.startswith(ignore)]

    def of(self, name: str) -> list[dict[str, Any]]:
        return [e.data for e in self.events if e.name == name]

    def clear(self) -> None:
        self.events.clear()


@dataclass
class Server:
    url: str
    ctx: Context
    recorder: Recorder
    http: httpx.AsyncClient

    async def settle(self) -> None:
        """Wait until every bus subscriber has seen what was published."""
        flush = getattr(self.ctx.bus, "flush", None)
        if flush is not None:
            await flush()

    async def register(self, username: str, password: str = "correct horse", **extra: Any) -> dict[str, Any]:
        r = await self.http.post("/api/v1/auth/register", json={"username": username, "password": password, **extra})
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()["data"]
        return data


_TEMPLATE: dict[str, Path] = {}


async def seed_sqlite(settings: Settings) -> None:
    """Start each default SQLite test database as a copy of one migrated template: the app still
    runs its migrations at start, but finds nothing left to do (saves ~0.5 s per server)."""
    if settings.database_url:
        return
    if "path" not in _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="amityvox-template-")) / "amityvox.db"
        db = Database(f"sqlite+aiosqlite:///{template}")
        await db.migrate()
        await db.close()
        _TEMPLATE["path"] = template
    target = Path(settings.data_dir) / "amityvox.db"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_TEMPLATE["path"], target)


async def start_server(
    settings: Settings, role: str = "all"
) -> tuple[AmityServer, asyncio.Task[None], str, Context]:
    await seed_sqlite(settings)
    app = build_app(settings, role=role, validate_events=True)
    server = server_for(app, settings, port=0, log_level="warning")
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}", app.state.ctx


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Storage-level tests run on SQLite and, when configured, on PostgreSQL too (a fresh database each)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    async with fresh_postgres(PG_URL) as url:
        yield url


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    async for s in _serve(make_settings(tmp_path)):
        yield s


@pytest.fixture
async def any_db_server(tmp_path: Path, database_url: str) -> AsyncIterator[Server]:
    async for s in _serve(make_settings(tmp_path, database_url=database_url)):
        yield s


async def _serve(settings: Settings, role: str = "all") -> AsyncIterator[Server]:
    uv, task, url, ctx = await start_server(settings, role)
    recorder = Recorder()
    await ctx.bus.subscribe("amityvox.>", recorder)
    async with httpx.AsyncClient(base_url=url, timeout=10, verify=_TLS) as http:
        yield Server(url=url, ctx=ctx, recorder=recorder, http=http)
    uv.should_exit = True
    await asyncio.wait_for(task, 10)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
