"""INSERT … ON CONFLICT for both SQLite and PostgreSQL, so concurrent writers never trip a unique key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(conn: AsyncConnection, table: Table, values: dict[str, Any]) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values)


async def upsert(
    conn: AsyncConnection, table: Table, keys: Sequence[str], values: dict[str, Any], update: Sequence[str]
) -> None:
    """Insert `values`, or when a row with the same `keys` exists, overwrite its `update` columns."""
    stmt = _insert(conn, table, values)
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
    await conn.execute(stmt)


async def insert_ignore(conn: AsyncConnection, table: Table, keys: Sequence[str], values: dict[str, Any]) -> bool:
    """Insert `values` unless a row with the same `keys` exists; True when a row was added."""
    stmt = _insert(conn, table, values).on_conflict_do_nothing(index_elements=list(keys))
    result = await conn.execute(stmt)
    return bool(result.rowcount)
