"""INSERT … ON CONFLICT for both SQLite and PostgreSQL, so concurrent writers never trip a unique key.

Both databases spell it the same way, so each statement is written once as text with typed
parameters and kept: SQLAlchemy cannot cache its own ON CONFLICT constructs, and compiling
one costs more than SQLite takes to run it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection


@cache
def _statement(
    table: Table, columns: tuple[str, ...], keys: tuple[str, ...], update: tuple[str, ...] | None
) -> TextClause:
    """INSERT of `columns` into `table`; on a clash on `keys`, overwrite `update` (None: do nothing)."""
    for name in (*columns, *keys, *(update or ())):
        if name not in table.c:
            raise KeyError(f"{table.name} has no column {name}")
    action = "DO NOTHING" if update is None else "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) {action}"
    )
    # Typed parameters: JSON, boolean and date columns convert their values as with table.insert().
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))


async def upsert(
    conn: AsyncConnection, table: Table, keys: Sequence[str], values: dict[str, Any], update: Sequence[str]
) -> None:
    """Insert `values`, or when a row with the same `keys` exists, overwrite its `update` columns."""
    await conn.execute(_statement(table, tuple(values), tuple(keys), tuple(update)), values)


async def insert_ignore(conn: AsyncConnection, table: Table, keys: Sequence[str], values: dict[str, Any]) -> bool:
    """Insert `values` unless a row with the same `keys` exists; True when a row was added."""
    result = await conn.execute(_statement(table, tuple(values), tuple(keys), None), values)
    return bool(result.rowcount)
