"""The 0006_voice migration builds exactly the tables schema.py declares for this area."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from amityvox.db.schema import metadata
from tests.conftest import Server

TABLES = {"voice_states", "voice_broadcasts", "soundboard_sounds", "notifications", "announcements"}


def _table_of(diff: Any) -> str | None:
    """The table a diff entry is about (entries are tuples, or lists of tuples for column changes)."""
    entry = diff[0] if isinstance(diff, list) else diff
    for part in entry[1:]:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return str(table.name)
        if isinstance(part, str) and part in TABLES:
            return part
        if name in TABLES:
            return str(name)
    return None


async def test_migration_matches_schema(any_db_server: Server) -> None:
    async with any_db_server.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        names = set(await conn.run_sync(lambda c: c.dialect.get_table_names(c)))
    assert TABLES <= names
    ours = [d for d in diffs if _table_of(d) in TABLES]
    assert ours == []
