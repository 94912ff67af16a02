"""Guild members: listing, nicknames, roles, timeouts, voice mute/deafen and kicks.

Role hierarchy: apart from the owner, nobody acts on a member whose highest role is
at or above their own, or hands out a role at or above their own highest role.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import guild_members, guilds, member_roles, roles, users
from amityvox.errors import bad_request, not_found
from amityvox.ids import iso, now_iso, parse_iso, utcnow
from amityvox.services import access, audit_log
from amityvox.services.grants import require_may_hand_out, require_outranks, require_unmanaged
from amityvox.services.names import clean_name
from amityvox.services.serialize import Row, load_channel_row, load_member, member_out
from amityvox.uow import UnitOfWork

MAX_PAGE = 1000
DEFAULT_PAGE = 100
MAX_NICKNAME = 32
MAX_TIMEOUT = timedelta(days=28)


# ---- shared helpers (guilds, moderation and invites use these) --------------------------------


async def is_member(conn: AsyncConnection, guild_id: str, user_id: str) -> bool:
    q = select(guild_members.c.user_id).where(guild_members.c.guild_id == guild_id, guild_members.c.user_id == user_id)
    return await conn.scalar(q) is not None


async def remove_member(conn: AsyncConnection, guild_id: str, user_id: str) -> bool:
    """Drop a membership and its roles and keep member_count right; False if there was none."""
    result = await conn.execute(
        delete(guild_members).where(guild_members.c.guild_id == guild_id, guild_members.c.user_id == user_id)
    )
    if result.rowcount == 0:
        return False
    await conn.execute(
        delete(member_roles).where(member_roles.c.guild_id == guild_id, member_roles.c.user_id == user_id)
    )
    await conn.execute(update(guilds).where(guilds.c.id == guild_id).values(member_count=guilds.c.member_count - 1))
    return True


async def add_member(conn: AsyncConnection, guild_id: str, user_id: str) -> None:
    """Insert a membership (active now) and count it."""
    now = now_iso()
    await conn.execute(
        guild_members.insert().values(
            guild_id=guild_id, user_id=user_id, joined_at=now, last_active_at=now, deaf=False, mute=False
        )
    )
    await conn.execute(update(guilds).where(guilds.c.id == guild_id).values(member_count=guilds.c.member_count + 1))


# ---- reading ---------------------------------------------------------------------------------


async def list_members(
    ctx: Context, guild_id: str, user_id: str, after: str | None = None, limit: int = DEFAULT_PAGE
) -> list[dict[str, Any]]:
    """GET /guilds/{g}/members: one page ordered by user id, `after` exclusive."""
    if not 1 <= limit <= MAX_PAGE:
        raise bad_request(f"limit must be 1-{MAX_PAGE}")
    async with ctx.db.read() as conn:
        await access.guild_access(conn, guild_id, user_id)
        q = select(guild_members).where(guild_members.c.guild_id == guild_id)
        if after:
            q = q.where(guild_members.c.user_id > after)
        rows = list((await conn.execute(q.order_by(guild_members.c.user_id).limit(limit))).mappings())
        ids = [r["user_id"] for r in rows]
        if not ids:
            return []
        user_rows = {u["id"]: u for u in (await conn.execute(select(users).where(users.c.id.in_(ids)))).mappings()}
        role_ids: dict[str, list[str]] = defaultdict(list)
        rq = (
            select(member_roles.c.user_id, member_roles.c.role_id)
            .where(member_roles.c.guild_id == guild_id, member_roles.c.user_id.in_(ids))
            .order_by(member_roles.c.role_id)
        )
        for uid, rid in await conn.execute(rq):
            role_ids[uid].append(rid)
        return [member_out(r, user_rows[r["user_id"]], role_ids[r["user_id"]]) for r in rows]


async def get_member(ctx: Context, guild_id: str, user_id: str, target_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        await access.guild_access(conn, guild_id, user_id)
        return await load_member(conn, guild_id, target_id)


async def my_permissions(ctx: Context, guild_id: str, user_id: str, channel_id: str | None) -> dict[str, str]:
    """`{"permissions": "<decimal>"}`: guild-level bits, or the bits in `channel_id` (0 when it
    cannot be viewed). A string, since bitfields above 2^53 lose precision in JavaScript."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        perms = ga.perms
        if channel_id is not None:
            channel = await load_channel_row(conn, channel_id)
            if channel["guild_id"] != guild_id:
                raise not_found("channel")
            perms = await access.perms_in(conn, ga, channel)
        return {"permissions": str(perms)}


