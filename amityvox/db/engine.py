"""The database handle: an async SQLAlchemy engine (SQLite by default, PostgreSQL for scale).

Work is either writing (`begin()`, `connection()`) or reading (`read()`). On SQLite the two use
different persistent connections, driven on the event loop's thread (`sqlite_inline.py`) and
lent to one unit of work at a time (`lending.py`): one writer, so in-process writers queue for
it rather than on the file lock, and a few readers that see the last commit without waiting
for the writer (WAL). On PostgreSQL both share one pool; reads run in READ ONLY transactions.
Either way a write attempted while reading fails loudly instead of taking the writer's place.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from amityvox.db import sqlite_inline
from amityvox.db.lending import Lender

_MIGRATIONS = Path(__file__).with_name("migrations")

# Set while serving a request that must not change anything (GET, HEAD): every unit of work
# begun meanwhile reads. See `reading()`.
_READING: ContextVar[bool] = ContextVar("amityvox_reading", default=False)

SQLITE_READERS = 4
WAL_CHECKPOINT_S = 1.0  # how often the checkpointer thread copies the WAL back into the database


class Database:
    """Owns the engines; `begin()` gives a write transaction, `read()` a read-only one,
    `migrate()` brings the schema up to date."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if not path or path == ":memory:":
                raise ValueError("SQLite needs a file: readers and the writer share it through WAL")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # One writer connection: in-process writers wait for it in the pool's queue, in
            # turn, instead of polling SQLite's lock from threads. Other processes sharing the
            # file still serialise on the lock (busy_timeout).
            self.engine: AsyncEngine = _sqlite_engine(path, pool_size=1)
            event.listen(self.engine.sync_engine, "connect", _sqlite_writer)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin_immediate)
            self.reader: AsyncEngine = _sqlite_engine(path, pool_size=SQLITE_READERS)
            event.listen(self.reader.sync_engine, "connect", _sqlite_reader)
            event.listen(self.reader.sync_engine, "begin", _sqlite_begin_deferred)
            # Scans that may take many milliseconds (search) run on driver threads instead, so
            # the loop keeps serving meanwhile; sqlite3 releases the GIL while it works.
            self.scanner: AsyncEngine = create_async_engine(
                f"sqlite+aiosqlite:///{path}",
                poolclass=AsyncAdaptedQueuePool,
                pool_size=2,
                max_overflow=0,
                pool_timeout=60,
                connect_args={"timeout": 30, "isolation_level": None},
            )
            event.listen(self.scanner.sync_engine, "connect", _sqlite_reader)
            event.listen(self.scanner.sync_engine, "begin", _sqlite_begin_deferred_threaded)
            self.checkpointer: WalCheckpointer | None = WalCheckpointer(path)
            self._writers: Lender | None = Lender(self.engine, 1)
            self._readers: Lender | None = Lender(self.reader, SQLITE_READERS)
        else:
            self.engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            # Same pool; each checkout from here starts its transactions READ ONLY.
            self.reader = self.engine.execution_options(postgresql_readonly=True)
            self.scanner = self.reader
            self.checkpointer = None
            self._writers = self._readers = None  # the pool's checkout is cheap beside a round trip

    def begin(self, *, write: bool = False) -> Any:
        """A write transaction (or, while `reading()` unless `write`, a read-only one)."""
        return self._transaction(read=_READING.get() and not write)

    def connection(self) -> Any:
        """A connection whose transactions write (or, while `reading()`, read): for units of work."""
        return self._connect(read=_READING.get())

    def read(self, *, scan: bool = False) -> Any:
        """A read-only transaction on a reader connection: it never waits for writers. `scan`:
        the statements may take long (search), so on SQLite they run off the event loop."""
        if scan:
            return self.scanner.begin()
        return self._transaction(read=True)

    def _connect(self, *, read: bool) -> Any:
        """A lent SQLite connection, or one from the pool."""
        lender = self._readers if read else self._writers
        if lender is not None:
            return lender.lend()
        return (self.reader if read else self.engine).connect()

    @asynccontextmanager
    async def _transaction(self, *, read: bool) -> AsyncIterator[AsyncConnection]:
        async with self._connect(read=read) as conn, conn.begin():
            yield conn

    async def migrate(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def ping(self) -> None:
        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        for lender in (self._writers, self._readers):
            if lender is not None:
                await lender.close()
        if self.is_sqlite:
            await self.scanner.dispose()
        await self.reader.dispose()
        await self.engine.dispose()


@contextmanager
def reading() -> Iterator[None]:
    """Within this block, units of work and connections read: a write fails (HTTP's safe methods)."""
    token = _READING.set(True)
    try:
        yield
    finally:
        _READING.reset(token)


def _sqlite_engine(path: str, *, pool_size: int) -> AsyncEngine:
    # Connections stay open: the pragmas run once per connection, not once per request.
    return create_async_engine(
        "sqlite+aiosqlite://",
        async_creator=sqlite_inline.creator(path),
        poolclass=AsyncAdaptedQueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=60,
    )


def _sqlite_common(dbapi_conn: Any) -> Any:
    cur = dbapi_conn.cursor()
    # Set on every connection: a reader opened before the writer must not read in rollback
    # mode, where its shared lock would make the writer's commit wait on this same thread.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    return cur


def _sqlite_writer(dbapi_conn: Any, _record: Any) -> None:
    cur = _sqlite_common(dbapi_conn)
    cur.execute("PRAGMA synchronous=NORMAL")
    # The writer runs on the event loop's thread: a checkpoint there (SQLite's default, every
    # 1,000 pages of WAL) would stall every connection for as long as it copies and syncs.
    # WalCheckpointer does it on a thread of its own instead.
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


class WalCheckpointer:
    """Copies committed WAL pages back into the database file every `WAL_CHECKPOINT_S`, on a
    thread with its own connection (sqlite3 releases the GIL meanwhile). PASSIVE: it never waits
    for the writer or readers, and copies what they allow; the WAL restarts from its beginning
    once a pass has copied everything and no reader needs the old pages."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._stopping = threading.Event()
        self._passes = 0
        self._passed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while not self._stopping.wait(WAL_CHECKPOINT_S):
                try:
                    conn = conn or sqlite3.connect(self.path, timeout=0, isolation_level=None)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    pass  # busy or not yet created: the next pass tries again
                with self._passed:
                    self._passes += 1
                    self._passed.notify_all()
        finally:
            if conn is not None:
                conn.close()

    def wait_pass(self, timeout: float) -> bool:
        """Block until a whole pass has begun and ended after this call (a fence for what was
        committed before it); False when none did within `timeout` seconds."""
        with self._passed:
            wanted = self._passes + 2  # the pass under way may have begun before the call
            return self._passed.wait_for(lambda: self._passes >= wanted, timeout)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)


def _sqlite_reader(dbapi_conn: Any, _record: Any) -> None:
    cur = _sqlite_common(dbapi_conn)
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Writers queue on the lock up front instead of failing on upgrade from a read lock. The
    # connection runs on this thread (sqlite_inline.py): BEGIN goes straight to sqlite3, not
    # through the engine as a statement, which would cost more than the whole transaction.
    conn.connection.driver_connection.raw.execute("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Any) -> None:
    # One snapshot for the whole read, taken at the first SELECT.
    conn.connection.driver_connection.raw.execute("BEGIN")


def _sqlite_begin_deferred_threaded(conn: Any) -> None:
    # The scanner's driver (aiosqlite) runs statements on its own threads.
    conn.exec_driver_sql("BEGIN")


def _upgrade(sync_conn: Any) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "heads")  # independent areas may add parallel branches
