"""Guild channels: listing what a member can see, create/edit/delete, and permission overwrites.

DM and group channels share the table but are managed elsewhere; every write here
refuses them with 400 so a guild-channel rule can never leak onto a private channel.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, guild_members, guilds, permission_overwrites, roles
from amityvox.errors import bad_request, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log, grants
from amityvox.services.serialize import Row, channel_out, guild_out, load_channel, load_guild_row, overwrite_out
from amityvox.uow import UnitOfWork

GUILD_CHANNEL_TYPES = ("text", "voice", "announcement", "forum", "stage", "category")
PRIVATE_TYPES = ("dm", "group")
MAX_SLOWMODE = 21600
MAX_NAME = 100
MAX_TOPIC = 1024
# Types whose names are slugs, as Discord's text, announcement and forum channels; voice and
# stage channels and categories keep spaces and capitals.
SLUG_TYPES = frozenset({"text", "announcement", "forum"})
_DASHES = re.compile(r"[\s-]+")


# ---- reading ---------------------------------------------------------------------------------


async def viewable_channels(conn: AsyncConnection, ga: access.GuildAccess) -> list[dict[str, Any]]:
    """Every channel of the guild the member can view, whole, ordered by position then id.

    One query for the channels and one for all their overwrites; threads resolve
    against their parent's overwrites, as `access.channel_access` does.
    """
    guild_id = ga.guild["id"]
    rows = list(
        (
            await conn.execute(
                select(channels).where(channels.c.guild_id == guild_id).order_by(channels.c.position, channels.c.id)
            )
        ).mappings()
    )
    by_channel: dict[str, list[Row]] = defaultdict(list)
    ow_q = (
        select(permission_overwrites)
        .join(channels, channels.c.id == permission_overwrites.c.channel_id)
        .where(channels.c.guild_id == guild_id)
        .order_by(permission_overwrites.c.target_id)
    )
    for ow in (await conn.execute(ow_q)).mappings():
        by_channel[ow["channel_id"]].append(ow)
    out = []
    for row in rows:
        perms = access.resolve(ga, by_channel[row["parent_channel_id"] or row["id"]])
        if perms & P.Perm.ViewChannel:
            out.append(channel_out(row, by_channel[row["id"]]))
    return out


async def list_guild_channels(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        return await viewable_channels(conn, ga)


async def get_channel(ctx: Context, channel_id: str, user_id: str) -> dict[str, Any]:
    """Any channel the caller can view, guild or private."""
    async with ctx.db.read() as conn:
        await access.channel_access(conn, channel_id, user_id)
        return await load_channel(conn, channel_id)


# ---- validation ------------------------------------------------------------------------------


def normalize_name(name: str, channel_type: str) -> str:
    """A channel's name as stored: for text-like channels ("Random Stuff!" → "random-stuff"),
    lower case, runs of spaces and dashes as one dash, no dash at either end, and only letters,
    digits, marks, `-`, `_` and symbols such as emoji kept (punctuation and control characters
    go); other types only lose surrounding spaces. The web client's create dialog applies the
    same rule as the name is typed (`channelName` in js/ui/settings.js)."""
    name = name.strip()
    if channel_type not in SLUG_TYPES:
        return name
    kept = "".join(c for c in name.lower() if c in "-_" or c.isspace() or unicodedata.category(c)[0] in "LNMS")
    return _DASHES.sub("-", kept).strip("-")


def _check_name(name: str, channel_type: str, *, thread: bool = False) -> str:
    """The name to store; a thread's name keeps spaces and capitals, as Discord's do."""
    name = name.strip() if thread else normalize_name(name, channel_type)
    if not 1 <= len(name) <= MAX_NAME:
        slug = channel_type in SLUG_TYPES and not thread
        raise bad_request(f"name must be 1-{MAX_NAME} characters" + (" (letters, digits, - or _)" if slug else ""))
    return name


def _check_topic(topic: str | None) -> str | None:
    if topic is None or topic.strip() == "":
        return None
    if len(topic) > MAX_TOPIC:
        raise bad_request(f"topic must be at most {MAX_TOPIC} characters")
    return topic


def _check_slowmode(seconds: int) -> int:
    if not 0 <= seconds <= MAX_SLOWMODE:
        raise bad_request(f"slowmode_seconds must be 0-{MAX_SLOWMODE}")
    return seconds


def _check_position(position: int) -> int:
    if not 0 <= position <= 1_000_000:
        raise bad_request("position must be 0-1000000")
    return position


async def _check_category(conn: AsyncConnection, guild_id: str, category_id: str, channel_type: str) -> str:
    if channel_type == "category":
        raise bad_request("a category cannot be inside another category", code="invalid_category")
    q = select(channels.c.channel_type).where(channels.c.id == category_id, channels.c.guild_id == guild_id)
    found = await conn.scalar(q)
    if found != "category":
        raise bad_request("category_id must be a category of this guild", code="invalid_category")
    return category_id


def _guild_channel(ca: access.ChannelAccess) -> str:
    """The channel's guild id; private channels are not managed through these endpoints."""
    if ca.channel["channel_type"] in PRIVATE_TYPES or ca.guild_id is None:
        raise bad_request("DM and group channels cannot be changed here", code="not_a_guild_channel")
    return ca.guild_id


