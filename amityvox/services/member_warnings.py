"""Warnings: a moderator's recorded caution to a member, which the member is told of.

Moderators are as docs/rest.md defines them (the `moderators` audience); a warning follows the
role hierarchy like a kick. The member sees their own warnings but not who gave them; the
guild's moderators see that too, and the audit log records it (MEMBER_WARNING_CREATE).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from amityvox.context import Context
from amityvox.db.schema import member_warnings
from amityvox.errors import bad_request, forbidden, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log, members
from amityvox.services.grants import require_outranks

MAX_REASON = 512


def warning_out(row: Mapping[Any, Any], *, moderator: bool = True) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "guild_id", "user_id", "reason", "created_at")}
    if moderator:
        out["moderator_id"] = row["moderator_id"]
    return out


async def warn(ctx: Context, guild_id: str, actor_id: str, target_id: str, reason: str) -> dict[str, Any]:
    """POST /guilds/{g}/members/{u}/warnings {reason} (moderators, hierarchy) → GUILD_MEMBER_WARNING_CREATE."""
    text = (reason or "").strip()
    if not 1 <= len(text) <= MAX_REASON:
        raise bad_request(f"reason must be 1-{MAX_REASON} characters")
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, actor_id)
        if not ga.is_moderator:
            raise forbidden("only the guild's moderators warn members")
        if target_id == actor_id:
            raise bad_request("you cannot warn yourself", code="cannot_target_self")
        if not await members.is_member(tx.conn, guild_id, target_id):
            raise not_found("member")
        await require_outranks(tx.conn, ga, target_id)
        row = {
            "id": new_id(), "guild_id": guild_id, "user_id": target_id, "moderator_id": actor_id, "reason": text,
            "created_at": now_iso(),
        }  # fmt: skip
        await tx.conn.execute(member_warnings.insert().values(**row))
        tx.emit("GUILD_MEMBER_WARNING_CREATE", warning_out(row, moderator=False))
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=actor_id, action=audit_log.Action.MEMBER_WARNING_CREATE,
            target_type="user", target_id=target_id, new={"reason": text}, reason=text,
        )  # fmt: skip
        return warning_out(row)


async def list_warnings(ctx: Context, guild_id: str, user_id: str, target_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/members/{u}/warnings: moderators, or the member about their own; newest first."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        if target_id != user_id and not ga.is_moderator:
            raise forbidden("only the guild's moderators see other members' warnings")
        q = (
            select(member_warnings)
            .where(member_warnings.c.guild_id == guild_id, member_warnings.c.user_id == target_id)
            .order_by(member_warnings.c.id.desc())
        )
        return [warning_out(row, moderator=ga.is_moderator) for row in (await conn.execute(q)).mappings()]
