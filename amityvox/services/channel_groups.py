"""Channel groups: named, ordered sets of a guild's channels (a layer above categories).

Members read them; ManageChannels creates, renames, reorders, deletes and fills them.
Events go to the whole guild (CHANNEL_GROUP_CREATE / _UPDATE with the whole group,
CHANNEL_GROUP_DELETE `{id, guild_id}`, CHANNEL_GROUP_ITEMS_UPDATE `{group_id, guild_id,
channel_ids}`), so REST answers the same ids to every member, whether or not they can
view each channel; an id alone reveals nothing of a channel. A deleted channel simply
drops out of its groups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channel_group_items, channel_groups, channels
from amityvox.errors import bad_request, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import access
from amityvox.services.serialize import Row

MAX_GROUPS = 50
MAX_NAME = 100
MAX_CHANNELS = 200
MAX_POSITION = 10_000


async def _channel_ids(conn: AsyncConnection, group_ids: Sequence[str]) -> dict[str, list[str]]:
    if not group_ids:
        return {}
    q = (
        select(channel_group_items.c.group_id, channel_group_items.c.channel_id)
        .join(channels, channels.c.id == channel_group_items.c.channel_id)
        .where(channel_group_items.c.group_id.in_(list(group_ids)))
        .order_by(channel_group_items.c.group_id, channel_group_items.c.position)
    )
    out: dict[str, list[str]] = defaultdict(list)
    for gid, cid in await conn.execute(q):
        out[gid].append(cid)
    return out


def group_out(row: Row, channel_ids: list[str]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "name": row["name"],
        "position": row["position"],
        "channel_ids": channel_ids,
        "created_at": row["created_at"],
    }


async def _load_row(conn: AsyncConnection, guild_id: str, group_id: str) -> Row:
    q = select(channel_groups).where(channel_groups.c.id == group_id, channel_groups.c.guild_id == guild_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("channel group")
    return row


async def load_group(conn: AsyncConnection, guild_id: str, group_id: str) -> dict[str, Any]:
    row = await _load_row(conn, guild_id, group_id)
    return group_out(row, (await _channel_ids(conn, [group_id])).get(group_id, []))


def _name(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_NAME:
        raise bad_request(f"name must be 1-{MAX_NAME} characters")
    return value.strip()


def _position(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_POSITION:
        raise bad_request(f"position must be an integer from 0 to {MAX_POSITION}")
    return value


async def _check_channels(conn: AsyncConnection, guild_id: str, channel_ids: Sequence[str]) -> list[str]:
    ids = list(channel_ids)
    if len(ids) > MAX_CHANNELS:
        raise bad_request(f"a group holds at most {MAX_CHANNELS} channels")
    if len(set(ids)) != len(ids):
        raise bad_request("channel_ids must not repeat")
    if ids:
        q = select(channels.c.id).where(channels.c.id.in_(ids), channels.c.guild_id == guild_id)
        if set(await conn.scalars(q)) != set(ids):
            raise bad_request("channel_ids must name channels of this guild", code="unknown_channel")
    return ids


async def _fill(conn: AsyncConnection, group_id: str, channel_ids: list[str]) -> None:
    await conn.execute(delete(channel_group_items).where(channel_group_items.c.group_id == group_id))
    if channel_ids:
        await conn.execute(
            channel_group_items.insert(),
            [{"group_id": group_id, "channel_id": c, "position": i} for i, c in enumerate(channel_ids)],
        )


async def _manager(conn: AsyncConnection, guild_id: str, user_id: str) -> None:
    ga = await access.guild_access(conn, guild_id, user_id)
    ga.require(P.Perm.ManageChannels)


async def list_groups(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/channel-groups (members), by position."""
    async with ctx.db.read() as conn:
        await access.guild_access(conn, guild_id, user_id)
        q = (
            select(channel_groups)
            .where(channel_groups.c.guild_id == guild_id)
            .order_by(channel_groups.c.position, channel_groups.c.id)
        )
        rows = list((await conn.execute(q)).mappings())
        items = await _channel_ids(conn, [r["id"] for r in rows])
        return [group_out(r, items.get(r["id"], [])) for r in rows]


