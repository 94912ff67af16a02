"""Notifications: what happened that concerns a user, kept until they read or delete it.

A bus subscriber turns events into notifications, each published as NOTIFICATION_CREATE
to its owner alone:

- a message mentioning the user (directly, through a role they hold, or @here/@everyone)
  in a channel they can view — `mention`;
- a reply to one of their messages — `reply`;
- a message in a DM or group they are in — `dm`;
- any other message in a channel whose notification level they set to `all` — `message`;
- a reaction to one of their messages — `reaction` (once per reactor, message and emoji
  while unread);
- a friend request sent to them — `friend_request` (once per sender while unread).

A user's channel notification preference (services/notification_prefs.py) can add the
`message` kind, keep only mentions and replies, or mute the channel altogether.

A user gets at most one notification per message (mention over reply over dm), never
for their own actions, and none from someone they blocked. Everything is read from the
event payloads themselves (a DM message has no guild_id, and none is invented). An event
handled a second time (the bus delivers at least once) creates nothing more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.bus.base import Envelope
from amityvox.context import Context
from amityvox.db.schema import (
    channel_recipients,
    channels,
    guild_members,
    member_roles,
    messages,
    notifications,
    relationships,
    roles,
)
from amityvox.errors import bad_request, not_found
from amityvox.ids import SYSTEM_USER_ID, is_ulid, new_id, now_iso
from amityvox.services import notification_prefs
from amityvox.services.access import timed_out
from amityvox.services.reacts import reacts_to
from amityvox.services.serialize import Row, load_guild_row, load_overwrites, notification_out
from amityvox.uow import UnitOfWork

PAGE_DEFAULT = 50
PAGE_MAX = 100
PREVIEW = 200  # characters of the message kept in a notification
# A user's notification kinds for one message, strongest first.
_RANK = {"mention": 0, "reply": 1, "dm": 2, "message": 3}

WORKER_QUEUE = "notifications"  # one API process handles each event when several share the bus


# ---- who may see a channel ------------------------------------------------------------------


async def _viewers(conn: AsyncConnection, channel: Row, candidates: set[str] | None) -> set[str]:
    """Among `candidates` (None: everyone in the channel's guild or call), those who can view it."""
    if channel["guild_id"] is None:
        q = select(channel_recipients.c.user_id).where(channel_recipients.c.channel_id == channel["id"])
        recipients = set(await conn.scalars(q))
        return recipients if candidates is None else recipients & candidates
    guild = await load_guild_row(conn, channel["guild_id"])
    mq = select(guild_members.c.user_id, guild_members.c.timeout_until).where(guild_members.c.guild_id == guild["id"])
    rq = (
        select(
            member_roles.c.user_id, roles.c.id, roles.c.permissions_allow, roles.c.permissions_deny, roles.c.position
        )
        .join(roles, roles.c.id == member_roles.c.role_id)
        .where(member_roles.c.guild_id == guild["id"])
    )
    if candidates is not None:
        mq = mq.where(guild_members.c.user_id.in_(candidates))
        rq = rq.where(member_roles.c.user_id.in_(candidates))
    held: dict[str, list[P.RoleBits]] = {}
    for r in await conn.execute(rq):
        held.setdefault(r.user_id, []).append(P.RoleBits(r.id, r.permissions_allow, r.permissions_deny, r.position))
    source = channel["parent_channel_id"] or channel["id"]
    overwrites = [
        P.Overwrite(o["target_id"], o["target_type"], o["allow"], o["deny"])
        for o in await load_overwrites(conn, source)
    ]
    out = set()
    for m in (await conn.execute(mq)).mappings():
        perms = P.channel_permissions(
            user_id=m["user_id"],
            guild_id=guild["id"],
            owner_id=guild["owner_id"],
            base=guild["default_permissions"],
            member_roles=held.get(m["user_id"], []),
            overwrites=overwrites,
            timed_out=timed_out(m),
        )
        if perms & P.Perm.ViewChannel:
            out.add(m["user_id"])
    return out


async def _blocking(conn: AsyncConnection, users: Iterable[str], actor_id: str) -> set[str]:
    """Those of `users` who blocked `actor_id`."""
    q = select(relationships.c.user_id).where(
        relationships.c.target_id == actor_id,
        relationships.c.type == "blocked",
        relationships.c.user_id.in_(list(users)),
    )
    return set(await conn.scalars(q))


# ---- creating -------------------------------------------------------------------------------


async def _create(tx: UnitOfWork, user_id: str, kind: str, **fields: str | None) -> None:
    row = {
        "id": new_id(),
        "user_id": user_id,
        "type": kind,
        "guild_id": fields.get("guild_id"),
        "channel_id": fields.get("channel_id"),
        "message_id": fields.get("message_id"),
        "actor_id": fields.get("actor_id"),
        "content": fields.get("content"),
        "read": False,
        "created_at": now_iso(),
    }
    await tx.conn.execute(notifications.insert().values(**row))
    tx.emit("NOTIFICATION_CREATE", notification_out(row))


async def on_message(ctx: Context, m: dict[str, Any]) -> None:
    """MESSAGE_CREATE → mention / reply / dm notifications."""
    author_id = m["author_id"]
    if author_id == SYSTEM_USER_ID:
        return
    # Most messages notify nobody: deciding that reads, so it never waits for the writer.
    async with ctx.db.read() as conn:
        wanted = await _wanted(conn, m)
    if not wanted:
        return
    async with ctx.uow() as tx:
        channel = await _channel(tx.conn, m["channel_id"])
        if channel is None:
            return
        allowed = await _viewers(tx.conn, channel, set(wanted)) - await _blocking(tx.conn, wanted, author_id)
        # The same MESSAGE_CREATE handled again (replayed after a restart) adds nobody twice.
        q = select(notifications.c.user_id).where(
            notifications.c.message_id == m["id"], notifications.c.type.in_(list(_RANK))
        )
        allowed -= set(await tx.conn.scalars(q))
        preview = m.get("content", "")[:PREVIEW] or None
        for user_id in sorted(allowed):
            await _create(
                tx,
                user_id,
                wanted[user_id],
                guild_id=m.get("guild_id"),
                channel_id=channel["id"],
                message_id=m["id"],
                actor_id=author_id,
                content=preview,
            )


async def _channel(conn: AsyncConnection, channel_id: str) -> Row | None:
    return (await conn.execute(select(channels).where(channels.c.id == channel_id))).mappings().first()


async def _wanted(conn: AsyncConnection, m: dict[str, Any]) -> dict[str, str]:
    """user id → the notification kind `m` gives them, by mentions, replies and their preferences."""
    guild_id, channel_id = m.get("guild_id"), m["channel_id"]
    wanted: dict[str, str] = {}

    async def everyone() -> set[str]:
        channel = await _channel(conn, channel_id)
        return set() if channel is None else await _viewers(conn, channel, None)

    def want(users: Iterable[str], kind: str) -> None:
        for u in users:
            if u not in wanted or _RANK[kind] < _RANK[wanted[u]]:
                wanted[u] = kind

    if guild_id is None:
        want(await everyone(), "dm")
    if m.get("reply_to_ids"):
        replied = messages.c.id.in_(m["reply_to_ids"])
        q = select(messages.c.author_id).where(replied, messages.c.channel_id == channel_id)
        want(await conn.scalars(q), "reply")
    want(m.get("mention_user_ids", []), "mention")
    if m.get("mention_role_ids") and guild_id is not None:
        q = select(member_roles.c.user_id).where(
            member_roles.c.guild_id == guild_id, member_roles.c.role_id.in_(m["mention_role_ids"])
        )
        want(await conn.scalars(q), "mention")
    if m.get("mention_here"):
        want(await everyone(), "mention")
    for user_id, level in (await notification_prefs.effective(conn, channel_id, wanted)).items():
        if level == "all":
            want([user_id], "message")
        elif level == "none" or wanted.get(user_id) in ("dm", "message"):
            wanted.pop(user_id, None)
    wanted.pop(m["author_id"], None)
    return wanted


async def on_reaction(ctx: Context, d: dict[str, Any]) -> None:
    """MESSAGE_REACTION_ADD → a `reaction` notification to the message's author."""
    async with ctx.uow() as tx:
        q = select(messages.c.author_id).where(messages.c.id == d["message_id"])
        author_id = await tx.conn.scalar(q)
        reactor = d["user_id"]
        if author_id is None or author_id in (reactor, SYSTEM_USER_ID):
            return
        channel = await _channel(tx.conn, d["channel_id"])
        if channel is None or author_id not in await _viewers(tx.conn, channel, {author_id}):
            return
        if await _blocking(tx.conn, [author_id], reactor):
            return
        dup = select(notifications.c.id).where(
            notifications.c.user_id == author_id,
            notifications.c.type == "reaction",
            notifications.c.message_id == d["message_id"],
            notifications.c.actor_id == reactor,
            notifications.c.content == d["emoji"],
            notifications.c.read.is_(False),
        )
        if await tx.conn.scalar(dup.limit(1)) is not None:
            return
        await _create(
            tx,
            author_id,
            "reaction",
            guild_id=d.get("guild_id"),
            channel_id=d["channel_id"],
            message_id=d["message_id"],
            actor_id=reactor,
            content=d["emoji"],
        )


async def on_relationship(ctx: Context, d: dict[str, Any]) -> None:
    """RELATIONSHIP_ADD seen from the receiving side (`pending_incoming`) → `friend_request`."""
    if d["type"] != "pending_incoming":
        return
    async with ctx.uow() as tx:
        dup = select(notifications.c.id).where(  # once per sender while unread, replays included
            notifications.c.user_id == d["user_id"],
            notifications.c.type == "friend_request",
            notifications.c.actor_id == d["target_id"],
            notifications.c.read.is_(False),
        )
        if await tx.conn.scalar(dup.limit(1)) is not None:
            return
        await _create(tx, d["user_id"], "friend_request", actor_id=d["target_id"])


_HANDLERS = {
    "MESSAGE_CREATE": on_message,
    "MESSAGE_REACTION_ADD": on_reaction,
    "RELATIONSHIP_ADD": on_relationship,
}


@reacts_to(*_HANDLERS, queue=WORKER_QUEUE)
async def _notify(ctx: Context, env: Envelope) -> None:
    await _HANDLERS[env.name](ctx, env.data)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    """Subscribe the notification makers; each event is handled in its own transaction."""
    await _notify.subscribe(ctx)
    return []


# ---- the owner's view -----------------------------------------------------------------------


async def _own(conn: AsyncConnection, user_id: str, notification_id: str) -> Row:
    """The caller's notification; anyone else's is 404, as if it did not exist."""
    if not is_ulid(notification_id):
        raise not_found("notification")
    q = select(notifications).where(notifications.c.id == notification_id.upper(), notifications.c.user_id == user_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("notification")
    return row


async def list_notifications(
    ctx: Context, user_id: str, *, before: str | None = None, limit: int = PAGE_DEFAULT, unread: bool = False
) -> list[dict[str, Any]]:
    """GET /notifications: newest first; `before` pages back by id; `unread` keeps the unread ones."""
    if before is not None and not is_ulid(before):
        raise bad_request("before must be a notification id")
    q = select(notifications).where(notifications.c.user_id == user_id)
    if before is not None:
        q = q.where(notifications.c.id < before.upper())
    if unread:
        q = q.where(notifications.c.read.is_(False))
    q = q.order_by(notifications.c.id.desc()).limit(limit)
    async with ctx.db.read() as conn:
        return [notification_out(r) for r in (await conn.execute(q)).mappings()]


async def set_read(ctx: Context, user_id: str, notification_id: str, read: bool) -> dict[str, Any]:
    """PATCH /notifications/{id} {read} → NOTIFICATION_UPDATE when it changes."""
    async with ctx.uow() as tx:
        row = await _own(tx.conn, user_id, notification_id)
        out = notification_out({**row, "read": read})
        if row["read"] != read:
            await tx.conn.execute(update(notifications).where(notifications.c.id == row["id"]).values(read=read))
            tx.emit("NOTIFICATION_UPDATE", out)
        return out


async def delete_one(ctx: Context, user_id: str, notification_id: str) -> None:
    """DELETE /notifications/{id} → NOTIFICATION_DELETE."""
    async with ctx.uow() as tx:
        row = await _own(tx.conn, user_id, notification_id)
        await tx.conn.execute(delete(notifications).where(notifications.c.id == row["id"]))
        tx.emit("NOTIFICATION_DELETE", {"id": row["id"], "user_id": user_id})


async def mark_all_read(ctx: Context, user_id: str) -> int:
    """POST /notifications/mark-all-read → NOTIFICATION_MARK_ALL_READ with how many changed (if any did)."""
    async with ctx.uow() as tx:
        result = await tx.conn.execute(
            update(notifications)
            .where(notifications.c.user_id == user_id, notifications.c.read.is_(False))
            .values(read=True)
        )
        updated = int(result.rowcount or 0)
        if updated:
            tx.emit("NOTIFICATION_MARK_ALL_READ", {"updated": updated, "user_id": user_id})
        return updated


async def clear_all(ctx: Context, user_id: str) -> int:
    """DELETE /notifications → NOTIFICATION_CLEAR_ALL (if there was anything to clear)."""
    async with ctx.uow() as tx:
        result = await tx.conn.execute(delete(notifications).where(notifications.c.user_id == user_id))
        removed = int(result.rowcount or 0)
        if removed:
            tx.emit("NOTIFICATION_CLEAR_ALL", {"user_id": user_id})
        return removed
