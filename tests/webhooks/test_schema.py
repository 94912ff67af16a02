"""The 0019_webhooks and 0020_event_webhooks migrations build the tables and message columns
schema.py declares for webhooks."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from amityvox.db.schema import metadata
from tests.conftest import Server

TABLES = {"webhooks", "event_webhooks", "event_webhook_deliveries"}


def _about_webhooks(diff: Any) -> bool:
    """Whether a diff entry concerns a webhook table or a webhook column of messages."""
    entry = diff[0] if isinstance(diff, list) else diff
    for part in entry[1:]:
        table = getattr(part, "table", None)
        if getattr(table, "name", None) in TABLES or getattr(part, "name", None) in TABLES or part in TABLES:
            return True
        if str(getattr(part, "name", "")).startswith("webhook_"):
            return True
    return False


async def test_migration_matches_schema(any_db_server: Server) -> None:
    async with any_db_server.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        names = set(await conn.run_sync(lambda c: c.dialect.get_table_names(c)))
        columns = await conn.run_sync(lambda c: {col["name"] for col in c.dialect.get_columns(c, "messages")})
    assert TABLES <= names and {"webhook_id", "webhook_author"} <= columns
    assert [d for d in diffs if _about_webhooks(d)] == []
