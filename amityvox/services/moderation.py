"""Bans (with optional expiry, lifted by a background sweep) and pruning of inactive members.

Kicks live with the other member actions in `members`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import bans, guild_members, member_roles, users
from amityvox.errors import bad_request, not_found
from amityvox.ids import iso, now_iso, parse_iso, utcnow
from amityvox.services import access, audit_log, grants, members
from amityvox.services.leases import run_when_leader
from amityvox.services.serialize import ban_out

log = logging.getLogger("amityvox.moderation")

BAN_SWEEP_SECONDS = 5.0  # how often expired bans are lifted
MAX_BAN_SECONDS = 10 * 365 * 24 * 3600
MAX_REASON = 512
MIN_PRUNE_DAYS, MAX_PRUNE_DAYS = 1, 30


# ---- bans ------------------------------------------------------------------------------------


def _ban_event(guild_id: str, user_id: str, reason: str | None) -> dict[str, Any]:
    out = {"guild_id": guild_id, "user_id": user_id}
    if reason is not None:
        out["reason"] = reason
    return out


def _expiry(expires_at: str | None, duration_seconds: int | None) -> str | None:
    if expires_at is not None and duration_seconds is not None:
        raise bad_request("send expires_at or duration_seconds, not both")
    now = utcnow()
    if duration_seconds is not None:
        if not 1 <= duration_seconds <= MAX_BAN_SECONDS:
            raise bad_request(f"duration_seconds must be 1-{MAX_BAN_SECONDS}")
        return iso(now + timedelta(seconds=duration_seconds))
    if expires_at is not None:
        try:
            when = parse_iso(expires_at)
        except ValueError as exc:
            raise bad_request("expires_at must be an RFC 3339 timestamp") from exc
        if when <= now:
            raise bad_request("expires_at must be in the future")
        if when - now > timedelta(seconds=MAX_BAN_SECONDS):
            raise bad_request("a timed ban lasts at most ten years; omit the expiry for a permanent ban")
        return iso(when)
    return None


async def _load_ban(conn: AsyncConnection, guild_id: str, user_id: str) -> dict[str, Any]:
    q = select(bans).where(bans.c.guild_id == guild_id, bans.c.user_id == user_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("ban")
    user_row = (await conn.execute(select(users).where(users.c.id == user_id))).mappings().one()
    return ban_out(row, user_row)


async def list_bans(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/bans (BanMembers), oldest first."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        ga.require(P.Perm.BanMembers)
        q = (
            select(bans, users)
            .join(users, users.c.id == bans.c.user_id)
            .where(bans.c.guild_id == guild_id)
            .order_by(bans.c.created_at, bans.c.user_id)
        )
        out = []
        for row in (await conn.execute(q)).mappings():
            ban_row = {c.name: row[bans.c[c.name]] for c in bans.columns}
            user_row = {c.name: row[users.c[c.name]] for c in users.columns}
            out.append(ban_out(ban_row, user_row))
        return out


async def ban_user(
    ctx: Context,
    guild_id: str,
    actor_id: str,
    target_id: str,
    *,
    reason: str | None = None,
    expires_at: str | None = None,
    duration_seconds: int | None = None,
) -> dict[str, Any]:
    """PUT /guilds/{g}/bans/{u} (BanMembers, hierarchy) → GUILD_BAN_ADD, then GUILD_MEMBER_REMOVE if a member.

    Banning an already banned user updates the reason and expiry.
    """
    if reason is not None:
        reason = reason.strip() or None
        if reason is not None and len(reason) > MAX_REASON:
            raise bad_request(f"reason must be at most {MAX_REASON} characters")
    until = _expiry(expires_at, duration_seconds)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, actor_id)
        ga.require(P.Perm.BanMembers)
        if target_id == actor_id:
            raise bad_request("you cannot ban yourself", code="cannot_target_self")
        target = (await tx.conn.execute(select(users.c.id).where(users.c.id == target_id))).first()
        if target is None:
            raise not_found("user")
        was_member = await members.is_member(tx.conn, guild_id, target_id)
        if was_member or target_id == ga.guild["owner_id"]:
            await grants.require_outranks(tx.conn, ga, target_id)
        q = select(bans.c.reason, bans.c.expires_at).where(bans.c.guild_id == guild_id, bans.c.user_id == target_id)
        previous = (await tx.conn.execute(q)).mappings().first()
        await tx.conn.execute(delete(bans).where(bans.c.guild_id == guild_id, bans.c.user_id == target_id))
        await tx.conn.execute(
            bans.insert().values(
                guild_id=guild_id,
                user_id=target_id,
                reason=reason,
                banned_by=actor_id,
                created_at=now_iso(),
                expires_at=until,
            )
        )
        if was_member:
            await members.remove_member(tx.conn, guild_id, target_id)
        tx.emit("GUILD_BAN_ADD", _ban_event(guild_id, target_id, reason))
        if was_member:
            tx.emit("GUILD_MEMBER_REMOVE", {"guild_id": guild_id, "user_id": target_id})
        # Banning again changes the ban: the entry shows its reason and expiry before and after.
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=actor_id, action=audit_log.Action.MEMBER_BAN_ADD,
            target_type="user", target_id=target_id, reason=reason,
            old=None if previous is None else dict(previous), new={"reason": reason, "expires_at": until},
        )  # fmt: skip
        return await _load_ban(tx.conn, guild_id, target_id)


async def unban_user(ctx: Context, guild_id: str, actor_id: str, target_id: str) -> None:
    """DELETE /guilds/{g}/bans/{u} (BanMembers) → GUILD_BAN_REMOVE."""
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, actor_id)
        ga.require(P.Perm.BanMembers)
        ban = await _load_ban(tx.conn, guild_id, target_id)
        await tx.conn.execute(delete(bans).where(bans.c.guild_id == guild_id, bans.c.user_id == target_id))
        tx.emit("GUILD_BAN_REMOVE", _ban_event(guild_id, target_id, ban.get("reason")))
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=actor_id, action=audit_log.Action.MEMBER_BAN_REMOVE,
            target_type="user", target_id=target_id,
        )  # fmt: skip


async def lift_expired_bans(ctx: Context) -> int:
    """Remove every ban whose expiry has passed → GUILD_BAN_REMOVE each; returns how many."""
    async with ctx.uow() as tx:
        q = select(bans.c.guild_id, bans.c.user_id, bans.c.reason).where(
            bans.c.expires_at.is_not(None), bans.c.expires_at <= now_iso()
        )
        expired = list(await tx.conn.execute(q))
        for guild_id, user_id, reason in expired:
            await tx.conn.execute(delete(bans).where(bans.c.guild_id == guild_id, bans.c.user_id == user_id))
            tx.emit("GUILD_BAN_REMOVE", _ban_event(guild_id, user_id, reason))
        return len(expired)


async def _sweep_forever(ctx: Context) -> None:
    # One API process at a time lifts bans; another takes over if it dies.
    await run_when_leader(ctx, "ban-expiry", lambda: lift_expired_bans(ctx), BAN_SWEEP_SECONDS)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(_sweep_forever(ctx), name="ban-expiry")]


# ---- prune -----------------------------------------------------------------------------------


def _check_days(days: int) -> int:
    if not MIN_PRUNE_DAYS <= days <= MAX_PRUNE_DAYS:
        raise bad_request(f"days must be {MIN_PRUNE_DAYS}-{MAX_PRUNE_DAYS}")
    return days


async def _prunable(conn: AsyncConnection, ga: access.GuildAccess, days: int) -> list[str]:
    """Members without roles, inactive for `days`, never the owner."""
    guild_id = ga.guild["id"]
    cutoff = iso(utcnow() - timedelta(days=days))
    has_role = exists().where(
        and_(member_roles.c.guild_id == guild_id, member_roles.c.user_id == guild_members.c.user_id)
    )
    q = (
        select(guild_members.c.user_id)
        .where(
            guild_members.c.guild_id == guild_id,
            guild_members.c.last_active_at < cutoff,
            guild_members.c.user_id != ga.guild["owner_id"],
            ~has_role,
        )
        .order_by(guild_members.c.user_id)
    )
    return list(await conn.scalars(q))


async def prune_count(ctx: Context, guild_id: str, user_id: str, days: int) -> dict[str, Any]:
    """GET /guilds/{g}/prune?days=N (KickMembers): how many a prune would remove."""
    days = _check_days(days)
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        ga.require(P.Perm.KickMembers)
        return {"guild_id": guild_id, "days": days, "pruned": len(await _prunable(conn, ga, days))}


async def prune(ctx: Context, guild_id: str, user_id: str, days: int) -> dict[str, Any]:
    """POST /guilds/{g}/prune {days} (KickMembers) → GUILD_MEMBERS_PRUNE when anyone was removed."""
    days = _check_days(days)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.KickMembers)
        user_ids = await _prunable(tx.conn, ga, days)
        for uid in user_ids:
            await members.remove_member(tx.conn, guild_id, uid)
        out = {"guild_id": guild_id, "pruned": len(user_ids), "user_ids": user_ids}
        if user_ids:
            tx.emit("GUILD_MEMBERS_PRUNE", out)
            await audit_log.record(
                tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.MEMBER_PRUNE,
                target_type="guild", target_id=guild_id, new={"days": days, "pruned": len(user_ids)},
            )  # fmt: skip
        return out
