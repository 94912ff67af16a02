"""Channel notification preferences: how loudly each channel notifies one user.

A preference is a `level` for one (user, channel):

- `all` — every message in the channel notifies (a `message` notification, beside the
  mention, reply and DM notifications the user gets anyway);
- `mentions` — only mentions and replies (in a DM or group, plain messages stop notifying);
- `none` — nothing from the channel notifies, until `muted_until` when one is set.

Without a preference a channel notifies as services/notifications.py describes. The
notification worker reads these rows (`effective`); they change nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, get_args

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import channel_notification_prefs as prefs
from amityvox.db.upserts import upsert
from amityvox.errors import bad_request
from amityvox.events.payloads import NotificationLevel
from amityvox.ids import iso, now_iso, parse_iso, utcnow
from amityvox.services.access import channel_access
from amityvox.services.serialize import Row

LEVELS = get_args(NotificationLevel)


def pref_out(row: Row) -> dict[str, Any]:
    """The original client's ChannelNotificationPreference: `muted_until` is always present."""
    return {
        "user_id": row["user_id"],
        "channel_id": row["channel_id"],
        "level": row["level"],
        "muted_until": row["muted_until"],
    }


async def list_prefs(ctx: Context, user_id: str) -> list[dict[str, Any]]:
    """GET /notifications/preferences/channels: the caller's preferences, by channel id."""
    async with ctx.db.read() as conn:
        q = select(prefs).where(prefs.c.user_id == user_id).order_by(prefs.c.channel_id)
        return [pref_out(r) for r in (await conn.execute(q)).mappings()]


def _check_until(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return iso(parse_iso(value))
    except ValueError as exc:
        raise bad_request("muted_until must be an RFC 3339 timestamp with a time zone, or null") from exc


async def set_pref(ctx: Context, user_id: str, channel_id: str, level: str, muted_until: str | None) -> dict[str, Any]:
    """PATCH /notifications/preferences/channels: set the caller's level for a channel they can view."""
    if level not in LEVELS:
        raise bad_request(f"level must be one of {', '.join(LEVELS)}")
    until = _check_until(muted_until)
    if until is not None and level != "none":
        raise bad_request("muted_until goes with level none")
    async with ctx.uow() as tx:
        await channel_access(tx.conn, channel_id, user_id)
        row = {"user_id": user_id, "channel_id": channel_id, "level": level, "muted_until": until}
        await upsert(
            tx.conn, prefs, ("user_id", "channel_id"), {**row, "updated_at": now_iso()},
            ("level", "muted_until", "updated_at"),
        )  # fmt: skip
        return pref_out(row)


async def delete_pref(ctx: Context, user_id: str, channel_id: str) -> None:
    """DELETE /notifications/preferences/channels/{c}: back to the default (nothing to do is fine)."""
    async with ctx.uow() as tx:
        await tx.conn.execute(delete(prefs).where(prefs.c.user_id == user_id, prefs.c.channel_id == channel_id))


# Built once: the notification worker asks this for every message.
_EFFECTIVE = select(prefs.c.user_id, prefs.c.level, prefs.c.muted_until).where(
    prefs.c.channel_id == bindparam("c"),
    prefs.c.user_id.in_(bindparam("users", expanding=True)) | (prefs.c.level == "all"),
)


async def effective(conn: AsyncConnection, channel_id: str, users: Iterable[str]) -> dict[str, str]:
    """The level in force now for each of `users` who has one for the channel, and every user
    whose level is `all` there (the worker notifies them of every message). A mute that has
    run out is no preference at all."""
    now = iso(utcnow())
    out = {}
    for r in await conn.execute(_EFFECTIVE, {"c": channel_id, "users": list(users)}):
        if r.level == "none" and r.muted_until is not None and r.muted_until <= now:
            continue
        out[r.user_id] = r.level
    return out
