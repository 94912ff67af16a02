"""Scheduled guild events: create, edit, cancel, delete, RSVP, and the scheduler that moves them along.

Status runs scheduled → active → completed, or ends as cancelled. Members may read
events and RSVP; creating needs ManageGuild, and editing or deleting needs ManageGuild
unless the caller created the event. The scheduler (`run_scheduler`, every
SCHEDULER_SECONDS) starts events at `scheduled_start`, completes them at `scheduled_end`
(or DEFAULT_LENGTH after the start when there is no end), and cancels events still
`scheduled` AUTO_CANCEL_AFTER past their start (e.g. while the server was down).
Every change publishes GUILD_EVENT_UPDATE with the whole event; `interested_count`
counts the RSVPs of current members.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, guild_event_rsvps, guild_events, guild_members
from amityvox.db.upserts import insert_ignore
from amityvox.errors import bad_request, conflict, forbidden, not_found
from amityvox.ids import iso, new_id, now_iso, parse_iso, utcnow
from amityvox.services import access
from amityvox.services.leases import run_when_leader
from amityvox.services.serialize import Row
from amityvox.uow import UnitOfWork

log = logging.getLogger("amityvox.guild_events")

STATUSES = ("scheduled", "active", "completed", "cancelled")
ENDED = frozenset({"completed", "cancelled"})
# Status changes a person may make by PATCH; the scheduler makes the same ones on its own.
TRANSITIONS = {"scheduled": {"active", "cancelled"}, "active": {"completed", "cancelled"}}
AUTO_CANCEL_AFTER = timedelta(minutes=15)
DEFAULT_LENGTH = timedelta(hours=2)
SCHEDULER_SECONDS = 10.0
MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_LOCATION = 256
MAX_UPCOMING = 100  # scheduled or active events per guild
MAX_AHEAD = timedelta(days=5 * 365)


def event_out(row: Row, interested: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "creator_id": row["creator_id"],
        "name": row["name"],
        "scheduled_start": row["scheduled_start"],
        "status": row["status"],
        "interested_count": interested,
    }
    for key in ("description", "location", "channel_id", "scheduled_end"):
        if row[key] is not None:
            out[key] = row[key]
    return out


def _interested_query(event_ids: list[str]) -> Any:
    return (
        select(guild_event_rsvps.c.event_id, func.count())
        .join(guild_events, guild_events.c.id == guild_event_rsvps.c.event_id)
        .join(
            guild_members,
            and_(
                guild_members.c.guild_id == guild_events.c.guild_id,
                guild_members.c.user_id == guild_event_rsvps.c.user_id,
            ),
        )
        .where(guild_event_rsvps.c.event_id.in_(event_ids))
        .group_by(guild_event_rsvps.c.event_id)
    )


async def _render(conn: AsyncConnection, rows: list[Row]) -> list[dict[str, Any]]:
    if not rows:
        return []
    counts = {eid: int(n) for eid, n in await conn.execute(_interested_query([r["id"] for r in rows]))}
    return [event_out(r, counts.get(r["id"], 0)) for r in rows]


async def _load_row(conn: AsyncConnection, guild_id: str, event_id: str) -> Row:
    q = select(guild_events).where(guild_events.c.id == event_id, guild_events.c.guild_id == guild_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("event")
    return row


async def load_event(conn: AsyncConnection, guild_id: str, event_id: str) -> dict[str, Any]:
    return (await _render(conn, [await _load_row(conn, guild_id, event_id)]))[0]


# ---- validation -------------------------------------------------------------------------------


def _time(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{name} must be an RFC 3339 timestamp")
    try:
        return iso(parse_iso(value))
    except ValueError:
        raise bad_request(f"{name} must be an RFC 3339 timestamp") from None


def _text(value: Any, name: str, limit: int, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise bad_request(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    value = value.strip()
    if required and not value:
        raise bad_request(f"{name} must not be empty")
    if len(value) > limit:
        raise bad_request(f"{name} must be at most {limit} characters")
    return value or None


async def _check_channel(conn: AsyncConnection, guild_id: str, channel_id: Any) -> str | None:
    if channel_id is None:
        return None
    q = select(channels.c.id).where(channels.c.id == channel_id, channels.c.guild_id == guild_id)
    if not isinstance(channel_id, str) or await conn.scalar(q) is None:
        raise bad_request("channel_id must name a channel of this guild", code="unknown_channel")
    return channel_id


def _check_window(start: str, end: str | None) -> None:
    if end is not None and end <= start:
        raise bad_request("scheduled_end must be after scheduled_start")
    if parse_iso(start) > utcnow() + MAX_AHEAD:
        raise bad_request("scheduled_start is too far in the future")


# ---- REST -------------------------------------------------------------------------------------


async def list_events(
    ctx: Context, guild_id: str, user_id: str, *, include_ended: bool = False
) -> list[dict[str, Any]]:
    """GET /guilds/{g}/events (members): by start time; ended events only with `include_ended`."""
    async with ctx.db.read() as conn:
        await access.guild_access(conn, guild_id, user_id)
        q = select(guild_events).where(guild_events.c.guild_id == guild_id)
        if not include_ended:
            q = q.where(guild_events.c.status.in_(("scheduled", "active")))
        q = q.order_by(guild_events.c.scheduled_start, guild_events.c.id).limit(MAX_UPCOMING * 2)
        return await _render(conn, list((await conn.execute(q)).mappings()))


async def get_event(ctx: Context, guild_id: str, event_id: str, user_id: str) -> dict[str, Any]:
    """GET /guilds/{g}/events/{id} (members)."""
    async with ctx.db.read() as conn:
        await access.guild_access(conn, guild_id, user_id)
        return await load_event(conn, guild_id, event_id)


async def create_event(ctx: Context, guild_id: str, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /guilds/{g}/events (ManageGuild) → GUILD_EVENT_CREATE with the whole event."""
    name = _text(body.get("name"), "name", MAX_NAME, required=True)
    description = _text(body.get("description"), "description", MAX_DESCRIPTION, required=False)
    location = _text(body.get("location"), "location", MAX_LOCATION, required=False)
    start = _time(body.get("scheduled_start"), "scheduled_start")
    end = _time(body["scheduled_end"], "scheduled_end") if body.get("scheduled_end") is not None else None
    if start <= now_iso():
        raise bad_request("scheduled_start must be in the future")
    _check_window(start, end)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        channel_id = await _check_channel(tx.conn, guild_id, body.get("channel_id"))
        upcoming = await tx.conn.scalar(
            select(func.count()).where(
                guild_events.c.guild_id == guild_id, guild_events.c.status.in_(("scheduled", "active"))
            )
        )
        if int(upcoming or 0) >= MAX_UPCOMING:
            raise bad_request(f"a guild has at most {MAX_UPCOMING} upcoming events", code="too_many_events")
        event_id = new_id()
        await tx.conn.execute(
            guild_events.insert().values(
                id=event_id,
                guild_id=guild_id,
                creator_id=user_id,
                name=name,
                description=description,
                location=location,
                channel_id=channel_id,
                scheduled_start=start,
                scheduled_end=end,
                status="scheduled",
                created_at=now_iso(),
            )
        )
        event = await load_event(tx.conn, guild_id, event_id)
        tx.emit("GUILD_EVENT_CREATE", event)
        return event


