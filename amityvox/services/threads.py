"""Threads: a text channel started from a message, living under the message's channel.

A thread takes its parent's permission overwrites (see `access.channel_access`), so it
is visible to exactly the parent's viewers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, messages
from amityvox.errors import bad_request, conflict
from amityvox.ids import new_id, now_iso
from amityvox.services.access import channel_access
from amityvox.services.messages import load_message_row, render, require_message_channel, require_unlocked
from amityvox.services.serialize import load_channel

MAX_NAME = 100


async def create_thread(ctx: Context, channel_id: str, message_id: str, user_id: str, name: str) -> dict[str, Any]:
    """POST /channels/{c}/messages/{m}/threads (CreateThreads) → THREAD_CREATE, then MESSAGE_UPDATE
    for the starter message (now carrying `thread_id`). One thread per message (409 otherwise);
    threads do not nest, and DMs have none."""
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise bad_request(f"name must be 1-{MAX_NAME} characters")
    async with ctx.uow() as tx:
        conn = tx.conn
        ca = await channel_access(conn, channel_id, user_id, need=P.Perm.CreateThreads)
        require_message_channel(ca)
        require_unlocked(ca)
        if ca.guild_id is None or ca.channel["parent_channel_id"] is not None:
            raise bad_request("threads can only be started in guild channels", code="invalid_channel_type")
        row = await load_message_row(conn, channel_id, message_id)
        if row["thread_id"] is not None:
            raise conflict("this message already has a thread", code="thread_exists")
        thread_id = new_id()
        await conn.execute(
            channels.insert().values(
                id=thread_id,
                guild_id=ca.guild_id,
                channel_type="text",
                name=name,
                position=0,
                slowmode_seconds=0,
                nsfw=ca.channel["nsfw"],
                owner_id=user_id,
                parent_channel_id=channel_id,
                locked=False,
                archived=False,
                created_at=now_iso(),
            )
        )
        await conn.execute(update(messages).where(messages.c.id == row["id"]).values(thread_id=thread_id))
        thread = await load_channel(conn, thread_id)
        tx.emit("THREAD_CREATE", thread)
        starter = await load_message_row(conn, channel_id, row["id"])
        tx.emit("MESSAGE_UPDATE", (await render(conn, [starter], None))[0])
        return thread
