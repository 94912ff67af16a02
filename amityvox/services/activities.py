"""Activities: shared apps that run inside a channel, hosted by one user and joined by others.

The catalog holds the built-in activities below plus any an instance admin adds. A
session is bound to a channel: viewers of the channel (ViewChannel) see its events,
members who may post there (SendMessages) start and join sessions. The host is the
starter and is always a participant. Each activity says who may replace the
session's shared state: only the host, or every participant.

When the host leaves, the earliest-joined remaining participant becomes host, so a
client keeping the `participants` list in join order derives the new host itself.
When the last participant leaves, the session ends.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import activities, activity_participants, activity_sessions
from amityvox.errors import ApiError, bad_request, conflict, forbidden, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.serialize import Row

MAX_STATE_BYTES = 64 * 1024
MAX_PARTICIPANTS_LIMIT = 100
STATE_UPDATES = ("host", "participants")
ACTIVE, ENDED = "active", "ended"

# Built-ins have fixed ids that sort before any generated ULID and never change across servers.
BUILTIN_ACTIVITIES: tuple[dict[str, Any], ...] = (
    {
        "id": "00000000000000000000ACT001",
        "name": "Sketch Together",
        "description": "Draw on one shared canvas.",
        "max_participants": 16,
        "state_updates": "participants",
    },
    {
        "id": "00000000000000000000ACT002",
        "name": "Trivia Night",
        "description": "The host asks, everyone answers.",
        "max_participants": 25,
        "state_updates": "host",
    },
    {
        "id": "00000000000000000000ACT003",
        "name": "Word Chain",
        "description": "Each word starts with the last letter of the one before.",
        "max_participants": 10,
        "state_updates": "participants",
    },
    {
        "id": "00000000000000000000ACT004",
        "name": "Karaoke",
        "description": "The host picks the song and shows the lyrics.",
        "max_participants": 50,
        "state_updates": "host",
    },
)
_BUILTIN_BY_ID = {a["id"]: a for a in BUILTIN_ACTIVITIES}


# ---- shared checks (games, watch-together and music parties use them too) ---------------------


async def acting_channel(conn: AsyncConnection, channel_id: str, user_id: str) -> ChannelAccess:
    """The channel a shared session may run in, for a caller allowed to post there."""
    ca = await channel_access(conn, channel_id, user_id, need=P.Perm.SendMessages)
    if ca.channel["channel_type"] == "category":
        raise bad_request("a category cannot host a session", code="invalid_channel_type")
    return ca


def with_guild(out: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
    if guild_id is not None:
        out["guild_id"] = guild_id
    return out


def state_size_ok(state: dict[str, Any], limit: int = MAX_STATE_BYTES) -> None:
    if len(orjson.dumps(state)) > limit:
        raise ApiError(413, "payload_too_large", f"state must be at most {limit // 1024} KiB of JSON")


# ---- the catalog ----------------------------------------------------------------------------------


def activity_out(row: Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "name": row["name"],
        "max_participants": row["max_participants"],
        "state_updates": row["state_updates"],
        "builtin": row["id"] in _BUILTIN_BY_ID,
    }
    if row["description"] is not None:
        out["description"] = row["description"]
    return out


async def _find_activity(conn: AsyncConnection, activity_id: str) -> Row:
    found = _BUILTIN_BY_ID.get(activity_id)
    if found is not None:
        return found
    row = (await conn.execute(select(activities).where(activities.c.id == activity_id))).mappings().first()
    if row is None:
        raise not_found("activity")
    return row


async def list_activities(ctx: Context) -> list[dict[str, Any]]:
    """GET /activities: the built-ins, then those admins added, oldest first."""
    async with ctx.db.read() as conn:
        added = [dict(r) for r in (await conn.execute(select(activities).order_by(activities.c.id))).mappings()]
    return [activity_out(a) for a in (*BUILTIN_ACTIVITIES, *added)]


async def create_activity(
    ctx: Context,
    user_id: str,
    is_admin: bool,
    name: str,
    max_participants: int,
    state_updates: str,
    description: str | None = None,
) -> dict[str, Any]:
    """POST /activities (instance admins): add an activity to the catalog."""
    if not is_admin:
        raise forbidden("only instance admins can add activities")
    name = name.strip()
    if not name:
        raise bad_request("name must not be blank")
    if state_updates not in STATE_UPDATES:
        raise bad_request("state_updates must be 'host' or 'participants'")
    if not 1 <= max_participants <= MAX_PARTICIPANTS_LIMIT:
        raise bad_request(f"max_participants must be from 1 to {MAX_PARTICIPANTS_LIMIT}")
    values = {
        "id": new_id(),
        "name": name,
        "description": (description or "").strip() or None,
        "max_participants": max_participants,
        "state_updates": state_updates,
        "creator_id": user_id,
        "created_at": now_iso(),
    }
    async with ctx.uow() as tx:
        await tx.conn.execute(insert(activities).values(**values))
    return activity_out(values)


# ---- sessions -------------------------------------------------------------------------------------


async def _participants(conn: AsyncConnection, session_id: str) -> list[str]:
    q = (
        select(activity_participants.c.user_id)
        .where(activity_participants.c.session_id == session_id)
        .order_by(activity_participants.c.joined_at, activity_participants.c.user_id)
    )
    return list(await conn.scalars(q))


def session_out(row: Row, participants: list[str]) -> dict[str, Any]:
    """ACTIVITY_SESSION_START / _END and the REST answer."""
    out = {
        "id": row["id"],
        "activity_id": row["activity_id"],
        "channel_id": row["channel_id"],
        "host_id": row["host_id"],
        "participants": participants,
        "state": row["state"],
        "status": row["status"],
        "started_at": row["started_at"],
    }
    return with_guild(out, row["guild_id"])


async def _session_row(conn: AsyncConnection, session_id: str, *, lock: bool = False) -> Row:
    q = select(activity_sessions).where(activity_sessions.c.id == session_id)
    if lock:
        q = q.with_for_update()
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("activity session")
    return row


async def _reload(conn: AsyncConnection, session_id: str) -> dict[str, Any]:
    return session_out(await _session_row(conn, session_id), await _participants(conn, session_id))


def _require_active(row: Row) -> None:
    if row["status"] != ACTIVE:
        raise conflict("the activity session has ended", code="session_ended")


async def _visible_session(
    conn: AsyncConnection, session_id: str, user_id: str, need: int, *, lock: bool = False
) -> tuple[Row, ChannelAccess]:
    """The session and the caller's access to its channel; 404 for those who cannot view it.

    Writers lock the row, so concurrent joins cannot overfill a session.
    """
    row = await _session_row(conn, session_id, lock=lock)
    try:
        ca = await channel_access(conn, row["channel_id"], user_id)
    except ApiError as exc:
        if exc.status == 404:
            raise not_found("activity session") from None
        raise
    if need:
        ca.require(need)
    return row, ca


async def get_session(ctx: Context, session_id: str, user_id: str) -> dict[str, Any]:
    """GET /activities/sessions/{s} (ViewChannel)."""
    async with ctx.db.read() as conn:
        await _visible_session(conn, session_id, user_id, 0)
        return await _reload(conn, session_id)


async def start_session(ctx: Context, activity_id: str, channel_id: str, user_id: str) -> dict[str, Any]:
    """POST /activities/{a}/sessions (SendMessages) → ACTIVITY_SESSION_START; the starter hosts."""
    async with ctx.uow() as tx:
        activity = await _find_activity(tx.conn, activity_id)
        ca = await acting_channel(tx.conn, channel_id, user_id)
        now = now_iso()
        values = {
            "id": new_id(),
            "activity_id": activity["id"],
            "channel_id": channel_id,
            "guild_id": ca.guild_id,
            "host_id": user_id,
            "state": {},
            "status": ACTIVE,
            "started_at": now,
        }
        await tx.conn.execute(insert(activity_sessions).values(**values))
        await tx.conn.execute(
            insert(activity_participants).values(session_id=values["id"], user_id=user_id, joined_at=now)
        )
        session = await _reload(tx.conn, values["id"])
        tx.emit("ACTIVITY_SESSION_START", session)
        return session


def _participant_event(row: Row, user_id: str) -> dict[str, Any]:
    return {"session_id": row["id"], "user_id": user_id, "channel_id": row["channel_id"]}


async def join_session(ctx: Context, session_id: str, user_id: str) -> dict[str, Any]:
    """POST /activities/sessions/{s}/join (SendMessages) → ACTIVITY_PARTICIPANT_JOIN.

    Joining a session one is already in changes nothing and publishes nothing.
    """
    async with ctx.uow() as tx:
        row, _ = await _visible_session(tx.conn, session_id, user_id, P.Perm.SendMessages, lock=True)
        _require_active(row)
        present = await _participants(tx.conn, session_id)
        if user_id in present:
            return session_out(row, present)
        activity = await _find_activity(tx.conn, row["activity_id"])
        if len(present) >= activity["max_participants"]:
            raise conflict(f"the session is full ({activity['max_participants']} participants)", code="session_full")
        await tx.conn.execute(
            insert(activity_participants).values(session_id=session_id, user_id=user_id, joined_at=now_iso())
        )
        tx.emit("ACTIVITY_PARTICIPANT_JOIN", _participant_event(row, user_id))
        return session_out(row, [*present, user_id])


async def _end(tx: Any, row: Row) -> dict[str, Any]:
    await tx.conn.execute(
        update(activity_sessions).where(activity_sessions.c.id == row["id"]).values(status=ENDED, ended_at=now_iso())
    )
    session = await _reload(tx.conn, row["id"])
    tx.emit("ACTIVITY_SESSION_END", session)
    return session


async def leave_session(ctx: Context, session_id: str, user_id: str) -> dict[str, Any]:
    """POST /activities/sessions/{s}/leave → ACTIVITY_PARTICIPANT_LEAVE (and _SESSION_END if it empties).

    A participant may always leave, even after losing the right to post in the channel.
    """
    async with ctx.uow() as tx:
        row = await _session_row(tx.conn, session_id, lock=True)
        present = await _participants(tx.conn, session_id)
        if user_id not in present:
            await _visible_session(tx.conn, session_id, user_id, 0)  # 404 for those who cannot see it
            raise conflict("you are not in this activity session", code="not_a_participant")
        _require_active(row)
        await tx.conn.execute(
            activity_participants.delete().where(
                activity_participants.c.session_id == session_id, activity_participants.c.user_id == user_id
            )
        )
        tx.emit("ACTIVITY_PARTICIPANT_LEAVE", _participant_event(row, user_id))
        remaining = [p for p in present if p != user_id]
        if not remaining:
            return await _end(tx, row)
        if row["host_id"] == user_id:
            await tx.conn.execute(
                update(activity_sessions).where(activity_sessions.c.id == session_id).values(host_id=remaining[0])
            )
        return await _reload(tx.conn, session_id)


async def end_session(ctx: Context, session_id: str, user_id: str) -> dict[str, Any]:
    """POST /activities/sessions/{s}/end → ACTIVITY_SESSION_END; the host or a channel moderator."""
    async with ctx.uow() as tx:
        row, ca = await _visible_session(tx.conn, session_id, user_id, 0, lock=True)
        if row["host_id"] != user_id and not P.has(ca.perms, P.Perm.ManageMessages):
            raise forbidden("only the host can end this activity session", code="not_host")
        _require_active(row)
        return await _end(tx, row)


async def update_state(ctx: Context, session_id: str, user_id: str, state: dict[str, Any]) -> dict[str, Any]:
    """PATCH /activities/sessions/{s}/state → ACTIVITY_STATE_UPDATE; replaces the whole state.

    Who may write is the activity's rule: the host only, or any participant.
    """
    state_size_ok(state)
    async with ctx.uow() as tx:
        row, _ = await _visible_session(tx.conn, session_id, user_id, P.Perm.SendMessages, lock=True)
        _require_active(row)
        activity = await _find_activity(tx.conn, row["activity_id"])
        if activity["state_updates"] == "host":
            if row["host_id"] != user_id:
                raise forbidden("only the host can change this activity's state", code="not_host")
        else:
            q = select(func.count()).where(
                activity_participants.c.session_id == session_id, activity_participants.c.user_id == user_id
            )
            if not await tx.conn.scalar(q):
                raise forbidden("join the activity session to change its state", code="not_a_participant")
        await tx.conn.execute(update(activity_sessions).where(activity_sessions.c.id == session_id).values(state=state))
        tx.emit("ACTIVITY_STATE_UPDATE", {"session_id": session_id, "state": state, "channel_id": row["channel_id"]})
        return await _reload(tx.conn, session_id)
