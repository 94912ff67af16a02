"""Invites: create, list, preview, revoke and accept (which is how users join guilds)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import bans, guild_members, invites
from amityvox.errors import ApiError, bad_request, forbidden, not_found
from amityvox.ids import iso, now_iso, utcnow
from amityvox.services import access, audit_log, guilds, instance, members, messages, raid, users
from amityvox.services.serialize import invite_out, load_guild_row, load_member

CODE_BYTES = 6  # 8 URL-safe characters
MAX_USES = 1_000_000
MAX_AGE_SECONDS = 30 * 24 * 3600


def _gone(code: str, message: str) -> ApiError:
    return ApiError(410, code, message)


async def _new_code(conn: AsyncConnection) -> str:
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if await conn.scalar(select(invites.c.code).where(invites.c.code == code)) is None:
            return code


def _require_create(ga: access.GuildAccess) -> None:
    # A member in timeout loses CreateInvites (docs/rest.md#permissions), at guild level too.
    perms = ga.perms & ~P.TIMEOUT_MASK if access.timed_out(ga.member) and not ga.is_owner else ga.perms
    if not P.has(perms, P.Perm.CreateInvites):
        raise forbidden("you need the CreateInvites permission")


async def create_invite(
    ctx: Context,
    guild_id: str,
    user_id: str,
    *,
    channel_id: str | None = None,
    max_uses: int = 0,
    max_age_seconds: int | None = None,
) -> dict[str, Any]:
    """POST /guilds/{g}/invites (CreateInvites, in the channel when one is named)."""
    if not 0 <= max_uses <= MAX_USES:
        raise bad_request(f"max_uses must be 0 (unlimited) to {MAX_USES}")
    if max_age_seconds is not None and not 1 <= max_age_seconds <= MAX_AGE_SECONDS:
        raise bad_request(f"max_age_seconds must be 1-{MAX_AGE_SECONDS}, or null for no expiry")
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        if channel_id is not None:
            ca = await access.channel_access(tx.conn, channel_id, user_id)
            if ca.guild_id != guild_id:
                raise not_found("channel")
            ca.require(P.Perm.CreateInvites)
        else:
            _require_create(ga)
        now = utcnow()
        code = await _new_code(tx.conn)
        await tx.conn.execute(
            invites.insert().values(
                code=code,
                guild_id=guild_id,
                channel_id=channel_id,
                inviter_id=user_id,
                max_uses=max_uses,
                uses=0,
                expires_at=iso(now + timedelta(seconds=max_age_seconds)) if max_age_seconds else None,
                created_at=iso(now),
            )
        )
        row = (await tx.conn.execute(select(invites).where(invites.c.code == code))).mappings().one()
        invite = invite_out(row)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.INVITE_CREATE,
            target_type="invite", target_id=code, new=invite,
        )  # fmt: skip
        return invite


async def list_invites(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/invites: everything still usable, for members who may invite."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        _require_create(ga)
        q = (
            select(invites)
            .where(
                invites.c.guild_id == guild_id, or_(invites.c.expires_at.is_(None), invites.c.expires_at > now_iso())
            )
            .order_by(invites.c.created_at, invites.c.code)
        )
        return [invite_out(r) for r in (await conn.execute(q)).mappings()]


async def usable_invite(conn: AsyncConnection, code: str) -> Any:
    """The invite row if it exists, has not expired and has uses left; else 404 or 410."""
    row = (await conn.execute(select(invites).where(invites.c.code == code))).mappings().first()
    if row is None:
        raise not_found("invite")
    if row["expires_at"] is not None and row["expires_at"] <= now_iso():
        raise _gone("invite_expired", "this invite has expired")
    if row["max_uses"] and row["uses"] >= row["max_uses"]:
        raise _gone("invite_used_up", "this invite has reached its maximum number of uses")
    return row


async def preview_invite(ctx: Context, code: str, *, with_counts: bool = False) -> dict[str, Any]:
    """GET /invites/{code}: the invite plus the guild's public face, for anyone (signed in or not).

    `with_counts` adds `approximate_member_count` and, where this process runs a gateway (it
    holds presence), `approximate_presence_count`: how many members others see online."""
    async with ctx.db.read() as conn:
        row = await usable_invite(conn, code)
        guild = await load_guild_row(conn, row["guild_id"])
        out = invite_out(row)
        public = {"id": guild["id"], "name": guild["name"], "member_count": guild["member_count"]}
        for key in ("description", "icon_id"):
            if guild[key] is not None:
                public[key] = guild[key]
        out["guild"] = public
        # The original clients read the guild's name and size, and the inviter, at the top level.
        out.update(guild_name=guild["name"], member_count=guild["member_count"], creator_id=row["inviter_id"])
        if with_counts:
            out["approximate_member_count"] = guild["member_count"]
            if ctx.online_among is not None:
                q = select(guild_members.c.user_id).where(guild_members.c.guild_id == guild["id"])
                out["approximate_presence_count"] = ctx.online_among(set(await conn.scalars(q)))
        return out


async def delete_invite(ctx: Context, code: str, user_id: str) -> None:
    """DELETE /invites/{code}: the inviter, or anyone with ManageGuild."""
    async with ctx.uow() as tx:
        row = (await tx.conn.execute(select(invites).where(invites.c.code == code))).mappings().first()
        if row is None:
            raise not_found("invite")
        ga = await access.guild_access(tx.conn, row["guild_id"], user_id)
        if row["inviter_id"] != user_id:
            ga.require(P.Perm.ManageGuild)
        await tx.conn.execute(delete(invites).where(invites.c.code == code))
        await audit_log.record(
            tx, guild_id=row["guild_id"], actor_id=user_id, action=audit_log.Action.INVITE_DELETE,
            target_type="invite", target_id=code, old=invite_out(row),
        )  # fmt: skip


async def is_banned(conn: AsyncConnection, guild_id: str, user_id: str) -> bool:
    """An unexpired ban (expired ones count as lifted even before the sweeper removes them)."""
    q = select(bans.c.user_id).where(
        bans.c.guild_id == guild_id,
        bans.c.user_id == user_id,
        or_(bans.c.expires_at.is_(None), bans.c.expires_at > now_iso()),
    )
    return await conn.scalar(q) is not None


async def accept_invite(ctx: Context, code: str, user_id: str) -> dict[str, Any]:
    """POST /invites/{code}: join the guild → GUILD_MEMBER_ADD, then GUILD_CREATE to the joiner,
    then the join message in the guild's system channel when it has one (MESSAGE_CREATE).

    Answers the guild as the joiner sees it. Accepting again as a member changes nothing.
    """
    async with ctx.uow() as tx:
        invite = (await tx.conn.execute(select(invites).where(invites.c.code == code))).mappings().first()
        if invite is None:
            raise not_found("invite")
        guild_id = invite["guild_id"]
        if await members.is_member(tx.conn, guild_id, user_id):
            return await guilds.full_guild(tx.conn, guild_id, user_id)
        invite = await usable_invite(tx.conn, code)
        await users.get_row(tx.conn, user_id)
        if await is_banned(tx.conn, guild_id, user_id):
            raise forbidden("you are banned from this guild", code="banned")
        await raid.require_open(tx.conn, guild_id)
        await instance.require_guild_room(ctx, tx.conn, user_id)
        # Counting inside the UPDATE keeps concurrent accepts from overshooting max_uses.
        bump = update(invites).where(invites.c.code == code)
        if invite["max_uses"]:
            bump = bump.where(invites.c.uses < invites.c.max_uses)
        if (await tx.conn.execute(bump.values(uses=invites.c.uses + 1))).rowcount == 0:
            raise _gone("invite_used_up", "this invite has reached its maximum number of uses")
        await members.add_member(tx.conn, guild_id, user_id)
        tx.emit("GUILD_MEMBER_ADD", await load_member(tx.conn, guild_id, user_id))
        full = await guilds.full_guild(tx.conn, guild_id, user_id)
        tx.emit("GUILD_CREATE", full)
        await messages.post_join_message(tx, await load_guild_row(tx.conn, guild_id), user_id)
        return full
