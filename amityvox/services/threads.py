"""Threads: a text channel started from a message, living under the message's channel.

A thread takes its parent's permission overwrites (see `access.channel_access`), so it
is visible to exactly the parent's viewers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, messages
from amityvox.errors import bad_request, conflict, not_found
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


async def starter_message(ctx: Context, thread_id: str, user_id: str) -> dict[str, Any]:
    """GET /channels/{thread}/starter-message (ReadHistory): the message the thread was started
    from, in its parent channel; 404 when the channel is no thread or the message is gone."""
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, thread_id, user_id, need=P.Perm.ReadHistory)
        parent_id = ca.channel["parent_channel_id"]
        if parent_id is None:
            raise not_found("thread")
        # The starter is older than its thread: the scan walks the parent's index down from there.
        q = select(messages).where(
            messages.c.channel_id == parent_id, messages.c.id < thread_id, messages.c.thread_id == thread_id
        )
        row = (await conn.execute(q.order_by(messages.c.id.desc()).limit(1))).mappings().first()
        if row is None:
            raise not_found("message")
        return (await render(conn, [row], user_id))[0]
