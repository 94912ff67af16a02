"""Instance administration of accounts and guilds, by an administrator (`users.is_admin`) over
REST or by whoever runs `amityvox admin` on the server (`actor_id` None).

Every action is recorded in the instance audit log (audit_log.record_instance) in the same unit
of work, and reuses what users do for themselves: a suspension or deletion ends every token and
gateway session of the account as a logout does (SESSIONS_REVOKE, close 4004), a guild's
deletion reaches its members as its owner's would (GUILD_DELETE), a transfer as GUILD_UPDATE.
The instance never loses its last administrator: suspending, deleting or demoting the only
active one is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import (
    account_deletions,
    auth_sessions,
    channels,
    guild_members,
    guilds,
    login_tickets,
    user_totp,
    users,
)
from amityvox.errors import bad_request, conflict, not_found
from amityvox.ids import is_ulid, now_iso
from amityvox.services import audit_log, members, two_factor
from amityvox.services import guilds as guild_service
from amityvox.services import users as user_service
from amityvox.services.audit_log import InstanceAction
from amityvox.services.serialize import guild_out, load_guild_row, public_user
from amityvox.uow import UnitOfWork

DEFAULT_LIMIT, MAX_LIMIT = 50, 100


def _page(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be 1-{MAX_LIMIT}")
    return limit


def user_out(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A user as administrators see it: the public view, the e-mail and the account's state."""
    out = public_user(row)
    out.update(is_admin=bool(row["is_admin"]), suspended=row["suspended_at"] is not None)
    for key in ("email", "suspended_at", "deleted_at"):
        if row[key] is not None:
            out[key] = row[key]
    return out


# ---- users ---------------------------------------------------------------------------------------


async def find_user(conn: AsyncConnection, ref: str) -> Mapping[Any, Any]:
    """A user by id or username (deleted ones included: their id still finds them)."""
    if is_ulid(ref):
        q = select(users).where(users.c.id == ref.upper())
    else:
        q = select(users).where(users.c.username_key == user_service.username_key(ref))
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("user")
    return row


async def list_users(
    ctx: Context,
    *,
    query: str | None = None,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
    ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    """GET /admin/users?q=&after=&limit=: accounts by id, oldest first; `q` matches a part of the
    username or e-mail (any case) or a whole id. Deleted accounts are left out, except with `ids`:
    those accounts (at most `limit`), deleted or not, to name the people a list only gives by id."""
    if ids is not None:
        q = select(users).where(users.c.id.in_({i.strip().upper() for i in ids if i.strip()}))
    else:
        q = select(users).where(users.c.deleted_at.is_(None))
    if query:
        needle = query.strip().casefold()
        q = q.where(
            or_(
                users.c.username_key.contains(needle, autoescape=True),
                users.c.email_key.contains(needle, autoescape=True),
                users.c.id == query.strip().upper(),
            )
        )
    if after is not None:
        q = q.where(users.c.id > after)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(q.order_by(users.c.id).limit(_page(limit)))).mappings()
        return [user_out(row) for row in rows]


async def get_user(ctx: Context, ref: str) -> dict[str, Any]:
    """GET /admin/users/{id}: the account, its guilds, how many login sessions it has, whether
    two-factor is on and, when its owner asked for its deletion, when it is erased (`erase_at`)."""
    async with ctx.db.read() as conn:
        row = await find_user(conn, ref)
        member_of = select(guilds).join(guild_members, guild_members.c.guild_id == guilds.c.id)
        member_of = member_of.where(guild_members.c.user_id == row["id"]).order_by(guilds.c.id)
        joined = [
            {"id": g["id"], "name": g["name"], "owner": g["owner_id"] == row["id"]}
            for g in (await conn.execute(member_of)).mappings()
        ]
        sessions = await conn.scalar(
            select(func.count()).where(auth_sessions.c.user_id == row["id"], auth_sessions.c.expires_at > now_iso())
        )
        totp = await conn.scalar(
            select(user_totp.c.enabled_at).where(user_totp.c.user_id == row["id"], user_totp.c.enabled_at.is_not(None))
        )
        erase_at = await conn.scalar(
            select(account_deletions.c.erase_at).where(account_deletions.c.user_id == row["id"])
        )
    out = {**user_out(row), "guilds": joined, "sessions": int(sessions or 0), "two_factor": totp is not None}
    if erase_at is not None:
        out["erase_at"] = erase_at
    return out


