"""Raid protection: a join-rate threshold per guild, lockdowns, and what a lockdown refuses.

A guild's configuration is `{join_threshold, window_seconds, lockdown_active,
lockdown_duration_seconds}`. Automatic lockdown is off until a moderator sets a
`join_threshold` above 0 (joins are a normal thing to do in bulk, e.g. an import or
a launch); once set, more than `join_threshold` joins within `window_seconds`
starts a lockdown. Joins are counted from the stored memberships, so the count
survives restarts and holds across API processes.

While a guild is locked down:
- accepting an invite answers 403 `guild_locked`;
- members who joined within `window_seconds` before the lockdown started, or during
  it, cannot post (403 `guild_locked`); moderators are never held back.

A lockdown ends when a moderator lifts it, or after `lockdown_duration_seconds`
(0: only by hand) through the background sweep. Every change publishes
RAID_LOCKDOWN `{guild_id, active, reason, triggered_by?, started_at?}`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.bus.base import Envelope
from amityvox.context import Context
from amityvox.db.schema import guild_members, raid_configs
from amityvox.db.upserts import insert_ignore
from amityvox.errors import bad_request, forbidden
from amityvox.ids import iso, parse_iso, utcnow
from amityvox.services import access
from amityvox.services.access import ChannelAccess
from amityvox.services.reacts import reacts_to
from amityvox.services.serialize import Row

log = logging.getLogger("amityvox.raid")

DEFAULT_THRESHOLD = 0  # automatic lockdown off until configured
DEFAULT_WINDOW = 60
DEFAULT_DURATION = 600
MAX_THRESHOLD = 10_000
MIN_WINDOW, MAX_WINDOW = 1, 3600
MAX_DURATION = 7 * 24 * 3600
SWEEP_SECONDS = 5.0

AUTO_REASON = "more than {n} members joined within {w} seconds"
EXPIRED_REASON = "the lockdown period ended"


def _defaults(guild_id: str) -> dict[str, Any]:
    return {
        "guild_id": guild_id,
        "join_threshold": DEFAULT_THRESHOLD,
        "window_seconds": DEFAULT_WINDOW,
        "lockdown_duration_seconds": DEFAULT_DURATION,
        "lockdown_active": False,
        "lockdown_started_at": None,
        "lockdown_ends_at": None,
        "lockdown_reason": None,
        "lockdown_triggered_by": None,
    }


async def _load(conn: AsyncConnection, guild_id: str) -> dict[str, Any]:
    row = (await conn.execute(select(raid_configs).where(raid_configs.c.guild_id == guild_id))).mappings().first()
    return dict(row) if row is not None else _defaults(guild_id)


def config_out(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {
        "guild_id": row["guild_id"],
        "join_threshold": row["join_threshold"],
        "window_seconds": row["window_seconds"],
        "lockdown_active": row["lockdown_active"],
        "lockdown_duration_seconds": row["lockdown_duration_seconds"],
    }
    if row["lockdown_active"]:
        for key in ("lockdown_started_at", "lockdown_ends_at", "lockdown_reason", "lockdown_triggered_by"):
            if row[key] is not None:
                out[key] = row[key]
    return out


def _event(
    guild_id: str, active: bool, reason: str, triggered_by: str | None, started_at: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"guild_id": guild_id, "active": active, "reason": reason}
    if triggered_by is not None:
        out["triggered_by"] = triggered_by
    if active and started_at is not None:
        out["started_at"] = started_at
    return out


def _live(row: Row, now: str) -> bool:
    """Locked down right now (a lockdown past its end counts as over even before the sweep)."""
    return bool(row["lockdown_active"]) and (row["lockdown_ends_at"] is None or row["lockdown_ends_at"] > now)


async def _save(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await insert_ignore(conn, raid_configs, ("guild_id",), _defaults(row["guild_id"]))
    values = {k: v for k, v in row.items() if k != "guild_id"}
    await conn.execute(update(raid_configs).where(raid_configs.c.guild_id == row["guild_id"]).values(**values))


def _lock(row: dict[str, Any], now: datetime, reason: str, triggered_by: str | None) -> None:
    duration = row["lockdown_duration_seconds"]
    row.update(
        lockdown_active=True,
        lockdown_started_at=iso(now),
        lockdown_ends_at=iso(now + timedelta(seconds=duration)) if duration else None,
        lockdown_reason=reason,
        lockdown_triggered_by=triggered_by,
    )


def _unlock(row: dict[str, Any]) -> None:
    row.update(
        lockdown_active=False,
        lockdown_started_at=None,
        lockdown_ends_at=None,
        lockdown_reason=None,
        lockdown_triggered_by=None,
    )


# ---- REST ------------------------------------------------------------------------------------


async def get_config(ctx: Context, guild_id: str, user_id: str) -> dict[str, Any]:
    """GET /guilds/{g}/raid-config (ManageGuild)."""
    async with ctx.db.read() as conn:
        ga = await access.guild_access(conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        return config_out(await _load(conn, guild_id))


def _check_int(changes: dict[str, Any], key: str, low: int, high: int) -> int | None:
    if key not in changes:
        return None
    value = changes[key]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise bad_request(f"{key} must be an integer from {low} to {high}")
    return value


async def update_config(ctx: Context, guild_id: str, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /guilds/{g}/raid-config (ManageGuild); toggling `lockdown_active` → RAID_LOCKDOWN.

    `reason` (optional, with `lockdown_active`) says why in the event.
    """
    threshold = _check_int(changes, "join_threshold", 0, MAX_THRESHOLD)
    window = _check_int(changes, "window_seconds", MIN_WINDOW, MAX_WINDOW)
    duration = _check_int(changes, "lockdown_duration_seconds", 0, MAX_DURATION)
    active = changes.get("lockdown_active")
    if "lockdown_active" in changes and not isinstance(active, bool):
        raise bad_request("lockdown_active must be true or false")
    reason = (changes.get("reason") or "").strip()
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageGuild)
        row = await _load(tx.conn, guild_id)
        for key, value in (
            ("join_threshold", threshold),
            ("window_seconds", window),
            ("lockdown_duration_seconds", duration),
        ):
            if value is not None:
                row[key] = value
        now = utcnow()
        live = _live(row, iso(now))
        if active is True and not live:
            _lock(row, now, reason or "locked down by a moderator", user_id)
            tx.emit(
                "RAID_LOCKDOWN", _event(guild_id, True, row["lockdown_reason"], user_id, row["lockdown_started_at"])
            )
        elif active is False and row["lockdown_active"]:
            _unlock(row)
            tx.emit("RAID_LOCKDOWN", _event(guild_id, False, reason or "lifted by a moderator", user_id, None))
        elif duration is not None and live and row["lockdown_started_at"] is not None:
            # A new duration applies to the lockdown in progress, counted from its start.
            start = parse_iso(row["lockdown_started_at"])
            row["lockdown_ends_at"] = iso(start + timedelta(seconds=duration)) if duration else None
        await _save(tx.conn, row)
        return config_out(row)


