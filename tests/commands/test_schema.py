"""The 0021_application_commands migration builds the tables and message column schema.py declares."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from amityvox.db.schema import metadata
from tests.conftest import Server

TABLES = {"application_commands", "interactions", "application_installs"}


def _about_commands(diff: Any) -> bool:
    entry = diff[0] if isinstance(diff, list) else diff
    for part in entry[1:]:
        table = getattr(part, "table", None)
        if getattr(table, "name", None) in TABLES or getattr(part, "name", None) in TABLES or part in TABLES:
            return True
        if getattr(part, "name", None) == "interaction":
            return True
    return False


async def test_migration_matches_schema(any_db_server: Server) -> None:
    async with any_db_server.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        names = set(await conn.run_sync(lambda c: c.dialect.get_table_names(c)))
        columns = await conn.run_sync(lambda c: {col["name"] for col in c.dialect.get_columns(c, "messages")})
    assert TABLES <= names and "interaction" in columns
    assert [d for d in diffs if _about_commands(d)] == []
