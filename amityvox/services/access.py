"""Permission checks against the database for REST calls (the gateway uses its own indexes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.db.schema import channel_recipients, guild_members, member_roles, roles
from amityvox.errors import forbidden, not_found
from amityvox.ids import now_iso
from amityvox.services.serialize import Row, load_channel_row, load_guild_row, load_overwrites

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


async def member_role_bits(conn: AsyncConnection, guild_id: str, user_id: str) -> list[P.RoleBits]:
    q = (
        select(roles.c.id, roles.c.permissions_allow, roles.c.permissions_deny, roles.c.position)
        .join(member_roles, member_roles.c.role_id == roles.c.id)
        .where(member_roles.c.guild_id == guild_id, member_roles.c.user_id == user_id)
    )
    return [P.RoleBits(r.id, r.permissions_allow, r.permissions_deny, r.position) for r in await conn.execute(q)]


async def guild_access(conn: AsyncConnection, guild_id: str, user_id: str) -> GuildAccess:
    """The caller's standing in a guild; a non-member gets 404 so guilds do not leak."""
    guild = await load_guild_row(conn, guild_id)
    q = select(guild_members).where(guild_members.c.guild_id == guild_id, guild_members.c.user_id == user_id)
    member = (await conn.execute(q)).mappings().first()
    if member is None:
        raise not_found("guild")
    bits = await member_role_bits(conn, guild_id, user_id)
    perms = P.guild_permissions(
        user_id=user_id, owner_id=guild["owner_id"], base=guild["default_permissions"], member_roles=bits
    )
    return GuildAccess(guild=guild, member=member, role_bits=bits, perms=perms)


def resolve(ga: GuildAccess, overwrites: Iterable[Row]) -> int:
    """The member's permissions in a channel with these overwrite rows (0 when they cannot view it)."""
    return P.channel_permissions(
        user_id=ga.member["user_id"],
        guild_id=ga.guild["id"],
        owner_id=ga.guild["owner_id"],
        base=ga.guild["default_permissions"],
        member_roles=ga.role_bits,
        overwrites=[P.Overwrite(o["target_id"], o["target_type"], o["allow"], o["deny"]) for o in overwrites],
        timed_out=timed_out(ga.member),
    )


async def perms_in(conn: AsyncConnection, ga: GuildAccess, channel: Row) -> int:
    """The member's permissions in a guild channel; threads take their parent's overwrites."""
    return resolve(ga, await load_overwrites(conn, channel["parent_channel_id"] or channel["id"]))


async def channel_access(conn: AsyncConnection, channel_id: str, user_id: str, need: int = 0) -> ChannelAccess:
    """Resolve the caller's permissions in a channel; 404 if they cannot view it, 403 if `need` is missing.

    Threads take their parent channel's overwrites.
    """
    channel = await load_channel_row(conn, channel_id)
    if channel["guild_id"] is None:
        q = select(channel_recipients.c.user_id).where(
            channel_recipients.c.channel_id == channel_id, channel_recipients.c.user_id == user_id
        )
        if await conn.scalar(q) is None:
            raise not_found("channel")
        access = ChannelAccess(channel=channel, perms=DM_PERMISSIONS, guild_access=None)
    else:
        try:
            ga = await guild_access(conn, channel["guild_id"], user_id)
        except Exception as exc:
            raise not_found("channel") from exc
        perms = await perms_in(conn, ga, channel)
        if not perms & P.Perm.ViewChannel:
            raise not_found("channel")
        access = ChannelAccess(channel=channel, perms=perms, guild_access=ga)
    if need:
        access.require(need)
    return access


def require_any(perms: int, *bits: Any) -> None:
    if not any(P.has(perms, int(b)) for b in bits):
        raise forbidden()
