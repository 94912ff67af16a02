"""Watch-together: one video played in step for everyone viewing a channel.

Members who may post in the channel (SendMessages) start a session; the starter is
its host and the only one who seeks, plays, pauses or changes the speed, so two
people fighting over the timeline cannot make every viewer's player jump. Each
sync carries the whole playback position, so a late viewer needs only the last one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import watch_sessions
from amityvox.errors import ApiError, bad_request, forbidden, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.activities import acting_channel, with_guild
from amityvox.services.serialize import Row

MAX_URL = 2048
MIN_RATE, MAX_RATE = 0.25, 4.0


def check_url(url: str, what: str) -> str:
    """An absolute http(s) URL with a host; anything else could not be played by every client."""
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise bad_request(f"{what} must be an http or https URL of at most {MAX_URL} characters", code="invalid_url")
    return url


def session_out(row: Row) -> dict[str, Any]:
    """WATCH_TOGETHER_START and the REST answer."""
    out = {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "host_id": row["host_id"],
        "video_url": row["video_url"],
        "current_time_ms": row["current_time_ms"],
        "playing": row["playing"],
        "playback_rate": row["playback_rate"],
        "started_at": row["started_at"],
    }
    if row["title"] is not None:
        out["title"] = row["title"]
    return with_guild(out, row["guild_id"])


async def _session_row(
    conn: AsyncConnection, session_id: str, user_id: str, *, lock: bool = False
) -> tuple[Row, ChannelAccess]:
    """The session and the caller's access to its channel; 404 unless they can view it."""
    q = select(watch_sessions).where(watch_sessions.c.id == session_id)
    if lock:
        q = q.with_for_update()
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("watch-together session")
    try:
        ca = await channel_access(conn, row["channel_id"], user_id)
    except ApiError as exc:
        if exc.status == 404:
            raise not_found("watch-together session") from None
        raise
    return row, ca


async def start_session(
    ctx: Context, channel_id: str, user_id: str, video_url: str, title: str | None
) -> dict[str, Any]:
    """POST /watch-together (SendMessages) → WATCH_TOGETHER_START, paused at 0 at normal speed."""
    video_url = check_url(video_url, "video_url")
    title = (title or "").strip() or None
    async with ctx.uow() as tx:
        ca = await acting_channel(tx.conn, channel_id, user_id)
        now = now_iso()
        values = {
            "id": new_id(),
            "channel_id": channel_id,
            "guild_id": ca.guild_id,
            "host_id": user_id,
            "video_url": video_url,
            "title": title,
            "current_time_ms": 0,
            "playing": False,
            "playback_rate": 1.0,
            "started_at": now,
            "synced_at": now,
        }
        await tx.conn.execute(insert(watch_sessions).values(**values))
        session = session_out(values)
        tx.emit("WATCH_TOGETHER_START", session)
        return session


async def get(ctx: Context, session_id: str, user_id: str) -> dict[str, Any]:
    """GET /watch-together/{s} (ViewChannel): where playback stood at the last sync."""
    async with ctx.db.read() as conn:
        row, _ = await _session_row(conn, session_id, user_id)
        return session_out(row)


async def sync(
    ctx: Context, session_id: str, user_id: str, current_time_ms: int, playing: bool, playback_rate: float
) -> dict[str, Any]:
    """POST /watch-together/{s}/sync (host only, SendMessages) → WATCH_TOGETHER_SYNC."""
    if current_time_ms < 0:
        raise bad_request("current_time_ms must not be negative")
    if not MIN_RATE <= playback_rate <= MAX_RATE:
        raise bad_request(f"playback_rate must be from {MIN_RATE} to {MAX_RATE}")
    async with ctx.uow() as tx:
        row, ca = await _session_row(tx.conn, session_id, user_id, lock=True)
        if row["host_id"] != user_id:
            raise forbidden("only the host controls playback", code="not_host")
        ca.require(P.Perm.SendMessages)
        values = {
            "current_time_ms": current_time_ms,
            "playing": playing,
            "playback_rate": float(playback_rate),
            "synced_at": now_iso(),
        }
        await tx.conn.execute(update(watch_sessions).where(watch_sessions.c.id == session_id).values(**values))
        tx.emit(
            "WATCH_TOGETHER_SYNC",
            {
                "session_id": session_id,
                "current_time_ms": current_time_ms,
                "playing": playing,
                "playback_rate": float(playback_rate),
                "channel_id": row["channel_id"],
            },
        )
        return session_out({**row, **values})
