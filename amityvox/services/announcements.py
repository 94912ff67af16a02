"""Instance announcements: notices from the instance's administrators to everyone connected.

Only instance administrators (`users.is_admin`, set with `amityvox admin set-admin`)
create, edit or delete them; every change goes to every identified session
(ANNOUNCEMENT_CREATE / _UPDATE / _DELETE). Any logged-in user can list the ones in
force: active and not expired.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import announcements
from amityvox.errors import bad_request, forbidden, not_found
from amityvox.ids import is_ulid, iso, new_id, now_iso, parse_iso, utcnow
from amityvox.services.serialize import Row, announcement_out

SEVERITIES = ("info", "warning", "critical")
MAX_TITLE = 200
MAX_CONTENT = 4000
LIST_MAX = 100


def require_admin(is_admin: bool) -> None:
    if not is_admin:
        raise forbidden("only instance administrators can manage announcements")


def _check_title(title: str) -> str:
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise bad_request(f"title must be 1-{MAX_TITLE} characters")
    return title


def _check_content(content: str) -> str:
    if not content.strip() or len(content) > MAX_CONTENT:
        raise bad_request(f"content must be 1-{MAX_CONTENT} characters")
    return content


def _check_severity(severity: str) -> str:
    if severity not in SEVERITIES:
        raise bad_request(f"severity must be one of {', '.join(SEVERITIES)}")
    return severity


def _check_expiry(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        when = parse_iso(value)
    except ValueError as exc:
        raise bad_request("expires_at must be an RFC 3339 timestamp or null") from exc
    if when <= utcnow():
        raise bad_request("expires_at must be in the future")
    return iso(when)


async def _load(conn: AsyncConnection, announcement_id: str) -> Row:
    if not is_ulid(announcement_id):
        raise not_found("announcement")
    q = select(announcements).where(announcements.c.id == announcement_id.upper())
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("announcement")
    return row


async def create(
    ctx: Context, author_id: str, is_admin: bool, title: str, content: str, severity: str, expires_at: str | None
) -> dict[str, Any]:
    """POST /admin/announcements → ANNOUNCEMENT_CREATE to everyone."""
    require_admin(is_admin)
    now = now_iso()
    row = {
        "id": new_id(),
        "title": _check_title(title),
        "content": _check_content(content),
        "severity": _check_severity(severity),
        "active": True,
        "expires_at": _check_expiry(expires_at),
        "author_id": author_id,
        "created_at": now,
        "updated_at": now,
    }
    async with ctx.uow() as tx:
        await tx.conn.execute(announcements.insert().values(**row))
        out = announcement_out(row)
        tx.emit("ANNOUNCEMENT_CREATE", out)
        return out


async def edit(ctx: Context, is_admin: bool, announcement_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /admin/announcements/{id} {title?, content?, severity?, active?, expires_at?} → ANNOUNCEMENT_UPDATE."""
    require_admin(is_admin)
    values: dict[str, Any] = {}
    for key, check in (("title", _check_title), ("content", _check_content), ("severity", _check_severity)):
        if key in changes:
            if changes[key] is None:
                raise bad_request(f"{key} cannot be null")
            values[key] = check(changes[key])
    if "active" in changes:
        if changes["active"] is None:
            raise bad_request("active cannot be null")
        values["active"] = bool(changes["active"])
    if "expires_at" in changes:
        values["expires_at"] = _check_expiry(changes["expires_at"])
    async with ctx.uow() as tx:
        row = await _load(tx.conn, announcement_id)
        values = {k: v for k, v in values.items() if row[k] != v}
        if not values:
            return announcement_out(row)
        values["updated_at"] = now_iso()
        await tx.conn.execute(update(announcements).where(announcements.c.id == row["id"]).values(**values))
        out = announcement_out({**row, **values})
        tx.emit("ANNOUNCEMENT_UPDATE", out)
        return out


async def remove(ctx: Context, is_admin: bool, announcement_id: str) -> None:
    """DELETE /admin/announcements/{id} → ANNOUNCEMENT_DELETE."""
    require_admin(is_admin)
    async with ctx.uow() as tx:
        row = await _load(tx.conn, announcement_id)
        await tx.conn.execute(delete(announcements).where(announcements.c.id == row["id"]))
        tx.emit("ANNOUNCEMENT_DELETE", {"id": row["id"]})


async def list_active(ctx: Context) -> list[dict[str, Any]]:
    """GET /announcements: those in force, newest first."""
    q = (
        select(announcements)
        .where(
            announcements.c.active.is_(True),
            or_(announcements.c.expires_at.is_(None), announcements.c.expires_at > now_iso()),
        )
        .order_by(announcements.c.id.desc())
        .limit(LIST_MAX)
    )
    async with ctx.db.read() as conn:
        return [announcement_out(r) for r in (await conn.execute(q)).mappings()]


async def list_all(ctx: Context, is_admin: bool) -> list[dict[str, Any]]:
    """GET /admin/announcements: every announcement, inactive and expired included, newest first."""
    require_admin(is_admin)
    q = select(announcements).order_by(announcements.c.id.desc()).limit(LIST_MAX)
    async with ctx.db.read() as conn:
        return [announcement_out(r) for r in (await conn.execute(q)).mappings()]
