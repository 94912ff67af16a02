"""Reports: members tell the guild's moderators about a message or a member.

Who handles them is the guild's moderators as docs/rest.md defines them (KickMembers,
BanMembers, ManageMessages, ManageGuild or Administrator, and the owner): the same set the
`moderators` audience of GUILD_REPORT_CREATE and GUILD_REPORT_UPDATE reaches, so whoever sees
a report arrive can act on it. The reporter sees their report's status and nothing of who
handled it or how (`resolution`, `handled_by`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import messages, reports
from amityvox.errors import bad_request, conflict, forbidden, not_found
from amityvox.events.payloads import ReportStatus
from amityvox.ids import new_id, now_iso
from amityvox.services import access, members

MAX_REASON = 512
STATUSES = get_args(ReportStatus)
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
_PRIVATE = ("resolution", "handled_by")  # what only moderators see


def report_out(row: Mapping[Any, Any], *, moderator: bool = True) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "reporter_id": row["reporter_id"],
        "user_id": row["user_id"],
        "reason": row["reason"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    for key in ("message_id", "channel_id", *(_PRIVATE if moderator else ())):
        if row[key] is not None:
            out[key] = row[key]
    return out


def _text(value: str | None, name: str, *, required: bool) -> str | None:
    value = (value or "").strip() or None
    if value is None and required:
        raise bad_request(f"{name} is required")
    if value is not None and len(value) > MAX_REASON:
        raise bad_request(f"{name} must be at most {MAX_REASON} characters")
    return value


async def create_report(
    ctx: Context,
    guild_id: str,
    reporter_id: str,
    *,
    reason: str,
    message_id: str | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    """POST /guilds/{g}/reports {message_id | user_id, reason} (any member) → GUILD_REPORT_CREATE.

    A message must be in a channel of the guild the reporter can view; a member must be in the
    guild. Reporting oneself, or what one already has an open report about, is refused."""
    if (message_id is None) == (user_id is None):
        raise bad_request("send message_id or user_id, not both")
    text = _text(reason, "reason", required=True)
    async with ctx.uow() as tx:
        await access.guild_access(tx.conn, guild_id, reporter_id)
        channel_id = None
        if message_id is not None:
            m = messages.c
            q = select(m.channel_id, m.guild_id, m.author_id).where(m.id == message_id)
            found = (await tx.conn.execute(q)).mappings().first()
            if found is None or found["guild_id"] != guild_id:
                raise not_found("message")
            await access.channel_access(tx.conn, found["channel_id"], reporter_id)
            channel_id, user_id = found["channel_id"], found["author_id"]
        elif not await members.is_member(tx.conn, guild_id, user_id or ""):
            raise not_found("member")
        if user_id == reporter_id:
            raise bad_request("you cannot report yourself", code="cannot_target_self")
        same = select(reports.c.id).where(
            reports.c.guild_id == guild_id,
            reports.c.reporter_id == reporter_id,
            reports.c.status == "open",
            reports.c.message_id == message_id if message_id is not None else reports.c.message_id.is_(None),
            reports.c.user_id == user_id,
        )
        if await tx.conn.scalar(same.limit(1)) is not None:
            raise conflict("you already have an open report about this", code="already_reported")
        now = now_iso()
        row = {
            "id": new_id(), "guild_id": guild_id, "reporter_id": reporter_id, "user_id": user_id,
            "message_id": message_id, "channel_id": channel_id, "reason": text, "status": "open",
            "resolution": None, "handled_by": None, "created_at": now, "updated_at": now,
        }  # fmt: skip
        await tx.conn.execute(reports.insert().values(**row))
        tx.emit("GUILD_REPORT_CREATE", report_out(row))
        return report_out(row, moderator=False)


async def list_reports(
    ctx: Context,
    guild_id: str,
    user_id: str,
    *,
    status: str | None = None,
    before: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    """GET /guilds/{g}/reports?status=&before=&limit= (moderators): the queue, newest first."""
    if status is not None and status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be 1-{MAX_LIMIT}")
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        if not ga.is_moderator:
            raise forbidden("only the guild's moderators see its reports")
        q = select(reports).where(reports.c.guild_id == guild_id)
        if status is not None:
            q = q.where(reports.c.status == status)
        if before is not None:
            q = q.where(reports.c.id < before)
        rows = (await conn.execute(q.order_by(reports.c.id.desc()).limit(limit))).mappings()
        return [report_out(row) for row in rows]


async def _row(conn: AsyncConnection, report_id: str) -> Mapping[Any, Any]:
    row = (await conn.execute(select(reports).where(reports.c.id == report_id))).mappings().first()
    if row is None:
        raise not_found("report")
    return row


async def get_report(ctx: Context, report_id: str, user_id: str) -> dict[str, Any]:
    """GET /reports/{id}: its moderators see all of it, its reporter the status; others get 404."""
    async with ctx.db.read() as conn:
        row = await _row(conn, report_id)
        ga = await access.guild_access(conn, row["guild_id"], user_id)
        if ga.is_moderator:
            return report_out(row)
        if row["reporter_id"] == user_id:
            return report_out(row, moderator=False)
        raise not_found("report")


async def update_report(
    ctx: Context, report_id: str, user_id: str, *, status: str, resolution: str | None = None
) -> dict[str, Any]:
    """PATCH /reports/{id} {status, resolution?} (moderators) → GUILD_REPORT_UPDATE."""
    if status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    text = _text(resolution, "resolution", required=False)
    async with ctx.uow() as tx:
        row = await _row(tx.conn, report_id)
        ga = await access.guild_access(tx.conn, row["guild_id"], user_id)
        if not ga.is_moderator:
            if row["reporter_id"] == user_id:
                raise forbidden("only the guild's moderators handle reports")
            raise not_found("report")
        values = {"status": status, "resolution": text, "handled_by": user_id, "updated_at": now_iso()}
        await tx.conn.execute(update(reports).where(reports.c.id == report_id).values(**values))
        report = report_out({**row, **values})
        tx.emit("GUILD_REPORT_UPDATE", report)
        return report
