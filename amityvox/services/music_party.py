"""Music parties: a shared play queue in a channel.

Members who may post in the channel (SendMessages) start a party and add tracks to
its queue; everyone who can view the channel sees the queue grow. A queue holds at
most 100 tracks; tracks keep the order they were added in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import music_parties, music_party_tracks
from amityvox.errors import ApiError, bad_request, conflict, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.activities import acting_channel, with_guild
from amityvox.services.serialize import Row
from amityvox.services.watch_together import check_url

MAX_QUEUE = 100
MAX_DURATION_MS = 24 * 3600 * 1000


def track_out(row: Row) -> dict[str, Any]:
    out = {"url": row["url"], "title": row["title"], "added_by": row["added_by"]}
    for key in ("artist", "duration_ms"):
        if row[key] is not None:
            out[key] = row[key]
    return out


async def _tracks(conn: AsyncConnection, party_id: str) -> list[dict[str, Any]]:
    q = (
        select(music_party_tracks)
        .where(music_party_tracks.c.party_id == party_id)
        .order_by(music_party_tracks.c.position)
    )
    return [track_out(t) for t in (await conn.execute(q)).mappings()]


def party_out(row: Row, queue: list[dict[str, Any]]) -> dict[str, Any]:
    """MUSIC_PARTY_START and the REST answer."""
    out = {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "host_id": row["host_id"],
        "queue": queue,
        "current_index": row["current_index"],
        "playing": row["playing"],
        "started_at": row["started_at"],
    }
    return with_guild(out, row["guild_id"])


async def _party_row(
    conn: AsyncConnection, party_id: str, user_id: str, *, lock: bool = False
) -> tuple[Row, ChannelAccess]:
    """The party and the caller's access to its channel; 404 unless they can view it."""
    q = select(music_parties).where(music_parties.c.id == party_id)
    if lock:
        q = q.with_for_update()
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("music party")
    try:
        ca = await channel_access(conn, row["channel_id"], user_id)
    except ApiError as exc:
        if exc.status == 404:
            raise not_found("music party") from None
        raise
    return row, ca


async def start_party(ctx: Context, channel_id: str, user_id: str) -> dict[str, Any]:
    """POST /music-party (SendMessages) → MUSIC_PARTY_START with an empty queue."""
    async with ctx.uow() as tx:
        ca = await acting_channel(tx.conn, channel_id, user_id)
        values = {
            "id": new_id(),
            "channel_id": channel_id,
            "guild_id": ca.guild_id,
            "host_id": user_id,
            "current_index": 0,
            "playing": False,
            "started_at": now_iso(),
        }
        await tx.conn.execute(insert(music_parties).values(**values))
        party = party_out(values, [])
        tx.emit("MUSIC_PARTY_START", party)
        return party


async def get(ctx: Context, party_id: str, user_id: str) -> dict[str, Any]:
    """GET /music-party/{s} (ViewChannel): the party with its whole queue."""
    async with ctx.db.read() as conn:
        row, _ = await _party_row(conn, party_id, user_id)
        return party_out(row, await _tracks(conn, party_id))


def _check_track(track: dict[str, Any]) -> dict[str, Any]:
    title = str(track.get("title") or "").strip()
    if not title or len(title) > 200:
        raise bad_request("track.title must be 1-200 characters")
    artist = (track.get("artist") or "").strip() or None
    if artist is not None and len(artist) > 200:
        raise bad_request("track.artist must be at most 200 characters")
    duration = track.get("duration_ms")
    if duration is not None and not 0 <= duration <= MAX_DURATION_MS:
        raise bad_request(f"track.duration_ms must be from 0 to {MAX_DURATION_MS}")
    return {"url": check_url(track["url"], "track.url"), "title": title, "artist": artist, "duration_ms": duration}


async def add_track(ctx: Context, party_id: str, user_id: str, track: dict[str, Any]) -> dict[str, Any]:
    """POST /music-party/{s}/queue (SendMessages) → MUSIC_PARTY_QUEUE_ADD; the queue holds 100 at most."""
    values = _check_track(track)
    async with ctx.uow() as tx:
        row, ca = await _party_row(tx.conn, party_id, user_id, lock=True)
        ca.require(P.Perm.SendMessages)
        size = int(await tx.conn.scalar(select(func.count()).where(music_party_tracks.c.party_id == party_id)) or 0)
        if size >= MAX_QUEUE:
            raise conflict(f"the queue holds at most {MAX_QUEUE} tracks", code="queue_full")
        values.update(party_id=party_id, position=size, added_by=user_id, added_at=now_iso())
        await tx.conn.execute(insert(music_party_tracks).values(**values))
        added = track_out(values)
        tx.emit(
            "MUSIC_PARTY_QUEUE_ADD",
            {"session_id": party_id, "track": added, "queue_size": size + 1, "channel_id": row["channel_id"]},
        )
        return {"session_id": party_id, "track": added, "queue_size": size + 1}