def _require_manage(ca: access.ChannelAccess) -> None:
    """ManageChannels, or ManageThreads for a thread."""
    if ca.channel["parent_channel_id"] is not None and P.has(ca.perms, P.Perm.ManageThreads):
        return
    ca.require(P.Perm.ManageChannels)


# ---- writes ----------------------------------------------------------------------------------


async def create_channel(ctx: Context, guild_id: str, user_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """POST /guilds/{g}/channels (ManageChannels) → CHANNEL_CREATE."""
    channel_type = fields.get("channel_type") or "text"
    if channel_type not in GUILD_CHANNEL_TYPES:
        raise bad_request(f"channel_type must be one of {', '.join(GUILD_CHANNEL_TYPES)}")
    name = _check_name(fields.get("name") or "", channel_type)
    topic = _check_topic(fields.get("topic"))
    slowmode = _check_slowmode(fields.get("slowmode_seconds") or 0)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageChannels)
        category_id = fields.get("category_id")
        if category_id is not None:
            await _check_category(tx.conn, guild_id, category_id, channel_type)
        position = fields.get("position")
        if position is None:
            top = await tx.conn.scalar(select(func.max(channels.c.position)).where(channels.c.guild_id == guild_id))
            position = 0 if top is None else top + 1
        channel_id = new_id()
        await tx.conn.execute(
            channels.insert().values(
                id=channel_id,
                guild_id=guild_id,
                category_id=category_id,
                channel_type=channel_type,
                name=name,
                topic=topic,
                position=_check_position(position),
                slowmode_seconds=slowmode,
                nsfw=bool(fields.get("nsfw", False)),
                locked=False,
                archived=False,
                created_at=now_iso(),
            )
        )
        channel = await load_channel(tx.conn, channel_id)
        tx.emit("CHANNEL_CREATE", channel)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.CHANNEL_CREATE,
            target_type="channel", target_id=channel_id, new=channel,
        )  # fmt: skip
        return channel