# ---- what a lockdown refuses ------------------------------------------------------------------


async def is_locked(conn: AsyncConnection, guild_id: str) -> bool:
    return _live(await _load(conn, guild_id), iso(utcnow()))


async def require_open(conn: AsyncConnection, guild_id: str) -> None:
    """403 `guild_locked` while the guild is locked down (invites use this)."""
    if await is_locked(conn, guild_id):
        raise forbidden("this guild is in raid lockdown and accepts no new members right now", code="guild_locked")


async def require_may_post(conn: AsyncConnection, ca: ChannelAccess, user_id: str) -> None:
    """403 `guild_locked` for a recent joiner while the guild is locked down; moderators always pass."""
    if ca.guild_access is None or ca.is_moderator:
        return
    row = await _load(conn, ca.guild_access.guild["id"])
    if not _live(row, iso(utcnow())) or row["lockdown_started_at"] is None:
        return
    since = iso(parse_iso(row["lockdown_started_at"]) - timedelta(seconds=row["window_seconds"]))
    if ca.guild_access.member["joined_at"] >= since:
        raise forbidden("this guild is in raid lockdown; members who just joined cannot post yet", code="guild_locked")


# ---- automatic lockdown and expiry ------------------------------------------------------------


async def _tripped(conn: AsyncConnection, row: dict[str, Any], now: datetime) -> bool:
    if not row["join_threshold"] or _live(row, iso(now)):
        return False
    since = iso(now - timedelta(seconds=row["window_seconds"]))
    joins = await conn.scalar(
        select(func.count()).where(guild_members.c.guild_id == row["guild_id"], guild_members.c.joined_at >= since)
    )
    return int(joins or 0) > row["join_threshold"]


async def check_join_rate(ctx: Context, guild_id: str, now: datetime | None = None) -> bool:
    """Lock the guild down when more than `join_threshold` members joined within the window."""
    now = now or utcnow()
    # Most joins trip nothing: look first without taking the write lock.
    async with ctx.db.read() as conn:
        if not await _tripped(conn, await _load(conn, guild_id), now):
            return False
    async with ctx.uow() as tx:
        row = await _load(tx.conn, guild_id)
        if not await _tripped(tx.conn, row, now):  # another join's check got there first
            return False
        reason = AUTO_REASON.format(n=row["join_threshold"], w=row["window_seconds"])
        _lock(row, now, reason, None)
        await _save(tx.conn, row)
        tx.emit("RAID_LOCKDOWN", _event(guild_id, True, reason, None, row["lockdown_started_at"]))
        return True


async def lift_expired(ctx: Context, now: datetime | None = None) -> int:
    """End every lockdown whose duration has passed → RAID_LOCKDOWN (active false) each."""
    moment = iso(now or utcnow())
    async with ctx.uow() as tx:
        q = select(raid_configs).where(
            raid_configs.c.lockdown_active.is_(True),
            raid_configs.c.lockdown_ends_at.is_not(None),
            raid_configs.c.lockdown_ends_at <= moment,
        )
        rows = [dict(r) for r in (await tx.conn.execute(q)).mappings()]
        for row in rows:
            _unlock(row)
            await _save(tx.conn, row)
            tx.emit("RAID_LOCKDOWN", _event(row["guild_id"], False, EXPIRED_REASON, None, None))
        return len(rows)


async def _sweep_forever(ctx: Context) -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            await lift_expired(ctx)
        except asyncio.CancelledError:
            raise
        except Exception:  # keep sweeping; a transient database error must not end the loop
            log.exception("lifting expired raid lockdowns failed")


@reacts_to("GUILD_MEMBER_ADD", queue="raid-protection")
async def _on_join(ctx: Context, env: Envelope) -> None:
    guild_id = env.data.get("guild_id")
    if isinstance(guild_id, str):
        await check_join_rate(ctx, guild_id)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    await _on_join.subscribe(ctx)
    return [asyncio.create_task(_sweep_forever(ctx), name="raid-lockdown-expiry")]