async def _target(tx: UnitOfWork, ref: str) -> Mapping[Any, Any]:
    row = await find_user(tx.conn, ref)
    if row["deleted_at"] is not None:
        raise not_found("user")
    return row


async def _keep_an_admin(conn: AsyncConnection, row: Mapping[Any, Any]) -> None:
    """Refuse what would leave the instance without an active (not suspended) administrator."""
    if not row["is_admin"] or row["suspended_at"] is not None:
        return
    others = await conn.scalar(
        select(func.count()).where(
            users.c.is_admin.is_(True),
            users.c.deleted_at.is_(None),
            users.c.suspended_at.is_(None),
            users.c.id != row["id"],
        )
    )
    if not others:
        raise conflict("this is the instance's last administrator; make another one first", code="last_admin")


def _end_sessions(tx: UnitOfWork, user_id: str) -> None:
    """Every token of the user goes, and with it every gateway session (4004), as at logout."""
    tx.emit("SESSIONS_REVOKE", {"user_id": user_id})


async def suspend_user(ctx: Context, actor_id: str | None, ref: str) -> dict[str, Any]:
    """POST /admin/users/{id}/suspend: the account can no longer log in, and every live token and
    gateway session ends now. Suspending a suspended account changes nothing."""
    async with ctx.uow() as tx:
        row = await _target(tx, ref)
        if row["suspended_at"] is not None:
            return user_out(row)
        if row["id"] == actor_id:
            raise bad_request("you cannot suspend yourself", code="cannot_target_self")
        await _keep_an_admin(tx.conn, row)
        await tx.conn.execute(update(users).where(users.c.id == row["id"]).values(suspended_at=now_iso()))
        await tx.conn.execute(delete(auth_sessions).where(auth_sessions.c.user_id == row["id"]))
        await tx.conn.execute(delete(login_tickets).where(login_tickets.c.user_id == row["id"]))
        _end_sessions(tx, row["id"])
        after = await find_user(tx.conn, row["id"])
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=InstanceAction.USER_SUSPEND, target_type="user", target_id=row["id"],
            old=user_out(row), new=user_out(after),
        )  # fmt: skip
    ctx.tokens.forget(row["id"])
    return user_out(after)


async def unsuspend_user(ctx: Context, actor_id: str | None, ref: str) -> dict[str, Any]:
    """POST /admin/users/{id}/unsuspend: the account may log in again."""
    async with ctx.uow() as tx:
        row = await _target(tx, ref)
        if row["suspended_at"] is None:
            return user_out(row)
        await tx.conn.execute(update(users).where(users.c.id == row["id"]).values(suspended_at=None))
        after = await find_user(tx.conn, row["id"])
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=InstanceAction.USER_UNSUSPEND, target_type="user", target_id=row["id"],
            old=user_out(row), new=user_out(after),
        )  # fmt: skip
    return user_out(after)


async def delete_user(ctx: Context, actor_id: str | None, ref: str) -> None:
    """DELETE /admin/users/{id}: the account is deleted as its owner would delete it (anonymised,
    out of every guild, every session ended); a guild owner's guilds must be transferred or
    deleted first."""
    async with ctx.uow() as tx:
        row = await _target(tx, ref)
        if row["id"] == actor_id:
            raise bad_request("you cannot delete your own account here", code="cannot_target_self")
        await _keep_an_admin(tx.conn, row)
        await user_service.delete_account(tx, row["id"])
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=InstanceAction.USER_DELETE, target_type="user", target_id=row["id"],
            old={"username": row["username"], "email": row["email"]},
        )  # fmt: skip
    ctx.tokens.forget(row["id"])


async def reset_two_factor(ctx: Context, actor_id: str | None, ref: str) -> dict[str, Any]:
    """POST /admin/users/{id}/reset-2fa: two-factor off for a user who lost their authenticator
    and backup codes; they log in with their password alone and may turn it on again."""
    async with ctx.uow() as tx:
        row = await _target(tx, ref)
        if not await two_factor.remove(tx.conn, row["id"]):
            raise bad_request("two-factor authentication is off for this user", code="totp_not_enabled")
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=InstanceAction.USER_TWO_FACTOR_RESET, target_type="user",
            target_id=row["id"],
        )  # fmt: skip
    return await get_user(ctx, row["id"])