async def update_channel(ctx: Context, channel_id: str, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /channels/{c} → CHANNEL_UPDATE with the whole channel."""
    values: dict[str, Any] = {}
    if "name" in changes and changes["name"] is None:
        raise bad_request("name cannot be null")
    if "topic" in changes:
        values["topic"] = _check_topic(changes["topic"])
    if "slowmode_seconds" in changes:
        values["slowmode_seconds"] = _check_slowmode(changes["slowmode_seconds"] or 0)
    if "position" in changes:
        if changes["position"] is None:
            raise bad_request("position cannot be null")
        values["position"] = _check_position(changes["position"])
    for flag in ("nsfw", "locked", "archived"):
        if flag in changes:
            if changes[flag] is None:
                raise bad_request(f"{flag} cannot be null")
            values[flag] = bool(changes[flag])
    async with ctx.uow() as tx:
        ca = await access.channel_access(tx.conn, channel_id, user_id)
        guild_id = _guild_channel(ca)
        _require_manage(ca)
        if "name" in changes:
            kind, thread = ca.channel["channel_type"], ca.channel["parent_channel_id"] is not None
            values["name"] = _check_name(changes["name"], kind, thread=thread)
        if "category_id" in changes:
            category_id = changes["category_id"]
            if category_id is not None:
                if category_id == channel_id:
                    raise bad_request("a channel cannot be its own category", code="invalid_category")
                await _check_category(tx.conn, guild_id, category_id, ca.channel["channel_type"])
            values["category_id"] = category_id
        values = {k: v for k, v in values.items() if ca.channel[k] != v}  # a no-op edit publishes nothing
        before = await load_channel(tx.conn, channel_id)
        if values:
            await tx.conn.execute(update(channels).where(channels.c.id == channel_id).values(**values))
        channel = await load_channel(tx.conn, channel_id)
        if values:
            tx.emit("CHANNEL_UPDATE", channel)
            await audit_log.record(
                tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.CHANNEL_UPDATE,
                target_type="channel", target_id=channel_id, old=before, new=channel,
            )  # fmt: skip
        return channel


async def delete_channel(ctx: Context, channel_id: str, user_id: str) -> None:
    """DELETE /channels/{c} → CHANNEL_DELETE for it and its threads; a category's children move out;
    a guild whose system channel it was has none any more (GUILD_UPDATE)."""
    async with ctx.uow() as tx:
        ca = await access.channel_access(tx.conn, channel_id, user_id)
        guild_id = _guild_channel(ca)
        _require_manage(ca)
        threads = list(await tx.conn.scalars(select(channels.c.id).where(channels.c.parent_channel_id == channel_id)))
        before = await load_channel(tx.conn, channel_id)
        children = list(
            await tx.conn.scalars(
                select(channels.c.id).where(channels.c.category_id == channel_id).order_by(channels.c.id)
            )
        )
        if children:
            await tx.conn.execute(update(channels).where(channels.c.id.in_(children)).values(category_id=None))
        gone = [*threads, channel_id]
        await tx.conn.execute(delete(channels).where(channels.c.id.in_(gone)))
        for cid in gone:
            tx.emit("CHANNEL_DELETE", {"id": cid, "guild_id": guild_id})
        for cid in children:
            tx.emit("CHANNEL_UPDATE", await load_channel(tx.conn, cid))
        cleared = update(guilds).where(guilds.c.id == guild_id, guilds.c.system_channel_id == channel_id)
        if (await tx.conn.execute(cleared.values(system_channel_id=None))).rowcount:
            tx.emit("GUILD_UPDATE", guild_out(await load_guild_row(tx.conn, guild_id)))
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.CHANNEL_DELETE,
            target_type="channel", target_id=channel_id, old=before,
        )  # fmt: skip


async def _check_target(conn: AsyncConnection, guild_id: str, target_id: str, target_type: str) -> None:
    if target_type == "role":
        if target_id == guild_id:
            return
        found = await conn.scalar(select(roles.c.id).where(roles.c.id == target_id, roles.c.guild_id == guild_id))
        if found is None:
            raise not_found("role")
    elif target_type == "user":
        q = select(guild_members.c.user_id).where(
            guild_members.c.guild_id == guild_id, guild_members.c.user_id == target_id
        )
        if await conn.scalar(q) is None:
            raise not_found("member")
    else:
        raise bad_request("type must be 'role' or 'user'")


def _check_bits(allow: int, deny: int) -> None:
    for label, bits in (("allow", allow), ("deny", deny)):
        if bits < 0 or bits & ~P.ALL:
            raise bad_request(f"{label} holds bits that are not permissions")
    if allow & deny:
        raise bad_request("allow and deny cannot share a bit")


async def _overwrite_access(conn: AsyncConnection, channel_id: str, user_id: str) -> tuple[access.ChannelAccess, str]:
    ca = await access.channel_access(conn, channel_id, user_id)
    guild_id = _guild_channel(ca)  # so `ca.guild_access` is set
    if ca.channel["parent_channel_id"] is not None:
        raise bad_request("threads take their parent channel's overwrites", code="not_supported_for_threads")
    ca.require(P.Perm.ManagePermissions)
    return ca, guild_id


async def _require_may_target(conn: AsyncConnection, ga: access.GuildAccess, target_id: str, target_type: str) -> None:
    """Overwrites follow the hierarchy: a role below the editor's highest, a member they outrank, or themselves."""
    if target_id == ga.guild["id"] or target_id == ga.member["user_id"]:
        return
    if target_type == "role":
        position = await conn.scalar(select(roles.c.position).where(roles.c.id == target_id))
        grants.require_role_below(ga, position or 0)
    else:
        await grants.require_outranks(conn, ga, target_id)


async def _change_overwrite(
    conn: AsyncConnection, ca: access.ChannelAccess, existing: Row | None, target: tuple[str, str], new: tuple[int, int]
) -> None:
    """Apply the grant rule and the hierarchy to one overwrite change (a delete is a change to 0/0)."""
    old = (existing["allow"], existing["deny"]) if existing is not None else (0, 0)
    grants.require_holds(ca.perms, grants.changed_bits(old, new), "in this channel")
    if ca.guild_access is not None:  # always set for a guild channel
        await _require_may_target(conn, ca.guild_access, *target)


async def _existing_overwrite(conn: AsyncConnection, channel_id: str, target_id: str) -> Row | None:
    q = select(permission_overwrites).where(
        permission_overwrites.c.channel_id == channel_id, permission_overwrites.c.target_id == target_id
    )
    return (await conn.execute(q)).mappings().first()


async def put_overwrite(
    ctx: Context, channel_id: str, user_id: str, target_id: str, target_type: str, allow: int, deny: int
) -> dict[str, Any]:
    """PUT /channels/{c}/permissions/{target} → CHANNEL_UPDATE with the whole channel."""
    _check_bits(allow, deny)
    async with ctx.uow() as tx:
        ca, guild_id = await _overwrite_access(tx.conn, channel_id, user_id)
        await _check_target(tx.conn, guild_id, target_id, target_type)
        existing = await _existing_overwrite(tx.conn, channel_id, target_id)
        if existing is not None and existing["target_type"] != target_type:
            raise bad_request("this target already has an overwrite of the other type")
        await _change_overwrite(tx.conn, ca, existing, (target_id, target_type), (allow, deny))
        where = (permission_overwrites.c.channel_id == channel_id, permission_overwrites.c.target_id == target_id)
        if existing is None:
            await tx.conn.execute(
                permission_overwrites.insert().values(
                    channel_id=channel_id, target_id=target_id, target_type=target_type, allow=allow, deny=deny
                )
            )
        else:
            await tx.conn.execute(update(permission_overwrites).where(*where).values(allow=allow, deny=deny))
        channel = await load_channel(tx.conn, channel_id)
        if existing is None or (existing["allow"], existing["deny"]) != (allow, deny):
            tx.emit("CHANNEL_UPDATE", channel)
            new = {"id": target_id, "type": target_type, "allow": str(allow), "deny": str(deny)}
            await _audit_overwrite(tx, guild_id, user_id, channel_id, existing, new)
        return channel


async def _audit_overwrite(
    tx: UnitOfWork, guild_id: str, actor_id: str, channel_id: str, existing: Row | None, new: dict[str, Any] | None
) -> None:
    """The entry of one overwrite change: the channel is its target, the overwrite its one change."""
    action = audit_log.Action
    await audit_log.record(
        tx, guild_id=guild_id, actor_id=actor_id, target_type="channel", target_id=channel_id,
        action=(action.CHANNEL_OVERWRITE_CREATE if existing is None
                else action.CHANNEL_OVERWRITE_DELETE if new is None else action.CHANNEL_OVERWRITE_UPDATE),
        old={"overwrite": overwrite_out(existing) if existing is not None else None},
        new={"overwrite": new},
    )  # fmt: skip


async def delete_overwrite(ctx: Context, channel_id: str, user_id: str, target_id: str) -> None:
    """DELETE /channels/{c}/permissions/{target} → CHANNEL_UPDATE with the whole channel.

    Removing an overwrite lifts its denies, so it is checked like a change to allow 0, deny 0."""
    async with ctx.uow() as tx:
        ca, guild_id = await _overwrite_access(tx.conn, channel_id, user_id)
        existing = await _existing_overwrite(tx.conn, channel_id, target_id)
        if existing is None:
            raise not_found("overwrite")
        await _change_overwrite(tx.conn, ca, existing, (target_id, existing["target_type"]), (0, 0))
        await tx.conn.execute(
            delete(permission_overwrites).where(
                permission_overwrites.c.channel_id == channel_id, permission_overwrites.c.target_id == target_id
            )
        )
        tx.emit("CHANNEL_UPDATE", await load_channel(tx.conn, channel_id))
        await _audit_overwrite(tx, guild_id, user_id, channel_id, existing, None)


async def create_default_channel(conn: AsyncConnection, guild_id: str, created_at: str) -> None:
    """The `general` text channel every new guild starts with."""
    await conn.execute(
        channels.insert().values(
            id=new_id(),
            guild_id=guild_id,
            channel_type="text",
            name="general",
            position=0,
            slowmode_seconds=0,
            nsfw=False,
            locked=False,
            archived=False,
            created_at=created_at,
        )
    )
