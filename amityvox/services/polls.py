"""Polls in channels: create, read, vote (re-voting replaces the vote), close, and expiry.

A poll lives in a channel and goes to the channel's viewers: POLL_CREATE (the whole
Poll), POLL_VOTE (the new tallies; the voter's id only for non-anonymous polls) and
POLL_CLOSE (`closed_by` absent when it expired). `total_votes` counts voters, not
choices, so a multi-vote poll's option counts may add up to more than it.
Polls are their own objects: posting one does not post a message (`message_id` stays
absent).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import poll_options, poll_votes, polls
from amityvox.errors import bad_request, conflict, not_found
from amityvox.ids import iso, new_id, now_iso, utcnow
from amityvox.services import raid
from amityvox.services.access import channel_access
from amityvox.services.leases import run_when_leader
from amityvox.services.messages import PAGE_MAX, check_cursor, require_message_channel, require_unlocked
from amityvox.services.serialize import Row

log = logging.getLogger("amityvox.polls")

MAX_QUESTION = 300
MAX_OPTION = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MIN_DURATION, MAX_DURATION = 60, 30 * 24 * 3600
SWEEP_SECONDS = 5.0


def _closed_error() -> Exception:
    return conflict("this poll is closed", code="poll_closed")


async def _load_row(conn: AsyncConnection, channel_id: str, poll_id: str, *, lock: bool = False) -> Row:
    q = select(polls).where(polls.c.id == poll_id, polls.c.channel_id == channel_id)
    if lock:
        q = q.with_for_update()
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("poll")
    return row


async def _tallies(conn: AsyncConnection, poll_id: str) -> tuple[list[Row], dict[str, int], int]:
    """(options in order, votes per option id, number of voters)."""
    q_options = select(poll_options).where(poll_options.c.poll_id == poll_id).order_by(poll_options.c.position)
    options: list[Row] = list((await conn.execute(q_options)).mappings())
    q = (
        select(poll_votes.c.option_id, func.count())
        .where(poll_votes.c.poll_id == poll_id)
        .group_by(poll_votes.c.option_id)
    )
    counts: dict[str, int] = {oid: int(n) for oid, n in await conn.execute(q)}
    voters = await conn.scalar(
        select(func.count(distinct(poll_votes.c.user_id))).where(poll_votes.c.poll_id == poll_id)
    )
    return options, counts, int(voters or 0)


async def load_poll(conn: AsyncConnection, row: Row) -> dict[str, Any]:
    """The whole Poll (POLL_CREATE in docs/protocol.md#events) for a stored row."""
    options, counts, voters = await _tallies(conn, row["id"])
    out: dict[str, Any] = {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "author_id": row["author_id"],
        "question": row["question"],
        "multi_vote": row["multi_vote"],
        "anonymous": row["anonymous"],
        "closed": row["closed"],
        "options": [
            {"id": o["id"], "text": o["text"], "position": o["position"], "vote_count": counts.get(o["id"], 0)}
            for o in options
        ],
        "total_votes": voters,
    }
    for key in ("message_id", "expires_at"):
        if row[key] is not None:
            out[key] = row[key]
    return out


def _check_new(question: str, options: Sequence[str], duration_seconds: int | None) -> tuple[str, list[str]]:
    question = question.strip()
    if not 1 <= len(question) <= MAX_QUESTION:
        raise bad_request(f"question must be 1-{MAX_QUESTION} characters")
    texts = [o.strip() for o in options]
    if not MIN_OPTIONS <= len(texts) <= MAX_OPTIONS:
        raise bad_request(f"a poll has {MIN_OPTIONS}-{MAX_OPTIONS} options")
    if any(not 1 <= len(t) <= MAX_OPTION for t in texts):
        raise bad_request(f"each option must be 1-{MAX_OPTION} characters")
    if len({t.casefold() for t in texts}) != len(texts):
        raise bad_request("options must differ from each other")
    if duration_seconds is not None and not MIN_DURATION <= duration_seconds <= MAX_DURATION:
        raise bad_request(f"duration_seconds must be {MIN_DURATION}-{MAX_DURATION}, or absent for no expiry")
    return question, texts


async def create_poll(
    ctx: Context,
    channel_id: str,
    user_id: str,
    *,
    question: str,
    options: Sequence[str],
    multi_vote: bool = False,
    anonymous: bool = False,
    duration_seconds: int | None = None,
) -> dict[str, Any]:
    """POST /channels/{c}/polls (SendMessages) → POLL_CREATE with the whole Poll."""
    question, texts = _check_new(question, options, duration_seconds)
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id, need=P.Perm.SendMessages)
        require_message_channel(ca)
        require_unlocked(ca)
        await raid.require_may_post(tx.conn, ca, user_id)
        now = utcnow()
        poll_id = new_id()
        await tx.conn.execute(
            polls.insert().values(
                id=poll_id,
                channel_id=channel_id,
                guild_id=ca.guild_id,
                author_id=user_id,
                question=question,
                multi_vote=multi_vote,
                anonymous=anonymous,
                expires_at=iso(now + timedelta(seconds=duration_seconds)) if duration_seconds else None,
                closed=False,
                created_at=iso(now),
            )
        )
        await tx.conn.execute(
            poll_options.insert(),
            [{"id": new_id(), "poll_id": poll_id, "text": t, "position": i} for i, t in enumerate(texts)],
        )
        poll = await load_poll(tx.conn, await _load_row(tx.conn, channel_id, poll_id))
        tx.emit("POLL_CREATE", poll)
        return poll


