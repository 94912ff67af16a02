"""Reports to the instance's administrators: about an account, or one of its messages, that
breaks the server's rules rather than one guild's (those go to the guild's moderators,
services/reports.py).

Any logged-in user files one; administrators work the queue at /admin/reports. The reporter
sees their report's status, not who handled it or how. No event announces them: the queue is
read when an administrator opens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from amityvox.context import Context
from amityvox.db.schema import instance_reports, messages, users
from amityvox.errors import bad_request, conflict, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log
from amityvox.services.audit_log import InstanceAction
from amityvox.services.reports import DEFAULT_LIMIT, MAX_LIMIT, STATUSES, _text

_PRIVATE = ("resolution", "handled_by")


def report_out(row: Mapping[Any, Any], *, admin: bool = True) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "reporter_id": row["reporter_id"],
        "user_id": row["user_id"],
        "reason": row["reason"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    for key in ("guild_id", "message_id", *(_PRIVATE if admin else ())):
        if row[key] is not None:
            out[key] = row[key]
    return out


async def create_report(
    ctx: Context, reporter_id: str, *, reason: str, user_id: str | None = None, message_id: str | None = None
) -> dict[str, Any]:
    """POST /instance/reports {user_id | message_id, reason}: a message must be one the reporter
    can see. Reporting oneself, or again what one has an open report about, is refused."""
    if (message_id is None) == (user_id is None):
        raise bad_request("send message_id or user_id, not both")
    text = _text(reason, "reason", required=True)
    guild_id = None
    async with ctx.uow() as tx:
        if message_id is not None:
            m = messages.c
            found = (
                (await tx.conn.execute(select(m.channel_id, m.guild_id, m.author_id).where(m.id == message_id)))
                .mappings()
                .first()
            )
            if found is None:
                raise not_found("message")
            await access.channel_access(tx.conn, found["channel_id"], reporter_id)
            user_id, guild_id = found["author_id"], found["guild_id"]
        else:
            exists = await tx.conn.scalar(select(users.c.id).where(users.c.id == user_id, users.c.deleted_at.is_(None)))
            if exists is None:
                raise not_found("user")
        if user_id == reporter_id:
            raise bad_request("you cannot report yourself", code="cannot_target_self")
        r = instance_reports.c
        same = select(r.id).where(
            r.reporter_id == reporter_id,
            r.status == "open",
            r.user_id == user_id,
            r.message_id == message_id if message_id is not None else r.message_id.is_(None),
        )
        if await tx.conn.scalar(same.limit(1)) is not None:
            raise conflict("you already have an open report about this", code="already_reported")
        now = now_iso()
        row = {
            "id": new_id(), "reporter_id": reporter_id, "user_id": user_id, "guild_id": guild_id,
            "message_id": message_id, "reason": text, "status": "open", "resolution": None,
            "handled_by": None, "created_at": now, "updated_at": now,
        }  # fmt: skip
        await tx.conn.execute(instance_reports.insert().values(**row))
        return report_out(row, admin=False)


async def list_reports(
    ctx: Context, *, status: str | None = None, before: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """GET /admin/reports?status=&before=&limit=: the queue, newest first."""
    if status is not None and status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be 1-{MAX_LIMIT}")
    q = select(instance_reports)
    if status is not None:
        q = q.where(instance_reports.c.status == status)
    if before is not None:
        q = q.where(instance_reports.c.id < before)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(q.order_by(instance_reports.c.id.desc()).limit(limit))).mappings()
        return [report_out(row) for row in rows]


async def update_report(
    ctx: Context, actor_id: str | None, report_id: str, *, status: str, resolution: str | None = None
) -> dict[str, Any]:
    """PATCH /admin/reports/{id} {status, resolution?}: resolve or dismiss (or reopen) a report."""
    if status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    text = _text(resolution, "resolution", required=False)
    async with ctx.uow() as tx:
        row = (
            (await tx.conn.execute(select(instance_reports).where(instance_reports.c.id == report_id)))
            .mappings()
            .first()
        )
        if row is None:
            raise not_found("report")
        values = {"status": status, "resolution": text, "handled_by": actor_id, "updated_at": now_iso()}
        await tx.conn.execute(update(instance_reports).where(instance_reports.c.id == report_id).values(**values))
        after = report_out({**row, **values})
        await audit_log.record_instance(
            tx, actor_id=actor_id, action=InstanceAction.REPORT_UPDATE, target_type="report", target_id=report_id,
            old=report_out(row), new=after,
        )  # fmt: skip
        return after
