"""Hot statements: the few that nearly every request runs, executed on SQLite's own connection.

Through SQLAlchemy Core a statement costs about 0.3 ms of Python around an SQLite call of a few
microseconds: the cache key, the parameters, an execution context, the result's set-up. A
`HotStatement` does that work once per dialect instead: its SQL text, the order of its
parameters (literals included) and its columns' result processors (booleans, JSON), as
SQLAlchemy itself would apply them. On SQLite, whose connections run on the event loop's
thread (db/sqlite_inline.py), it then runs on the sqlite3 connection under the SQLAlchemy
connection it is given, inside that connection's transaction. Elsewhere (PostgreSQL, where
the cost is the round trip to the server, and SQLite connections driven from a thread of
their own) it runs through SQLAlchemy like any statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import CompoundSelect, Select

from amityvox.db import sqlite_inline

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters in placeholder order
    defaults: dict[str, Any]  # the literals' values
    keys: tuple[str, ...]  # the result columns
    processors: tuple[Processor, ...]
    expanding: frozenset[str]  # `IN` parameters that take a list: one placeholder per item


class HotStatement:
    """A read statement run with `rows(conn, params)`: each row a dict by column name."""

    def __init__(self, statement: Select[Any] | CompoundSelect) -> None:
        self.statement = statement
        self._sqlite: _Compiled | None = None

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled: Any = self.statement.compile(dialect=dialect)
        columns = compiled._result_columns  # (key, name, objects, type) per selected column
        return _Compiled(
            sql=str(compiled),
            names=tuple(compiled.positiontup),
            defaults=dict(compiled.params),
            keys=tuple(c[0] for c in columns),
            processors=tuple(c[3]._cached_result_processor(dialect, None) for c in columns),
            expanding=frozenset(name for name, b in compiled.binds.items() if b.expanding),
        )

    async def rows(self, conn: AsyncConnection, params: dict[str, Any]) -> list[dict[str, Any]]:
        driver: Any = conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]
        if not isinstance(driver, sqlite_inline.Connection):
            # PostgreSQL, or SQLite on a driver thread (search's scanner): the driver's own way.
            return await self._through_sqlalchemy(conn, params)
        c = self._sqlite
        if c is None:
            c = self._sqlite = self._compile(conn.dialect)
        values = {**c.defaults, **params}
        sql, args = c.sql, []
        for name in c.names:
            if name in c.expanding:
                if not values[name]:  # SQLAlchemy writes an empty IN as a false condition
                    return await self._through_sqlalchemy(conn, params)
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(values[name])), 1)
                args.extend(values[name])
            else:
                args.append(values[name])
        cursor = driver.raw.execute(sql, args)
        keys, processors = c.keys, c.processors
        if not any(processors):
            return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
        return [
            {k: (p(v) if p is not None else v) for k, p, v in zip(keys, processors, row, strict=True)}
            for row in cursor.fetchall()
        ]

    async def _through_sqlalchemy(self, conn: AsyncConnection, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(r) for r in (await conn.execute(self.statement, params)).mappings()]