async def get_poll(ctx: Context, channel_id: str, poll_id: str, user_id: str) -> dict[str, Any]:
    """GET /channels/{c}/polls/{p} (ViewChannel)."""
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id)
        return await load_poll(conn, await _load_row(conn, channel_id, poll_id))


async def list_polls(
    ctx: Context,
    channel_id: str,
    user_id: str,
    *,
    before: str | None = None,
    after: str | None = None,
    limit: int = PAGE_MAX,
) -> list[dict[str, Any]]:
    """GET /channels/{c}/polls (ReadHistory): the channel's polls posted between `after` and
    `before` (ids, both exclusive; polls and messages share one time-ordered id space, so a
    client asks for the polls of the history page it shows), newest first, at most `limit`.
    Each Poll carries `voted_option_ids`: the viewer's own choices."""
    if not 1 <= limit <= PAGE_MAX:
        raise bad_request(f"limit must be between 1 and {PAGE_MAX}")
    before = check_cursor(before, "before")
    after = check_cursor(after, "after")
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id, need=P.Perm.ReadHistory)
        q = select(polls).where(polls.c.channel_id == channel_id)
        if before is not None:
            q = q.where(polls.c.id < before)
        if after is not None:
            q = q.where(polls.c.id > after)
        rows = list((await conn.execute(q.order_by(polls.c.id.desc()).limit(limit))).mappings())
        mine: dict[str, list[str]] = {}
        if rows:
            q_mine = (
                select(poll_votes.c.poll_id, poll_votes.c.option_id)
                .where(poll_votes.c.poll_id.in_([r["id"] for r in rows]), poll_votes.c.user_id == user_id)
                .order_by(poll_votes.c.option_id)
            )
            for poll_id, option_id in await conn.execute(q_mine):
                mine.setdefault(poll_id, []).append(option_id)
        return [{**await load_poll(conn, r), "voted_option_ids": mine.get(r["id"], [])} for r in rows]


def _expired(row: Row, now: str) -> bool:
    return row["expires_at"] is not None and row["expires_at"] <= now


