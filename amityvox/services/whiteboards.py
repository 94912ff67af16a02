"""Whiteboards: a shared JSON document per board, edited with optimistic versioning.

Every accepted edit replaces the whole state and raises `version` by one; an edit names
the version it was based on, and one based on an older version is refused with 409
`version_conflict` (carrying `current_version`) so the client can merge and retry.
The check and the write are one conditional UPDATE, so two racing edits can never
both win.

Creating a board publishes nothing: the catalog has no creation event. Clients find
boards with GET …/whiteboards, and the first WHITEBOARD_UPDATE of a board they have
not seen names it by id.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import whiteboards
from amityvox.errors import ApiError, bad_request, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services.access import channel_access
from amityvox.services.messages import require_message_channel, require_unlocked
from amityvox.services.serialize import Row

MAX_STATE_BYTES = 256 * 1024
MAX_NAME = 100
MAX_PER_CHANNEL = 50
PAGE_MAX = 100


def summary_out(row: Row) -> dict[str, Any]:
    """A board without its state (listings)."""
    out = {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "name": row["name"],
        "version": row["version"],
        "creator_id": row["creator_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if row["updated_by"] is not None:
        out["updated_by"] = row["updated_by"]
    return out


def whiteboard_out(row: Row) -> dict[str, Any]:
    return {**summary_out(row), "state": row["state"]}


def check_state(state: dict[str, Any]) -> dict[str, Any]:
    """At most 256 KiB once encoded as JSON; 413 `payload_too_large` beyond."""
    size = len(orjson.dumps(state))
    if size > MAX_STATE_BYTES:
        raise ApiError(413, "payload_too_large", f"state is {size} bytes; at most {MAX_STATE_BYTES} are allowed")
    return state


def check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise bad_request(f"name must be 1-{MAX_NAME} characters")
    return name


async def _load(conn: AsyncConnection, channel_id: str, board_id: str) -> Row:
    q = select(whiteboards).where(whiteboards.c.id == board_id, whiteboards.c.channel_id == channel_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("whiteboard")
    return row


async def create_whiteboard(
    ctx: Context, channel_id: str, user_id: str, name: str, state: dict[str, Any] | None
) -> dict[str, Any]:
    """POST …/experimental/whiteboards (SendMessages): a new board at version 0; no event."""
    name = check_name(name)
    state = check_state(state or {})
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id, need=P.Perm.SendMessages)
        require_message_channel(ca)
        require_unlocked(ca)
        held = await tx.conn.scalar(select(func.count()).where(whiteboards.c.channel_id == channel_id))
        if (held or 0) >= MAX_PER_CHANNEL:
            raise bad_request(f"a channel holds at most {MAX_PER_CHANNEL} whiteboards", code="limit_reached")
        now = now_iso()
        row = {
            "id": new_id(),
            "channel_id": channel_id,
            "name": name,
            "state": state,
            "version": 0,
            "creator_id": user_id,
            "updated_by": None,
            "created_at": now,
            "updated_at": now,
        }
        await tx.conn.execute(whiteboards.insert().values(**row))
        return whiteboard_out(row)


async def list_whiteboards(
    ctx: Context, channel_id: str, user_id: str, *, limit: int = PAGE_MAX
) -> list[dict[str, Any]]:
    """GET …/experimental/whiteboards (ViewChannel): the channel's boards without their state, oldest first."""
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id)
        require_message_channel(ca)
        q = select(whiteboards).where(whiteboards.c.channel_id == channel_id).order_by(whiteboards.c.id).limit(limit)
        return [summary_out(r) for r in (await conn.execute(q)).mappings()]


async def get_whiteboard(ctx: Context, channel_id: str, board_id: str, user_id: str) -> dict[str, Any]:
    """GET …/experimental/whiteboards/{id} (ViewChannel): the board with its state."""
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id)
        return whiteboard_out(await _load(conn, channel_id, board_id))


async def update_whiteboard(
    ctx: Context, channel_id: str, board_id: str, user_id: str, state: dict[str, Any], version: int
) -> dict[str, Any]:
    """PATCH …/experimental/whiteboards/{id} (SendMessages) → WHITEBOARD_UPDATE with the new version.

    `version` is the version the edit was based on; when another edit landed first the
    answer is 409 `version_conflict` with `current_version`, and nothing is published.
    """
    state = check_state(state)
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id, need=P.Perm.SendMessages)
        require_unlocked(ca)
        row = await _load(tx.conn, channel_id, board_id)
        now = now_iso()
        done = await tx.conn.execute(
            update(whiteboards)
            .where(whiteboards.c.id == row["id"], whiteboards.c.version == version)
            .values(state=state, version=version + 1, updated_by=user_id, updated_at=now)
        )
        if not done.rowcount:
            current = await tx.conn.scalar(select(whiteboards.c.version).where(whiteboards.c.id == row["id"]))
            raise ApiError(
                409,
                "version_conflict",
                f"the whiteboard is at version {current}; fetch it, merge and retry",
                current_version=current,
            )
        event = {
            "whiteboard_id": row["id"],
            "channel_id": channel_id,
            "user_id": user_id,
            "state": state,
            "version": version + 1,
        }
        tx.emit("WHITEBOARD_UPDATE", event)
        return whiteboard_out({**row, "state": state, "version": version + 1, "updated_by": user_id, "updated_at": now})
