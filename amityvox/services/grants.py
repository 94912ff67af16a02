"""Who may hand out power in a guild: the role hierarchy and the grant rule.

Every path that changes what someone may do (role create, edit, delete and assignment,
channel overwrites, onboarding, voice moderation) goes through these two rules:

1. **Hierarchy.** Apart from the owner, nobody acts on a member whose highest role is at
   or above their own, nor on a role (or a role's overwrite) at or above their own
   highest role. Nobody but the owner acts on the owner.
2. **Grant.** Nobody changes a permission bit they do not hold where it applies: in the
   guild for a role's bits, in the channel for an overwrite. A change is any bit whose
   allow or deny flips, so lifting or weakening a deny grants that bit exactly as adding
   an allow does. Handing a role to someone grants its allow bits, and the allow bits of
   its overwrites in their channels; taking a role away lifts its deny bits the same way.

The owner and Administrators hold every bit, so rule 2 never stops them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.db.schema import channels, guilds, permission_overwrites
from amityvox.errors import forbidden
from amityvox.services import access
from amityvox.services.serialize import Row

OWNER_RANK = 1 << 30  # above any role position


# ---- hierarchy --------------------------------------------------------------------------------


async def top_position_of(conn: AsyncConnection, guild_id: str, user_id: str) -> int:
    """A member's highest role position (0 without roles; the owner outranks everyone)."""
    owner = await conn.scalar(select(guilds.c.owner_id).where(guilds.c.id == guild_id))
    if owner == user_id:
        return OWNER_RANK
    positions = [b.position for b in await access.member_role_bits(conn, guild_id, user_id)]
    return max(positions, default=0)


async def require_outranks(conn: AsyncConnection, ga: access.GuildAccess, target_id: str) -> None:
    """403 unless the actor is the owner or ranks strictly above the target member."""
    if ga.is_owner:
        return
    if target_id == ga.guild["owner_id"]:
        raise forbidden("nobody can act on the guild owner")
    if await top_position_of(conn, ga.guild["id"], target_id) >= ga.top_position:
        raise forbidden("that member's highest role is at or above yours")


def require_role_below(ga: access.GuildAccess, role_position: int) -> None:
    if not ga.is_owner and role_position >= ga.top_position:
        raise forbidden("that role is at or above your highest role")


def require_unmanaged(role: Row) -> None:
    """A bot's managed role (services/bot_install.py) belongs to that bot: nobody hands it out,
    takes it away or deletes it by hand (its bits can still be edited)."""
    if role["managed_by"] is not None:
        raise forbidden("a bot's managed role is not handed out, taken away or deleted by hand", code="managed_role")


# ---- grants -----------------------------------------------------------------------------------


def changed_bits(old: tuple[int, int], new: tuple[int, int]) -> int:
    """Bits whose allow or deny differs between two (allow, deny) pairs."""
    return (old[0] ^ new[0]) | (old[1] ^ new[1])


def require_holds(perms: int, bits: int, where: str) -> None:
    """403 unless `perms` holds every bit of `bits`."""
    missing = bits & ~perms
    if missing:
        names = ", ".join(p.name or str(int(p)) for p in P.Perm if missing & p)
        raise forbidden(f"you cannot grant or change permissions you do not have {where}: {names}")


async def require_may_hand_out(
    conn: AsyncConnection, ga: access.GuildAccess, role: Row, *, taking: bool = False
) -> None:
    """Giving `role` to a member (or, with `taking`, taking it away) is a grant of what it allows
    (or of what it denies): the actor must rank above it and hold those bits, in the guild and in
    every channel where the role has an overwrite."""
    require_role_below(ga, role["position"])
    if ga.perms == P.ALL:
        return
    require_holds(ga.perms, role["permissions_deny" if taking else "permissions_allow"], "in this guild")
    side = permission_overwrites.c.deny if taking else permission_overwrites.c.allow
    q = (
        select(channels, side.label("granted"))
        .join(permission_overwrites, permission_overwrites.c.channel_id == channels.c.id)
        .where(permission_overwrites.c.target_id == role["id"], side != 0)
    )
    for row in (await conn.execute(q)).mappings():
        require_holds(await access.perms_in(conn, ga, row), row["granted"], f"in #{row['name']}")
