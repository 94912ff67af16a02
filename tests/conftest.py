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
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from amityvox.app import build_app
from amityvox.bus.base import Envelope
from amityvox.config import Settings, normalise_database_url
from amityvox.context import Context
from amityvox.ids import utcnow
from amityvox.services import account_deletion
from amityvox.serving import AmityServer, server_for
from tests.api.shape_check import ShapeCheck

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
        # A loaded test machine may take longer than Discord's 3 s between a use and the bot's
        # answer; the deadline is tested with its own, shorter, setting.
        interaction_response_ms=30_000,
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
    """A new database on the server of `url`, dropped afterwards: concurrent runs never collide.

    It is a copy of this process's template, a database the app has already started on once
    (migrated, its workers' queue cursors saved), as with SQLite (`seed_sqlite`): a server's
    start on it writes nothing, where migrating an empty one took most of a second. Building
    the template still migrates from empty once per process."""
    name = f"amityvox_t_{secrets.token_hex(6)}"
    await _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{await _postgres_template(url)}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_PG_TEMPLATE: dict[str, str] = {}  # server URL → this process's template database


async def _postgres_template(url: str) -> str:
    if url not in _PG_TEMPLATE:
        name = f"amityvox_tpl_{secrets.token_hex(6)}"
        await _admin(url, f'CREATE DATABASE "{name}"')
        settings = make_settings(Path(tempfile.mkdtemp(prefix="amityvox-pg-template-")))
        app = build_app(settings.with_overrides(database_url=url.rsplit("/", 1)[0] + "/" + name))
        async with app.router.lifespan_context(app):  # closes every connection: a template must have none
            pass
        shutil.rmtree(settings.data_dir, ignore_errors=True)
        _PG_TEMPLATE[url] = name
    return _PG_TEMPLATE[url]


def pytest_sessionfinish() -> None:
    """Drop this process's PostgreSQL templates (each pytest-xdist worker has its own)."""

    async def drop() -> None:
        for url, name in _PG_TEMPLATE.items():
            await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    if _PG_TEMPLATE:
        asyncio.run(drop())


_AUDIT_ENTRY = "GUILD_AUDIT_LOG_ENTRY_CREATE"


@dataclass
class Recorder:
    """Every event the bus carried, in order."""

    events: list[Envelope] = field(default_factory=list)

    async def __call__(self, env: Envelope) -> None:
        self.events.append(env)

    def names(self, ignore: str | None = None, *, audit: bool = False) -> list[str]:
        """Event names in order; `ignore` drops names with that prefix (side effects such as
        NOTIFICATION_* published by other subscribers). The audit log's entry, which follows
        every moderation change, is left out unless `audit` (tests/guilds/test_audit_log.py)."""
        return [
            e.name
            for e in self.events
            if (ignore is None or not e.name.startswith(ignore)) and (audit or e.name != _AUDIT_ENTRY)
        ]

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
    """Start each default SQLite test database as a copy of one template that the app has
    started on once: it still migrates and opens its workers' queues at start, but finds the
    migrations done and every queue's cursor saved, so it writes nothing."""
    if settings.database_url:
        return
    if "path" not in _TEMPLATE:
        template = make_settings(Path(tempfile.mkdtemp(prefix="amityvox-template-")))
        app = build_app(template)
        async with app.router.lifespan_context(app):
            pass
        _TEMPLATE["path"] = Path(template.data_dir) / "amityvox.db"
    target = Path(settings.data_dir) / "amityvox.db"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_TEMPLATE["path"], target)


SHAPES: dict[str, ShapeCheck] = {}  # by server URL: the answers that broke their declared shape


async def start_server(settings: Settings, role: str = "all") -> tuple[AmityServer, asyncio.Task[None], str, Context]:
    await seed_sqlite(settings)
    app = build_app(settings, role=role, validate_events=True)
    shapes = ShapeCheck(app)  # every 2xx JSON answer against its route's response_model
    server = server_for(shapes, settings, port=0, log_level="warning")  # type: ignore[arg-type]
    task = asyncio.create_task(server.serve())
    # Startup may join a NATS cluster and migrate PostgreSQL: on a loaded machine that takes a
    # while, so wait for it (up to a minute) rather than for a fixed short time.
    for _ in range(6000):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    else:
        task.cancel()
        raise RuntimeError(f"the {role} server did not start within a minute")
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    SHAPES[url] = shapes
    return server, task, url, app.state.ctx


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
    uv.stop()
    await asyncio.wait_for(task, 10)
    violations = SHAPES.pop(url).violations
    assert not violations, "\n\n".join(violations)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def erase_account(server: Server, headers: dict[str, str], password: str = "correct horse") -> None:
    """Delete an account as its owner does, then run the erasure as if the grace period were over."""
    r = await server.http.request("DELETE", "/api/v1/users/@me", json={"password": password}, headers=headers)
    assert r.status_code == 202, r.text
    days = server.ctx.settings.account_deletion_days
    assert await account_deletion.erase_due(server.ctx, utcnow() + timedelta(days=days, seconds=1)) >= 1
    await server.settle()  # its events have reached every subscriber, as a request's would have
