"""SQLite for SQLAlchemy's asyncio engine, run on the event loop's own thread.

SQLAlchemy's async SQLite dialect talks to aiosqlite, which gives every connection a thread
and hands each cursor call to it and the result back through the loop: about a dozen hand-offs
per request, and under load each one waits for the GIL until the busy loop thread's switch
interval runs out. Our statements are indexed lookups and single-row writes that take
microseconds, so this module offers the same awaitable interface with every call made
directly: no thread, no hand-off, no waiting for the GIL. The price is that a slow statement
holds the loop for its duration, which is why the queries on this path stay indexed and
bounded (see docs/performance.md). SQLite's busy handler can only wait on another process:
in one process there is a single writer connection, and WAL readers never wait for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Coroutine, Generator, Iterable, Sequence
from typing import Any


class Cursor:
    """The awaitable subset of aiosqlite's cursor that SQLAlchemy's dialect calls."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Cursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class Connection:
    """The awaitable subset of aiosqlite's connection that SQLAlchemy's dialect calls."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @property
    def raw(self) -> sqlite3.Connection:
        """The sqlite3 connection itself, for work that needs no SQLAlchemy (hot statements, BEGIN)."""
        return self._conn

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._itself().__await__()

    async def _itself(self) -> Connection:
        return self

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def cursor(self) -> Cursor:
        return Cursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Cursor:
        return Cursor(self._conn.execute(sql, parameters))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)


def creator(path: str, *, busy_timeout_s: float = 30.0) -> Any:
    """An `async_creator` for `create_async_engine("sqlite+aiosqlite://", ...)` opening `path`.

    The driver leaves transactions to us (`isolation_level=None`): the engine issues BEGIN or
    BEGIN IMMEDIATE itself. Connections may be closed by the pool from another thread at exit."""

    def connect() -> Coroutine[Any, Any, Connection]:
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
        return Connection(conn)._itself()

    return connect
