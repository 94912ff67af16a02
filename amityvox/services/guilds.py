"""Guilds: create, read, edit, transfer, delete and leave.

`full_guild` builds what one member sees of a guild (GUILD_CREATE and READY's
`guilds`): the Guild plus the channels that member can view, roles, emoji and the
member's own membership.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels as channels_table
from amityvox.db.schema import guild_members, guilds
from amityvox.errors import bad_request, forbidden, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log, channels, instance, media, members, messages, users
from amityvox.services.serialize import (
    guild_out,
    load_guild_emoji,
    load_guild_roles,
    load_guild_row,
    load_member,
)
from amityvox.uow import UnitOfWork

MAX_NAME = 100
MAX_DESCRIPTION = 1000
# The guild's pictures and the upload kind each must be (the caller's own, docs/media.md).
_PICTURES = {"icon_id": "icon", "banner_id": "banner"}


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise bad_request(f"name must be 1-{MAX_NAME} characters")
    return name


def _check_description(description: str | None) -> str | None:
    if description is None or description.strip() == "":
        return None
    if len(description) > MAX_DESCRIPTION:
        raise bad_request(f"description must be at most {MAX_DESCRIPTION} characters")
    return description


async def _check_system_channel(conn: AsyncConnection, guild_id: str, channel_id: str) -> None:
    channel = await conn.scalar(
        select(channels_table.c.channel_type).where(
            channels_table.c.id == channel_id,
            channels_table.c.guild_id == guild_id,
            channels_table.c.parent_channel_id.is_(None),
        )
    )
    if channel is None:
        raise bad_request("system_channel_id must name a channel of this guild", code="unknown_channel")
    if channel not in messages.SYSTEM_CHANNEL_TYPES:
        raise bad_request("the system channel must be a text or announcement channel", code="invalid_channel_type")


async def full_guild(conn: AsyncConnection, guild_id: str, user_id: str) -> dict[str, Any]:
    """The guild as `user_id` (a member) sees it: Guild + channels, roles, emoji, member."""
    ga = await access.guild_access(conn, guild_id, user_id)
    out = guild_out(ga.guild)
    out["channels"] = await channels.viewable_channels(conn, ga)
    out["roles"] = await load_guild_roles(conn, guild_id)
    out["emoji"] = await load_guild_emoji(conn, guild_id)
    out["member"] = await load_member(conn, guild_id, user_id)
    return out


async def create_guild(ctx: Context, owner_id: str, name: str, description: str | None = None) -> dict[str, Any]:
    """POST /guilds: the guild, its owner's membership and a `general` channel → GUILD_CREATE."""
    name = _check_name(name)
    description = _check_description(description)
    async with ctx.uow() as tx:
        await users.get_row(tx.conn, owner_id)
        await instance.require_guild_room(ctx, tx.conn, owner_id)
        guild_id = new_id()
        now = now_iso()
        await tx.conn.execute(
            guilds.insert().values(
                id=guild_id,
                owner_id=owner_id,
                name=name,
                description=description,
                default_permissions=P.DEFAULT_EVERYONE,
                flags=0,
                nsfw=False,
                discoverable=False,
                member_count=1,
                created_at=now,
            )
        )
        await tx.conn.execute(
            guild_members.insert().values(
                guild_id=guild_id, user_id=owner_id, joined_at=now, last_active_at=now, deaf=False, mute=False
            )
        )
        await channels.create_default_channel(tx.conn, guild_id, now)
        full = await full_guild(tx.conn, guild_id, owner_id)
        tx.emit("GUILD_CREATE", full)
        return full


async def get_guild(ctx: Context, guild_id: str, user_id: str) -> dict[str, Any]:
    """GET /guilds/{g}: members only (others get 404)."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        return guild_out(ga.guild)


async def update_guild(ctx: Context, guild_id: str, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /guilds/{g} (ManageGuild; `owner_id` by the owner only) → GUILD_UPDATE."""
    values: dict[str, Any] = {}
    if "name" in changes:
        if changes["name"] is None:
            raise bad_request("name cannot be null")
        values["name"] = _check_name(changes["name"])
    if "description" in changes:
        values["description"] = _check_description(changes["description"])
    for key in _PICTURES:
        if key in changes:
            values[key] = changes[key] or None
    if "system_channel_id" in changes:
        values["system_channel_id"] = (changes["system_channel_id"] or "").upper() or None
    for flag in ("nsfw", "discoverable"):
        if flag in changes:
            if changes[flag] is None:
                raise bad_request(f"{flag} cannot be null")
            values[flag] = bool(changes[flag])
    if "default_permissions" in changes:
        bits = changes["default_permissions"]
        if bits is None or bits < 0 or bits & ~P.ALL:
            raise bad_request("default_permissions holds bits that are not permissions")
        values["default_permissions"] = bits
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        for key, kind in _PICTURES.items():
            if values.get(key) is not None:
                values[key] = await media.require_media(tx.conn, values[key], kind, user_id)
        if values.get("system_channel_id") is not None:
            await _check_system_channel(tx.conn, guild_id, values["system_channel_id"])
        if "owner_id" in changes:
            new_owner = changes["owner_id"]
            if not ga.is_owner:
                raise forbidden("only the owner can transfer the guild")
            if new_owner is None:
                raise bad_request("owner_id cannot be null")
            if not await members.is_member(tx.conn, guild_id, new_owner):
                raise bad_request("the new owner must be a member of the guild", code="not_a_member")
            values["owner_id"] = new_owner
        if set(values) - {"owner_id"}:
            ga.require(P.Perm.ManageGuild)
        if (
            "default_permissions" in values
            and values["default_permissions"] & ~ga.guild["default_permissions"] & ~ga.perms
        ):
            raise forbidden("you cannot grant @everyone permissions you do not have")
        values = {k: v for k, v in values.items() if ga.guild[k] != v}  # a no-op edit publishes nothing
        if values:
            await tx.conn.execute(update(guilds).where(guilds.c.id == guild_id).values(**values))
        guild = guild_out(await load_guild_row(tx.conn, guild_id))
        if values:
            tx.emit("GUILD_UPDATE", guild)
            await audit_log.record(
                tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.GUILD_UPDATE,
                target_type="guild", target_id=guild_id, old=guild_out(ga.guild), new=guild,
            )  # fmt: skip
        return guild


async def delete_guild(ctx: Context, guild_id: str, user_id: str) -> None:
    """DELETE /guilds/{g} (owner only) → GUILD_DELETE; everything in it goes with it."""
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        if not ga.is_owner:
            raise forbidden("only the owner can delete the guild")
        await remove_guild(tx, guild_id)


async def remove_guild(tx: UnitOfWork, guild_id: str) -> None:
    """Delete a guild and all in it, and tell its members (GUILD_DELETE): its owner's deletion,
    or an instance administrator's."""
    await tx.conn.execute(delete(guilds).where(guilds.c.id == guild_id))
    tx.emit("GUILD_DELETE", {"id": guild_id})


async def leave_guild(ctx: Context, guild_id: str, user_id: str) -> None:
    """POST /guilds/{g}/leave → GUILD_MEMBER_REMOVE; the owner must transfer ownership first."""
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        if ga.is_owner:
            raise bad_request(
                "the owner cannot leave; transfer ownership or delete the guild", code="owner_cannot_leave"
            )
        if not await members.remove_member(tx.conn, guild_id, user_id):
            raise not_found("guild")
        tx.emit("GUILD_MEMBER_REMOVE", {"guild_id": guild_id, "user_id": user_id})
