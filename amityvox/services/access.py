"""Permission checks against the database for REST calls (the gateway uses its own indexes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, Table, and_, bindparam, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.db.hot import HotStatement
from amityvox.db.schema import (
    channel_recipients,
    channels,
    guild_members,
    guilds,
    member_roles,
    permission_overwrites,
    roles,
)
from amityvox.errors import forbidden, not_found
from amityvox.ids import now_iso
from amityvox.services.serialize import Row, load_overwrites

# What a DM or group recipient may do: everything a chat member needs, no moderation.
DM_PERMISSIONS = int(
    P.Perm.ViewChannel
    | P.Perm.ReadHistory
    | P.Perm.SendMessages
    | P.Perm.EmbedLinks
    | P.Perm.UploadFiles
    | P.Perm.AddReactions
    | P.Perm.UseExternalEmoji
    | P.Perm.Connect
    | P.Perm.Speak
    | P.Perm.UseVAD
    | P.Perm.Stream
)


@dataclass(frozen=True)
class GuildAccess:
    guild: Row
    member: Row
    role_bits: list[P.RoleBits]
    perms: int

    @property
    def is_owner(self) -> bool:
        return bool(self.guild["owner_id"] == self.member["user_id"])

    @property
    def is_moderator(self) -> bool:
        return P.is_moderator(self.perms)

    @property
    def top_position(self) -> int:
        """Highest role position held; the owner outranks everyone."""
        if self.is_owner:
            return 1 << 30
        return max((r.position for r in self.role_bits), default=0)

    def require(self, bit: int) -> None:
        if not P.has(self.perms, bit):
            raise forbidden(f"you need the {_bit_names(bit)} permission")


@dataclass(frozen=True)
class ChannelAccess:
    channel: Row
    perms: int
    guild_access: GuildAccess | None  # None for DMs and groups

    @property
    def guild_id(self) -> str | None:
        gid: str | None = self.channel["guild_id"]
        return gid

    @property
    def is_moderator(self) -> bool:
        return self.guild_access is not None and self.guild_access.is_moderator

    def require(self, bit: int) -> None:
        if not P.has(self.perms, bit):
            raise forbidden(f"you need the {_bit_names(bit)} permission in this channel")


def _bit_names(bits: int) -> str:
    return " and ".join(p.name or str(int(p)) for p in P.Perm if bits & p)


def timed_out(member: Row) -> bool:
    until = member["timeout_until"]
    return until is not None and until > now_iso()


# Built once (see serialize.py): these run on nearly every request. A caller's standing is read
# in two statements: the channel (or guild) with the caller's membership joined in, then their
# roles and the channel's overwrites together.
def _labelled(table: Table, prefix: str) -> tuple[list[Any], list[tuple[str, str]]]:
    """`table`'s columns labelled `prefix_name`, and the (label, name) pairs that split them back out."""
    pairs = [(f"{prefix}_{c.name}", c.name) for c in table.c]
    return [c.label(label) for c, (label, _) in zip(table.c, pairs, strict=True)], pairs