async def set_admin(ctx: Context, actor_id: str | None, ref: str, admin: bool) -> dict[str, Any]:
    """PUT|DELETE /admin/users/{id}/admin: grant or take instance-administrator rights; the
    last active administrator keeps them."""
    async with ctx.uow() as tx:
        row = await _target(tx, ref)
        if bool(row["is_admin"]) == admin:
            return user_out(row)
        if not admin:
            await _keep_an_admin(tx.conn, row)
        await tx.conn.execute(update(users).where(users.c.id == row["id"]).values(is_admin=admin))
        after = await find_user(tx.conn, row["id"])
        action = InstanceAction.USER_ADMIN_GRANT if admin else InstanceAction.USER_ADMIN_REVOKE
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=action, target_type="user", target_id=row["id"],
            old=user_out(row), new=user_out(after),
        )  # fmt: skip
    ctx.tokens.forget(row["id"])  # REST sees the change at once in this process
    return user_out(after)


# ---- guilds --------------------------------------------------------------------------------------


async def list_guilds(
    ctx: Context, *, query: str | None = None, after: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """GET /admin/guilds?q=&after=&limit=: guilds by id, oldest first; `q` matches a part of the
    name (any case) or a whole id."""
    q = select(guilds)
    if query:
        needle = query.strip()
        q = q.where(
            or_(func.lower(guilds.c.name).contains(needle.lower(), autoescape=True), guilds.c.id == needle.upper())
        )
    if after is not None:
        q = q.where(guilds.c.id > after)
    async with ctx.db.read() as conn:
        return [guild_out(g) for g in (await conn.execute(q.order_by(guilds.c.id).limit(_page(limit)))).mappings()]


async def get_guild(ctx: Context, guild_id: str) -> dict[str, Any]:
    """GET /admin/guilds/{id}: the guild, its owner and how many channels it has."""
    async with ctx.db.read() as conn:
        guild = await load_guild_row(conn, guild_id)
        owner = await find_user(conn, guild["owner_id"])
        count = await conn.scalar(select(func.count()).where(channels.c.guild_id == guild_id))
    return {**guild_out(guild), "owner": user_out(owner), "channel_count": int(count or 0)}


async def delete_guild(ctx: Context, actor_id: str | None, guild_id: str) -> None:
    """DELETE /admin/guilds/{id}: as the owner's deletion (GUILD_DELETE to every member)."""
    async with ctx.uow() as tx:
        guild = await load_guild_row(tx.conn, guild_id)
        await guild_service.remove_guild(tx, guild_id)
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=InstanceAction.GUILD_DELETE, target_type="guild", target_id=guild_id,
            old={"name": guild["name"], "owner_id": guild["owner_id"]},
        )  # fmt: skip


async def transfer_guild(ctx: Context, actor_id: str | None, guild_id: str, owner_ref: str) -> dict[str, Any]:
    """POST /admin/guilds/{id}/transfer {owner_id}: hand the guild to another of its members
    (GUILD_UPDATE), e.g. when its owner's account is to be deleted."""
    async with ctx.uow() as tx:
        guild = await load_guild_row(tx.conn, guild_id)
        new_owner = await _target(tx, owner_ref)
        if not await members.is_member(tx.conn, guild_id, new_owner["id"]):
            raise bad_request("the new owner must be a member of the guild", code="not_a_member")
        if new_owner["id"] == guild["owner_id"]:
            return guild_out(guild)
        await tx.conn.execute(update(guilds).where(guilds.c.id == guild_id).values(owner_id=new_owner["id"]))
        out = guild_out(await load_guild_row(tx.conn, guild_id))
        tx.emit("GUILD_UPDATE", out)
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=InstanceAction.GUILD_OWNER_TRANSFER, target_type="guild",
            target_id=guild_id, old=guild_out(guild), new=out,
        )  # fmt: skip
        return out