async def create_group(
    ctx: Context,
    guild_id: str,
    user_id: str,
    *,
    name: Any,
    position: Any = None,
    channel_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """POST /guilds/{g}/channel-groups (ManageChannels) → CHANNEL_GROUP_CREATE with the whole group."""
    clean_name = _name(name)
    async with ctx.uow() as tx:
        await _manager(tx.conn, guild_id, user_id)
        ids = await _check_channels(tx.conn, guild_id, channel_ids)
        count = int(await tx.conn.scalar(select(func.count()).where(channel_groups.c.guild_id == guild_id)) or 0)
        if count >= MAX_GROUPS:
            raise bad_request(f"a guild has at most {MAX_GROUPS} channel groups", code="too_many_groups")
        group_id = new_id()
        await tx.conn.execute(
            channel_groups.insert().values(
                id=group_id,
                guild_id=guild_id,
                name=clean_name,
                position=count if position is None else _position(position),
                created_at=now_iso(),
            )
        )
        await _fill(tx.conn, group_id, ids)
        group = await load_group(tx.conn, guild_id, group_id)
        tx.emit("CHANNEL_GROUP_CREATE", group)
        return group


async def update_group(
    ctx: Context, guild_id: str, group_id: str, user_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """PATCH /guilds/{g}/channel-groups/{id} {name?, position?} (ManageChannels) → CHANNEL_GROUP_UPDATE."""
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _name(changes["name"])
    if "position" in changes:
        values["position"] = _position(changes["position"])
    async with ctx.uow() as tx:
        await _manager(tx.conn, guild_id, user_id)
        row = await _load_row(tx.conn, guild_id, group_id)
        changed = {k: v for k, v in values.items() if row[k] != v}
        if changed:
            await tx.conn.execute(update(channel_groups).where(channel_groups.c.id == group_id).values(**changed))
        group = await load_group(tx.conn, guild_id, group_id)
        if changed:
            tx.emit("CHANNEL_GROUP_UPDATE", group)
        return group


async def delete_group(ctx: Context, guild_id: str, group_id: str, user_id: str) -> None:
    """DELETE /guilds/{g}/channel-groups/{id} (ManageChannels) → CHANNEL_GROUP_DELETE."""
    async with ctx.uow() as tx:
        await _manager(tx.conn, guild_id, user_id)
        await _load_row(tx.conn, guild_id, group_id)
        await tx.conn.execute(delete(channel_group_items).where(channel_group_items.c.group_id == group_id))
        await tx.conn.execute(delete(channel_groups).where(channel_groups.c.id == group_id))
        tx.emit("CHANNEL_GROUP_DELETE", {"id": group_id, "guild_id": guild_id})


async def set_channels(
    ctx: Context, guild_id: str, group_id: str, user_id: str, channel_ids: Sequence[str]
) -> dict[str, Any]:
    """PUT /guilds/{g}/channel-groups/{id}/channels (ManageChannels): replace the list, in order
    → CHANNEL_GROUP_ITEMS_UPDATE (only when it changed); answers the whole group."""
    async with ctx.uow() as tx:
        await _manager(tx.conn, guild_id, user_id)
        await _load_row(tx.conn, guild_id, group_id)
        ids = await _check_channels(tx.conn, guild_id, channel_ids)
        before = (await _channel_ids(tx.conn, [group_id])).get(group_id, [])
        if before != ids:
            await _fill(tx.conn, group_id, ids)
            tx.emit("CHANNEL_GROUP_ITEMS_UPDATE", {"group_id": group_id, "guild_id": guild_id, "channel_ids": ids})
        return await load_group(tx.conn, guild_id, group_id)