async def _editor(conn: AsyncConnection, guild_id: str, user_id: str, event: Row) -> None:
    """The creator (still a member) or anyone with ManageGuild."""
    ga = await access.guild_access(conn, guild_id, user_id)
    if event["creator_id"] != user_id and not P.has(ga.perms, P.Perm.ManageGuild):
        raise forbidden("only the event's creator or members with ManageGuild may change it")


async def update_event(
    ctx: Context, guild_id: str, event_id: str, user_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """PATCH /guilds/{g}/events/{id} → GUILD_EVENT_UPDATE when anything changed.

    Editable: name, description, location, channel_id, scheduled_start, scheduled_end and
    status (scheduled → active | cancelled, active → completed | cancelled). Ended events
    cannot change.
    """
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], "name", MAX_NAME, required=True)
    if "description" in changes:
        values["description"] = _text(changes["description"], "description", MAX_DESCRIPTION, required=False)
    if "location" in changes:
        values["location"] = _text(changes["location"], "location", MAX_LOCATION, required=False)
    if "scheduled_start" in changes:
        values["scheduled_start"] = _time(changes["scheduled_start"], "scheduled_start")
    if "scheduled_end" in changes:
        end = changes["scheduled_end"]
        values["scheduled_end"] = None if end is None else _time(end, "scheduled_end")
    status = changes.get("status")
    if "status" in changes and status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    async with ctx.uow() as tx:
        row = await _load_row(tx.conn, guild_id, event_id)
        await _editor(tx.conn, guild_id, user_id, row)
        if "channel_id" in changes:
            values["channel_id"] = await _check_channel(tx.conn, guild_id, changes["channel_id"])
        if row["status"] in ENDED:
            raise conflict(f"this event is {row['status']} and can no longer change", code="event_ended")
        if status is not None and status != row["status"]:
            if status not in TRANSITIONS.get(row["status"], set()):
                raise bad_request(f"an event cannot go from {row['status']} to {status}", code="invalid_transition")
            values["status"] = status
        if "scheduled_start" in values and row["status"] == "scheduled" and values["scheduled_start"] <= now_iso():
            raise bad_request("scheduled_start must be in the future")
        merged = {**row, **values}
        _check_window(merged["scheduled_start"], merged["scheduled_end"])
        changed = {k: v for k, v in values.items() if row[k] != v}
        if changed:
            await tx.conn.execute(update(guild_events).where(guild_events.c.id == event_id).values(**changed))
        event = await load_event(tx.conn, guild_id, event_id)
        if changed:
            tx.emit("GUILD_EVENT_UPDATE", event)
        return event