async def vote(ctx: Context, channel_id: str, poll_id: str, user_id: str, option_ids: Sequence[str]) -> dict[str, Any]:
    """POST /channels/{c}/polls/{p}/votes (ViewChannel) → POLL_VOTE; answers the updated Poll.

    A single-choice poll takes exactly one option; voting again replaces the earlier vote.
    """
    chosen = list(dict.fromkeys(o.upper() for o in option_ids))
    if not chosen:
        raise bad_request("option_ids must name at least one option")
    if len(chosen) != len(option_ids):
        raise bad_request("option_ids must not repeat")
    async with ctx.uow() as tx:
        await channel_access(tx.conn, channel_id, user_id)
        row = await _load_row(tx.conn, channel_id, poll_id, lock=True)
        if row["closed"] or _expired(row, now_iso()):
            raise _closed_error()
        if not row["multi_vote"] and len(chosen) != 1:
            raise bad_request("this poll takes exactly one option")
        valid = set(await tx.conn.scalars(select(poll_options.c.id).where(poll_options.c.poll_id == poll_id)))
        if not set(chosen) <= valid:
            raise bad_request("option_ids must name options of this poll", code="unknown_option")
        mine = select(poll_votes.c.option_id).where(poll_votes.c.poll_id == poll_id, poll_votes.c.user_id == user_id)
        before = set(await tx.conn.scalars(mine))
        if before != set(chosen):
            await tx.conn.execute(
                delete(poll_votes).where(poll_votes.c.poll_id == poll_id, poll_votes.c.user_id == user_id)
            )
            now = now_iso()
            await tx.conn.execute(
                poll_votes.insert(),
                [{"poll_id": poll_id, "option_id": o, "user_id": user_id, "created_at": now} for o in chosen],
            )
            poll = await load_poll(tx.conn, row)
            event: dict[str, Any] = {
                "poll_id": poll_id,
                "channel_id": channel_id,
                "option_ids": chosen,
                "options": [{"id": o["id"], "vote_count": o["vote_count"]} for o in poll["options"]],
                "total_votes": poll["total_votes"],
            }
            if not row["anonymous"]:
                event["user_id"] = user_id
            tx.emit("POLL_VOTE", event)
            return poll
        return await load_poll(tx.conn, row)


async def close_poll(ctx: Context, channel_id: str, poll_id: str, user_id: str) -> dict[str, Any]:
    """POST /channels/{c}/polls/{p}/close: the author, or ManageMessages → POLL_CLOSE with `closed_by`."""
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id)
        row = await _load_row(tx.conn, channel_id, poll_id, lock=True)
        if row["author_id"] != user_id:
            ca.require(P.Perm.ManageMessages)
        if row["closed"]:
            raise _closed_error()
        await tx.conn.execute(update(polls).where(polls.c.id == poll_id).values(closed=True, closed_by=user_id))
        tx.emit("POLL_CLOSE", {"poll_id": poll_id, "channel_id": channel_id, "closed_by": user_id})
        return await load_poll(tx.conn, await _load_row(tx.conn, channel_id, poll_id))


async def close_expired(ctx: Context, now: datetime | None = None) -> int:
    """Close every open poll past its expiry → POLL_CLOSE (no `closed_by`) each; returns how many."""
    moment = iso(now or utcnow())
    async with ctx.uow() as tx:
        q = select(polls.c.id, polls.c.channel_id).where(
            polls.c.closed.is_(False), polls.c.expires_at.is_not(None), polls.c.expires_at <= moment
        )
        closed = 0
        for poll_id, channel_id in list(await tx.conn.execute(q)):
            # The guard on `closed` keeps two sweepers (or a racing close) from announcing it twice.
            done = await tx.conn.execute(
                update(polls).where(polls.c.id == poll_id, polls.c.closed.is_(False)).values(closed=True)
            )
            if done.rowcount:
                tx.emit("POLL_CLOSE", {"poll_id": poll_id, "channel_id": channel_id})
                closed += 1
        return closed


async def _sweep_forever(ctx: Context) -> None:
    # One API process at a time closes polls; another takes over if it dies.
    await run_when_leader(ctx, "poll-expiry", lambda: close_expired(ctx), SWEEP_SECONDS)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(_sweep_forever(ctx), name="poll-expiry")]
