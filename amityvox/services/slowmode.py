"""Slowmode: a member may post in a channel once per `slowmode_seconds`; moderators are exempt.

The last post time lives in the database, so restarting the server (or running
several API processes) does not hand everyone a fresh allowance.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.db.schema import slowmode_marks
from amityvox.db.upserts import upsert
from amityvox.errors import rate_limited
from amityvox.ids import iso, parse_iso, utcnow
from amityvox.services.access import ChannelAccess


async def check_and_mark(conn: AsyncConnection, ca: ChannelAccess, user_id: str) -> None:
    """429 `rate_limited` (with `retry_after`) if the member posted too recently; else record this post.

    Call inside the posting transaction, so a post that fails later leaves no mark.
    """
    seconds = int(ca.channel["slowmode_seconds"] or 0)
    if seconds <= 0 or ca.is_moderator:
        return
    now = utcnow()
    last = await conn.scalar(
        select(slowmode_marks.c.posted_at).where(
            slowmode_marks.c.channel_id == ca.channel["id"], slowmode_marks.c.user_id == user_id
        )
    )
    if last is not None:
        elapsed = (now - parse_iso(last)).total_seconds()
        if elapsed < seconds:
            raise rate_limited(seconds - elapsed, f"this channel allows one message per {seconds} s")
    await upsert(
        conn,
        slowmode_marks,
        ("channel_id", "user_id"),
        {"channel_id": ca.channel["id"], "user_id": user_id, "posted_at": iso(now)},
        ("posted_at",),
    )