def _part(row: Row, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {name: row[label] for label, name in pairs}


_C_COLS, _C = _labelled(channels, "c")
_G_COLS, _G = _labelled(guilds, "g")
_M_COLS, _M = _labelled(guild_members, "m")
_IS_MEMBER = and_(guild_members.c.guild_id == guilds.c.id, guild_members.c.user_id == bindparam("u"))

_GUILD_STANDING = HotStatement(
    select(*_G_COLS, *_M_COLS)
    .select_from(guilds)
    .outerjoin(guild_members, _IS_MEMBER)
    .where(guilds.c.id == bindparam("g"))
)
_CHANNEL_STANDING = HotStatement(
    select(*_C_COLS, *_G_COLS, *_M_COLS, channel_recipients.c.user_id.label("recipient"))
    .select_from(channels)
    .outerjoin(guilds, guilds.c.id == channels.c.guild_id)
    .outerjoin(guild_members, _IS_MEMBER)
    .outerjoin(
        channel_recipients,
        and_(channel_recipients.c.channel_id == channels.c.id, channel_recipients.c.user_id == bindparam("u")),
    )
    .where(channels.c.id == bindparam("c"))
)
_ROLE_BITS = HotStatement(
    select(roles.c.id, roles.c.permissions_allow, roles.c.permissions_deny, roles.c.position)
    .join(member_roles, member_roles.c.role_id == roles.c.id)
    .where(member_roles.c.guild_id == bindparam("g"), member_roles.c.user_id == bindparam("u"))
)
# The member's roles ("r") and the channel's overwrites ("o") in one statement.
_ROLES_AND_OVERWRITES = HotStatement(
    union_all(
        select(
            literal("r", String).label("kind"),
            roles.c.id.label("id"),
            roles.c.permissions_allow.label("allow"),
            roles.c.permissions_deny.label("deny"),
            roles.c.position.label("position"),
            literal("", String).label("target_type"),
        )
        .join(member_roles, member_roles.c.role_id == roles.c.id)
        .where(member_roles.c.guild_id == bindparam("g"), member_roles.c.user_id == bindparam("u")),
        select(
            literal("o", String),
            permission_overwrites.c.target_id,
            permission_overwrites.c.allow,
            permission_overwrites.c.deny,
            literal(0, Integer),
            permission_overwrites.c.target_type,
        ).where(permission_overwrites.c.channel_id == bindparam("oc")),
    )
)


async def member_role_bits(conn: AsyncConnection, guild_id: str, user_id: str) -> list[P.RoleBits]:
    rows = await _ROLE_BITS.rows(conn, {"g": guild_id, "u": user_id})
    return [P.RoleBits(r["id"], r["permissions_allow"], r["permissions_deny"], r["position"]) for r in rows]


def _guild_standing(row: Row, user_id: str, bits: list[P.RoleBits]) -> GuildAccess:
    guild = _part(row, _G)
    perms = P.guild_permissions(
        user_id=user_id, owner_id=guild["owner_id"], base=guild["default_permissions"], member_roles=bits
    )
    return GuildAccess(guild=guild, member=_part(row, _M), role_bits=bits, perms=perms)


async def guild_access(conn: AsyncConnection, guild_id: str, user_id: str) -> GuildAccess:
    """The caller's standing in a guild; a non-member gets 404 so guilds do not leak."""
    row = next(iter(await _GUILD_STANDING.rows(conn, {"g": guild_id, "u": user_id})), None)
    if row is None or row["m_user_id"] is None:
        raise not_found("guild")
    return _guild_standing(row, user_id, await member_role_bits(conn, guild_id, user_id))


def resolve(ga: GuildAccess, overwrites: Iterable[Row]) -> int:
    """The member's permissions in a channel with these overwrite rows (0 when they cannot view it)."""
    return _resolve(ga, [P.Overwrite(o["target_id"], o["target_type"], o["allow"], o["deny"]) for o in overwrites])


def _resolve(ga: GuildAccess, overwrites: list[P.Overwrite]) -> int:
    return P.channel_permissions(
        user_id=ga.member["user_id"],
        guild_id=ga.guild["id"],
        owner_id=ga.guild["owner_id"],
        base=ga.guild["default_permissions"],
        member_roles=ga.role_bits,
        overwrites=overwrites,
        timed_out=timed_out(ga.member),
    )


async def perms_in(conn: AsyncConnection, ga: GuildAccess, channel: Row) -> int:
    """The member's permissions in a guild channel; threads take their parent's overwrites."""
    return resolve(ga, await load_overwrites(conn, channel["parent_channel_id"] or channel["id"]))


async def channel_access(conn: AsyncConnection, channel_id: str, user_id: str, need: int = 0) -> ChannelAccess:
    """Resolve the caller's permissions in a channel; 404 if they cannot view it, 403 if `need` is missing.

    Threads take their parent channel's overwrites.
    """
    row = next(iter(await _CHANNEL_STANDING.rows(conn, {"c": channel_id, "u": user_id})), None)
    if row is None:
        raise not_found("channel")
    channel = _part(row, _C)
    guild_id = channel["guild_id"]
    if guild_id is None:
        if row["recipient"] is None:
            raise not_found("channel")
        access = ChannelAccess(channel=channel, perms=DM_PERMISSIONS, guild_access=None)
    else:
        if row["m_user_id"] is None:
            raise not_found("channel")
        bits: list[P.RoleBits] = []
        overwrites: list[P.Overwrite] = []
        params = {"g": guild_id, "u": user_id, "oc": channel["parent_channel_id"] or channel_id}
        for r in await _ROLES_AND_OVERWRITES.rows(conn, params):
            if r["kind"] == "r":
                bits.append(P.RoleBits(r["id"], r["allow"], r["deny"], r["position"]))
            else:
                overwrites.append(P.Overwrite(r["id"], r["target_type"], r["allow"], r["deny"]))
        ga = _guild_standing(row, user_id, bits)
        perms = _resolve(ga, overwrites)
        if not perms & P.Perm.ViewChannel:
            raise not_found("channel")
        access = ChannelAccess(channel=channel, perms=perms, guild_access=ga)
    if need:
        access.require(need)
    return access


def require_any(perms: int, *bits: Any) -> None:
    if not any(P.has(perms, int(b)) for b in bits):
        raise forbidden()
