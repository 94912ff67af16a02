"""Edit history: the versions a message had before its edits.

The edit path records the replaced version in the edit's own transaction; `edit_history`
(a setting) turns this off, and then no versions are kept or shown.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import message_edits, messages
from amityvox.errors import not_found
from amityvox.ids import is_ulid, new_id
from amityvox.services.access import channel_access
from amityvox.services.serialize import Row


async def record(ctx: Context, conn: AsyncConnection, row: Row, replaced_at: str) -> None:
    """Keep `row`'s content as replaced at `replaced_at`, unless the setting is off or nothing changed."""
    if not ctx.settings.edit_history:
        return
    await conn.execute(
        message_edits.insert().values(
            id=new_id(),
            message_id=row["id"],
            content=row["content"],
            created_at=row["edited_at"] or row["created_at"],
            replaced_at=replaced_at,
        )
    )


async def message_history(ctx: Context, channel_id: str, message_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /channels/{c}/messages/{m}/history (ReadHistory): earlier versions, oldest first,
    each `{content, created_at, replaced_at}`; the current one is the message itself."""
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id, need=P.Perm.ReadHistory)
        found = is_ulid(message_id) and await conn.scalar(
            select(messages.c.id).where(messages.c.id == message_id.upper(), messages.c.channel_id == channel_id)
        )
        if not found:
            raise not_found("message")
        if not ctx.settings.edit_history:
            return []
        q = select(message_edits).where(message_edits.c.message_id == found).order_by(message_edits.c.id)
        return [
            {"content": r["content"], "created_at": r["created_at"], "replaced_at": r["replaced_at"]}
            for r in (await conn.execute(q)).mappings()
        ]