# ---- writes ----------------------------------------------------------------------------------


def _check_nickname(nickname: str | None) -> str | None:
    return None if nickname is None else clean_name(nickname, "nickname", MAX_NICKNAME)


def _check_timeout(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        until = parse_iso(value)
    except ValueError as exc:
        raise bad_request("timeout_until must be an RFC 3339 timestamp or null") from exc
    now = utcnow()
    if until <= now:
        raise bad_request("timeout_until must be in the future (send null to lift a timeout)")
    if until - now > MAX_TIMEOUT:
        raise bad_request("a timeout lasts at most 28 days")
    return iso(until)


async def _guild_roles(conn: AsyncConnection, guild_id: str, role_ids: set[str]) -> dict[str, Row]:
    """role id → role row for the given ids; 404 if any is not a role of this guild."""
    if not role_ids:
        return {}
    q = select(roles).where(roles.c.guild_id == guild_id, roles.c.id.in_(role_ids))
    found: dict[str, Row] = {row["id"]: row for row in (await conn.execute(q)).mappings()}
    if len(found) != len(role_ids):
        raise not_found("role")
    return found


async def update_member(
    ctx: Context, guild_id: str, actor_id: str, target_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """PATCH /guilds/{g}/members/{u} → GUILD_MEMBER_UPDATE with the whole member."""
    values: dict[str, Any] = {}
    if "nickname" in changes:
        values["nickname"] = _check_nickname(changes["nickname"])
    if "timeout_until" in changes:
        values["timeout_until"] = _check_timeout(changes["timeout_until"])
    for flag in ("deaf", "mute"):
        if flag in changes:
            if changes[flag] is None:
                raise bad_request(f"{flag} cannot be null")
            values[flag] = bool(changes[flag])
    new_roles: set[str] | None = None
    if "roles" in changes:
        if changes["roles"] is None:
            raise bad_request("roles cannot be null")
        new_roles = set(changes["roles"])
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, actor_id)
        if not await is_member(tx.conn, guild_id, target_id):
            raise not_found("member")
        others = target_id != actor_id
        if "nickname" in values:
            if others:
                ga.require(P.Perm.ManageNicknames)
                await require_outranks(tx.conn, ga, target_id)
            else:
                access.require_any(ga.perms, P.Perm.ChangeNickname, P.Perm.ManageNicknames)
        if "timeout_until" in values:
            ga.require(P.Perm.TimeoutMembers)
            if not others:
                raise bad_request("you cannot time yourself out", code="cannot_target_self")
            await require_outranks(tx.conn, ga, target_id)
        if "mute" in values:
            ga.require(P.Perm.MuteMembers)
        if "deaf" in values:
            ga.require(P.Perm.DeafenMembers)
        if others and ("mute" in values or "deaf" in values):
            await require_outranks(tx.conn, ga, target_id)
        changed = bool(values)
        before = await load_member(tx.conn, guild_id, target_id)
        if new_roles is not None:
            changed = await _set_roles(tx.conn, ga, target_id, new_roles) or changed
        if values:
            await tx.conn.execute(
                update(guild_members)
                .where(guild_members.c.guild_id == guild_id, guild_members.c.user_id == target_id)
                .values(**values)
            )
        member = await load_member(tx.conn, guild_id, target_id)
        if changed:
            tx.emit("GUILD_MEMBER_UPDATE", member)
            # A member's own nickname is theirs to change; everything else here is moderation.
            audited = [k for k in values if others or k != "nickname"]
            await _audit_member(tx, ga, actor_id, before, member, audit_log.Action.MEMBER_UPDATE, audited)
            await _audit_member(tx, ga, actor_id, before, member, audit_log.Action.MEMBER_ROLE_UPDATE, ["roles"])
        return member


async def _audit_member(
    tx: UnitOfWork,
    ga: access.GuildAccess,
    actor_id: str,
    before: dict[str, Any],
    after: dict[str, Any],
    action: audit_log.Action,
    keys: list[str],
) -> None:
    """One entry for the member's `keys` that changed (none when none did)."""
    if keys:
        await audit_log.record(
            tx, guild_id=ga.guild["id"], actor_id=actor_id, action=action, target_type="user",
            target_id=after["user_id"], old={k: before.get(k) for k in keys}, new={k: after.get(k) for k in keys},
        )  # fmt: skip


async def _set_roles(conn: AsyncConnection, ga: access.GuildAccess, target_id: str, wanted: set[str]) -> bool:
    """Replace a member's roles; the actor must be allowed to hand out each role added and take
    away each role removed (`grants.require_may_hand_out`)."""
    guild_id = ga.guild["id"]
    current = set(
        await conn.scalars(
            select(member_roles.c.role_id).where(
                member_roles.c.guild_id == guild_id, member_roles.c.user_id == target_id
            )
        )
    )
    added, removed = wanted - current, current - wanted
    if not added and not removed:
        await _guild_roles(conn, guild_id, wanted)
        return False
    ga.require(P.Perm.AssignRoles)
    if target_id != ga.member["user_id"]:
        await require_outranks(conn, ga, target_id)
    rows = await _guild_roles(conn, guild_id, wanted | removed)
    for rid in sorted(added | removed):
        require_unmanaged(rows[rid])
        await require_may_hand_out(conn, ga, rows[rid], taking=rid in removed)
    if removed:
        await conn.execute(
            delete(member_roles).where(
                member_roles.c.guild_id == guild_id,
                member_roles.c.user_id == target_id,
                member_roles.c.role_id.in_(removed),
            )
        )
    if added:
        await conn.execute(
            member_roles.insert(),
            [{"guild_id": guild_id, "user_id": target_id, "role_id": rid} for rid in sorted(added)],
        )
    return True


async def add_role(ctx: Context, guild_id: str, actor_id: str, target_id: str, role_id: str) -> dict[str, Any]:
    """PUT /guilds/{g}/members/{u}/roles/{r} → GUILD_MEMBER_UPDATE (nothing if already held)."""
    return await _change_one_role(ctx, guild_id, actor_id, target_id, role_id, add=True)


async def remove_role(ctx: Context, guild_id: str, actor_id: str, target_id: str, role_id: str) -> dict[str, Any]:
    """DELETE /guilds/{g}/members/{u}/roles/{r} → GUILD_MEMBER_UPDATE (nothing if not held)."""
    return await _change_one_role(ctx, guild_id, actor_id, target_id, role_id, add=False)


async def _change_one_role(
    ctx: Context, guild_id: str, actor_id: str, target_id: str, role_id: str, *, add: bool
) -> dict[str, Any]:
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, actor_id)
        ga.require(P.Perm.AssignRoles)
        if not await is_member(tx.conn, guild_id, target_id):
            raise not_found("member")
        role = (await _guild_roles(tx.conn, guild_id, {role_id}))[role_id]
        require_unmanaged(role)
        if target_id != actor_id:
            await require_outranks(tx.conn, ga, target_id)
        current = set(await access.member_role_bits(tx.conn, guild_id, target_id))
        held = any(r.id == role_id for r in current)
        await require_may_hand_out(tx.conn, ga, role, taking=not add)
        before = await load_member(tx.conn, guild_id, target_id)
        if add and not held:
            await tx.conn.execute(member_roles.insert().values(guild_id=guild_id, user_id=target_id, role_id=role_id))
        elif not add and held:
            await tx.conn.execute(
                delete(member_roles).where(
                    member_roles.c.guild_id == guild_id,
                    member_roles.c.user_id == target_id,
                    member_roles.c.role_id == role_id,
                )
            )
        member = await load_member(tx.conn, guild_id, target_id)
        if add != held:
            tx.emit("GUILD_MEMBER_UPDATE", member)
            await _audit_member(tx, ga, actor_id, before, member, audit_log.Action.MEMBER_ROLE_UPDATE, ["roles"])
        return member


async def kick_member(ctx: Context, guild_id: str, actor_id: str, target_id: str) -> None:
    """DELETE /guilds/{g}/members/{u} (KickMembers, hierarchy) → GUILD_MEMBER_REMOVE."""
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, actor_id)
        ga.require(P.Perm.KickMembers)
        if target_id == actor_id:
            raise bad_request("use POST /guilds/{g}/leave to leave a guild", code="cannot_target_self")
        if not await is_member(tx.conn, guild_id, target_id):
            raise not_found("member")
        await require_outranks(tx.conn, ga, target_id)
        await remove_member(tx.conn, guild_id, target_id)
        tx.emit("GUILD_MEMBER_REMOVE", {"guild_id": guild_id, "user_id": target_id})
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=actor_id, action=audit_log.Action.MEMBER_KICK,
            target_type="user", target_id=target_id,
        )  # fmt: skip