async def delete_event(ctx: Context, guild_id: str, event_id: str, user_id: str) -> None:
    """DELETE /guilds/{g}/events/{id} (creator or ManageGuild) → GUILD_EVENT_DELETE."""
    async with ctx.uow() as tx:
        row = await _load_row(tx.conn, guild_id, event_id)
        await _editor(tx.conn, guild_id, user_id, row)
        await tx.conn.execute(delete(guild_event_rsvps).where(guild_event_rsvps.c.event_id == event_id))
        await tx.conn.execute(delete(guild_events).where(guild_events.c.id == event_id))
        tx.emit("GUILD_EVENT_DELETE", {"id": event_id, "guild_id": guild_id})


async def set_rsvp(ctx: Context, guild_id: str, event_id: str, user_id: str, *, interested: bool) -> dict[str, Any]:
    """POST / DELETE /guilds/{g}/events/{id}/rsvp (members) → GUILD_EVENT_UPDATE when the count moved."""
    async with ctx.uow() as tx:
        await access.guild_access(tx.conn, guild_id, user_id)
        row = await _load_row(tx.conn, guild_id, event_id)
        if interested:
            if row["status"] in ENDED:
                raise conflict(f"this event is {row['status']}", code="event_ended")
            changed = await insert_ignore(
                tx.conn,
                guild_event_rsvps,
                ("event_id", "user_id"),
                {"event_id": event_id, "user_id": user_id, "created_at": now_iso()},
            )
        else:
            result = await tx.conn.execute(
                delete(guild_event_rsvps).where(
                    guild_event_rsvps.c.event_id == event_id, guild_event_rsvps.c.user_id == user_id
                )
            )
            changed = bool(result.rowcount)
        event = await load_event(tx.conn, guild_id, event_id)
        if changed:
            tx.emit("GUILD_EVENT_UPDATE", event)
        return event


# ---- the scheduler ----------------------------------------------------------------------------


async def _move(tx: UnitOfWork, row: Row, status: str) -> None:
    done = await tx.conn.execute(
        update(guild_events)
        .where(guild_events.c.id == row["id"], guild_events.c.status == row["status"])
        .values(status=status)
    )
    if done.rowcount:  # another scheduler may have moved it already
        tx.emit("GUILD_EVENT_UPDATE", await load_event(tx.conn, row["guild_id"], row["id"]))


async def run_scheduler(ctx: Context, now: datetime | None = None) -> int:
    """One scheduler step at `now`: cancel, start and complete what is due; returns the changes made."""
    now = now or utcnow()
    moment = iso(now)
    stale = iso(now - AUTO_CANCEL_AFTER)
    changes = 0
    async with ctx.uow() as tx:
        q = select(guild_events).where(guild_events.c.status == "scheduled", guild_events.c.scheduled_start <= moment)
        for row in list((await tx.conn.execute(q)).mappings()):
            await _move(tx, row, "cancelled" if row["scheduled_start"] <= stale else "active")
            changes += 1
        q = select(guild_events).where(guild_events.c.status == "active")
        for row in list((await tx.conn.execute(q)).mappings()):
            end = row["scheduled_end"] or iso(parse_iso(row["scheduled_start"]) + DEFAULT_LENGTH)
            if end <= moment:
                await _move(tx, row, "completed")
                changes += 1
    return changes


async def _schedule_forever(ctx: Context) -> None:
    # One API process at a time moves events; another takes over if it dies.
    await run_when_leader(ctx, "guild-event-scheduler", lambda: run_scheduler(ctx), SCHEDULER_SECONDS)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(_schedule_forever(ctx), name="guild-event-scheduler")]
