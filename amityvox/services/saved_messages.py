"""Saved messages: a user's own bookmarks, each with an optional note.

A save is private to its owner: SAVED_MESSAGE_ADD / _REMOVE go to the owner's sessions only.
Reading follows the channel, not the save: the list holds only messages in channels the user
can read now (ViewChannel and ReadHistory), so a save never reveals a channel the user has
lost; the save itself is kept, and shows again if access returns. Deleting a message deletes
its saves with it (the foreign key cascades).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, messages, saved_messages
from amityvox.errors import bad_request, not_found
from amityvox.ids import is_ulid, now_iso
from amityvox.services.access import channel_access
from amityvox.services.messages import load_message_row, render, require_message_channel
from amityvox.services.read_state import visible_channel_ids

MAX_SAVED = 1000  # per user; READY carries them all
NOTE_MAX = 500
LIMIT_DEFAULT = 25
LIMIT_MAX = 100
_READ = int(P.Perm.ViewChannel | P.Perm.ReadHistory)

_COLUMNS = (
    saved_messages.c.user_id,
    saved_messages.c.message_id,
    saved_messages.c.channel_id,
    channels.c.guild_id,
    saved_messages.c.note,
    saved_messages.c.created_at,
)


class _Saved(NamedTuple):
    """A row of `_COLUMNS`, built by hand."""

    user_id: str
    message_id: str
    channel_id: str
    guild_id: str | None
    note: str | None
    created_at: str


def _out(row: Any) -> dict[str, Any]:
    """A SavedMessage from a row of `_COLUMNS` (absent guild_id and note are left out)."""
    out: dict[str, Any] = {"user_id": row.user_id, "message_id": row.message_id, "channel_id": row.channel_id}
    if row.guild_id is not None:
        out["guild_id"] = row.guild_id
    if row.note is not None:
        out["note"] = row.note
    out["created_at"] = row.created_at
    return out


def _newest_first(user_id: str) -> Any:
    return (
        select(*_COLUMNS)
        .join(channels, channels.c.id == saved_messages.c.channel_id)
        .where(saved_messages.c.user_id == user_id)
        .order_by(saved_messages.c.created_at.desc(), saved_messages.c.message_id.desc())
    )


async def readable_saves(conn: AsyncConnection, user_id: str) -> list[dict[str, Any]]:
    """READY's `saved_messages`: every save in a channel the user can read now, newest first."""
    rows = list(await conn.execute(_newest_first(user_id)))
    if not rows:
        return []
    readable = set(await visible_channel_ids(conn, user_id, need=_READ))
    return [_out(r) for r in rows if r.channel_id in readable]


def _check_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise bad_request(f"a note holds at most {NOTE_MAX} characters")
    return note or None


async def save(ctx: Context, message_id: str, user_id: str, note: str | None = None) -> dict[str, Any]:
    """PUT /users/@me/saved-messages/{m}: save a message the user can read (or set the note of a
    saved one) → SAVED_MESSAGE_ADD to the user's sessions. Saving again with the same note
    changes nothing and publishes nothing."""
    note = _check_note(note)
    if not is_ulid(message_id):
        raise not_found("message")
    async with ctx.uow() as tx:
        conn = tx.conn
        channel_id = await _channel_of(conn, message_id.upper())
        ca = await channel_access(conn, channel_id, user_id, need=_READ)
        require_message_channel(ca)
        row = await load_message_row(conn, channel_id, message_id)
        pair = and_(saved_messages.c.user_id == user_id, saved_messages.c.message_id == row["id"])
        current = (await conn.execute(select(saved_messages.c.note, saved_messages.c.created_at).where(pair))).first()
        if current is None:
            count = await conn.scalar(select(func.count()).where(saved_messages.c.user_id == user_id))
            if (count or 0) >= MAX_SAVED:
                raise bad_request(f"you can save at most {MAX_SAVED} messages", code="limit_reached")
            created_at = now_iso()
            await conn.execute(
                saved_messages.insert().values(
                    user_id=user_id, message_id=row["id"], channel_id=channel_id, created_at=created_at, note=note
                )
            )
        else:
            created_at = current.created_at
            if current.note != note:
                await conn.execute(update(saved_messages).where(pair).values(note=note))
        out = _out(_Saved(user_id, row["id"], channel_id, ca.guild_id, note, created_at))
        if current is None or current.note != note:
            tx.emit("SAVED_MESSAGE_ADD", out)
        return out


async def _channel_of(conn: AsyncConnection, message_id: str) -> str:
    found = await conn.scalar(select(messages.c.channel_id).where(messages.c.id == message_id))
    if found is None:
        raise not_found("message")
    return str(found)


async def unsave(ctx: Context, message_id: str, user_id: str) -> None:
    """DELETE /users/@me/saved-messages/{m} → SAVED_MESSAGE_REMOVE; unsaving what is not saved
    changes nothing. Works whatever the user can read now: a save is the user's own."""
    if not is_ulid(message_id):
        raise not_found("saved message")
    async with ctx.uow() as tx:
        pair = and_(saved_messages.c.user_id == user_id, saved_messages.c.message_id == message_id.upper())
        channel_id = await tx.conn.scalar(select(saved_messages.c.channel_id).where(pair))
        if channel_id is None:
            return
        await tx.conn.execute(delete(saved_messages).where(pair))
        tx.emit(
            "SAVED_MESSAGE_REMOVE", {"user_id": user_id, "message_id": message_id.upper(), "channel_id": channel_id}
        )


async def list_saved(
    ctx: Context, user_id: str, *, before: str | None = None, limit: int = LIMIT_DEFAULT
) -> list[dict[str, Any]]:
    """GET /users/@me/saved-messages: newest save first, each `{…SavedMessage, message}`, only in
    channels the user can read now. `before`: a saved message's id; the page continues after it."""
    if not 1 <= limit <= LIMIT_MAX:
        raise bad_request(f"limit must be between 1 and {LIMIT_MAX}")
    async with ctx.db.read() as conn:
        readable = await visible_channel_ids(conn, user_id, need=_READ)
        q = _newest_first(user_id).where(saved_messages.c.channel_id.in_(readable)).limit(limit)
        if before is not None:
            q = q.where(await _older_than(conn, user_id, before))
        rows = list(await conn.execute(q))
        by_id = {
            r["id"]: r
            for r in (
                await conn.execute(select(messages).where(messages.c.id.in_([r.message_id for r in rows])))
            ).mappings()
        }
        rendered = {m["id"]: m for m in await render(conn, list(by_id.values()), user_id)}
        return [{**_out(r), "message": rendered[r.message_id]} for r in rows if r.message_id in rendered]


async def _older_than(conn: AsyncConnection, user_id: str, before: str) -> Any:
    """Saves after `before` in newest-first order; 400 when `before` is not one of the user's saves."""
    pair = and_(saved_messages.c.user_id == user_id, saved_messages.c.message_id == before.upper())
    at = is_ulid(before) and await conn.scalar(select(saved_messages.c.created_at).where(pair))
    if not at:
        raise bad_request("before must be the id of a message you saved")
    return or_(
        saved_messages.c.created_at < at,
        and_(saved_messages.c.created_at == at, saved_messages.c.message_id < before.upper()),
    )
