"""Location sharing: a one-off pin, or a live location that moves until it is stopped or expires.

A live share lasts `duration_seconds` (60 s to 8 h); a background sweep ends expired
ones. Every end of a share — stopped by hand or expired — is announced as
LOCATION_SHARE_STOP, the one name clients listen for. A user has at most one live
share per channel at a time.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import location_shares
from amityvox.errors import ApiError, bad_request, forbidden, not_found
from amityvox.ids import iso, new_id, now_iso, utcnow
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.leases import run_when_leader
from amityvox.services.messages import require_message_channel, require_unlocked
from amityvox.services.serialize import Row

log = logging.getLogger("amityvox.locations")

MIN_LIVE_SECONDS = 60
MAX_LIVE_SECONDS = 8 * 3600
MAX_LABEL = 100
SWEEP_SECONDS = 5.0  # how often expired live shares are stopped
PAGE_MAX = 100


def share_out(row: Row) -> dict[str, Any]:
    """The LocationShare object (REST and LOCATION_SHARE_CREATE / _UPDATE)."""
    out: dict[str, Any] = {
        "id": row["id"],
        "user_id": row["user_id"],
        "channel_id": row["channel_id"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "live": row["live"],
    }
    for key in ("accuracy", "label", "expires_at"):
        if row[key] is not None:
            out[key] = row[key]
    return out


def _stop_event(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "user_id": row["user_id"], "channel_id": row["channel_id"]}


def _check_label(label: str | None) -> str | None:
    if label is None:
        return None
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise bad_request(f"label must be at most {MAX_LABEL} characters")
    return label or None


def _active(now: str) -> Any:
    """Shares still running: one-off pins, and live shares before their expiry."""
    return or_(location_shares.c.live.is_(False), location_shares.c.expires_at > now)


async def _acting_access(conn: AsyncConnection, channel_id: str, user_id: str) -> ChannelAccess:
    ca = await channel_access(conn, channel_id, user_id, need=P.Perm.SendMessages)
    require_message_channel(ca)
    require_unlocked(ca)
    return ca


async def _load(conn: AsyncConnection, channel_id: str, share_id: str) -> Row:
    q = select(location_shares).where(location_shares.c.id == share_id, location_shares.c.channel_id == channel_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("location share")
    return row


async def create_share(
    ctx: Context,
    channel_id: str,
    user_id: str,
    *,
    latitude: float,
    longitude: float,
    accuracy: float | None,
    label: str | None,
    live: bool,
    duration_seconds: int | None,
) -> dict[str, Any]:
    """POST …/experimental/location (SendMessages) → LOCATION_SHARE_CREATE."""
    label = _check_label(label)
    if live and duration_seconds is None:
        raise bad_request("a live share needs duration_seconds")
    if not live and duration_seconds is not None:
        raise bad_request("duration_seconds applies only to live shares")
    if live and not MIN_LIVE_SECONDS <= (duration_seconds or 0) <= MAX_LIVE_SECONDS:
        raise bad_request(f"duration_seconds must be {MIN_LIVE_SECONDS}-{MAX_LIVE_SECONDS}")
    async with ctx.uow() as tx:
        await _acting_access(tx.conn, channel_id, user_id)
        now = utcnow()
        if live:
            q = select(location_shares.c.id).where(
                location_shares.c.channel_id == channel_id,
                location_shares.c.user_id == user_id,
                location_shares.c.live.is_(True),
                location_shares.c.expires_at > iso(now),
            )
            running = await tx.conn.scalar(q)
            if running is not None:
                raise ApiError(409, "already_sharing", "you are already sharing a live location here", share_id=running)
        row = {
            "id": new_id(),
            "channel_id": channel_id,
            "user_id": user_id,
            "latitude": latitude,
            "longitude": longitude,
            "accuracy": accuracy,
            "label": label,
            "live": live,
            "expires_at": iso(now + timedelta(seconds=duration_seconds)) if live and duration_seconds else None,
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        await tx.conn.execute(location_shares.insert().values(**row))
        share = share_out(row)
        tx.emit("LOCATION_SHARE_CREATE", share)
        return share


async def update_share(
    ctx: Context, channel_id: str, share_id: str, user_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """PATCH …/experimental/location/{id} → LOCATION_SHARE_UPDATE.

    Only the sharer may move a share, only a live one, and only before it expires.
    `changes` holds any of latitude and longitude (together), accuracy and label;
    fields left out keep their values, null clears accuracy or label.
    """
    if not changes:
        raise bad_request("send at least one of latitude, longitude, accuracy, label")
    if ("latitude" in changes) != ("longitude" in changes):
        raise bad_request("latitude and longitude move together")
    if "latitude" in changes and (changes["latitude"] is None or changes["longitude"] is None):
        raise bad_request("latitude and longitude cannot be null")
    if "label" in changes:
        changes["label"] = _check_label(changes["label"])
    async with ctx.uow() as tx:
        await _acting_access(tx.conn, channel_id, user_id)
        row = await _load(tx.conn, channel_id, share_id)
        if row["user_id"] != user_id:
            raise forbidden("only the sharer may move a shared location")
        if not row["live"]:
            raise bad_request("only a live share can move", code="not_live")
        now = now_iso()
        if row["expires_at"] <= now:
            raise ApiError(409, "share_expired", "this live share has expired")
        await tx.conn.execute(
            update(location_shares).where(location_shares.c.id == row["id"]).values(**changes, updated_at=now)
        )
        share = share_out({**row, **changes})
        tx.emit("LOCATION_SHARE_UPDATE", share)
        return share


async def stop_share(ctx: Context, channel_id: str, share_id: str, user_id: str) -> None:
    """DELETE …/experimental/location/{id} (the sharer, or ManageMessages) → LOCATION_SHARE_STOP."""
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id)
        row = await _load(tx.conn, channel_id, share_id)
        if row["user_id"] != user_id:
            ca.require(P.Perm.ManageMessages)
        await tx.conn.execute(delete(location_shares).where(location_shares.c.id == row["id"]))
        tx.emit("LOCATION_SHARE_STOP", _stop_event(row))


async def list_shares(
    ctx: Context, channel_id: str, user_id: str, *, before: str | None = None, limit: int = PAGE_MAX
) -> list[dict[str, Any]]:
    """GET …/experimental/locations (ViewChannel): running shares, newest first; `before` pages back."""
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id)
        require_message_channel(ca)
        q = select(location_shares).where(location_shares.c.channel_id == channel_id, _active(now_iso()))
        if before is not None:
            q = q.where(location_shares.c.id < before)
        q = q.order_by(location_shares.c.id.desc()).limit(limit)
        return [share_out(r) for r in (await conn.execute(q)).mappings()]


async def stop_expired_shares(ctx: Context) -> int:
    """End every live share past its expiry → LOCATION_SHARE_STOP each; returns how many."""
    async with ctx.uow() as tx:
        q = select(location_shares).where(location_shares.c.live.is_(True), location_shares.c.expires_at <= now_iso())
        stopped = 0
        for row in list((await tx.conn.execute(q)).mappings()):
            # A concurrent DELETE may have won: announce only the rows this sweep removed.
            done = await tx.conn.execute(delete(location_shares).where(location_shares.c.id == row["id"]))
            if done.rowcount:
                tx.emit("LOCATION_SHARE_STOP", _stop_event(row))
                stopped += 1
        return stopped


async def sweep_forever(ctx: Context) -> None:
    """Stop expired live shares every SWEEP_SECONDS until cancelled, in one API process at a time."""
    await run_when_leader(ctx, "location-expiry", lambda: stop_expired_shares(ctx), SWEEP_SECONDS)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(sweep_forever(ctx), name="location-expiry")]
