"""Messages: post, read, edit and delete, with mentions, replies, slowmode and locked channels.

Every write runs in one unit of work and publishes its event after commit:
MESSAGE_CREATE, MESSAGE_UPDATE, MESSAGE_DELETE and MESSAGE_DELETE_BULK, each to the
channel's viewers. Messages in DMs and groups work the same; their payloads simply
carry no `guild_id`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.hot import HotStatement
from amityvox.db.schema import (
    channels,
    guild_members,
    message_mentions,
    messages,
    reactions,
    read_states,
    roles,
    users,
)
from amityvox.db.upserts import upsert
from amityvox.errors import bad_request, forbidden, not_found
from amityvox.events import payloads
from amityvox.ids import SYSTEM_USER_ID, is_ulid, iso, new_id, now_iso, utcnow
from amityvox.services import dms, history, instance, media, raid, slowmode
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.serialize import Row, message_out, webhook_user
from amityvox.services.users import public_user
from amityvox.uow import UnitOfWork

MAX_CONTENT = instance.MAX_MESSAGE_LENGTH  # instances may allow less (services/instance.py)
MAX_REPLIES = 5
MAX_NONCE = 64
MAX_EMBEDS = 10
MAX_MENTIONS = 100
PAGE_DEFAULT = 50
PAGE_MAX = 100
BULK_MIN = 2
BULK_MAX = 100
# Channel types that have no message stream of their own.
NO_MESSAGES = frozenset({"voice", "stage", "category"})
# A guild's system messages (a member joined) go to one of its text or announcement channels.
SYSTEM_CHANNEL_TYPES = frozenset({"text", "announcement"})
GUILD_MEMBER_JOIN = "guild_member_join"

_ULID = r"[0-9A-HJKMNP-TV-Z]{26}"
USER_MENTION = re.compile(rf"<@!?({_ULID})>")
ROLE_MENTION = re.compile(rf"<@&({_ULID})>")
HERE_MENTION = re.compile(r"(?<![\w<])@(?:here|everyone)\b")


# ---- checks ---------------------------------------------------------------------------------


def require_message_channel(ca: ChannelAccess) -> None:
    """Voice, stage and category channels hold no messages."""
    if ca.channel["channel_type"] in NO_MESSAGES:
        raise bad_request(f"{ca.channel['channel_type']} channels do not hold messages", code="invalid_channel_type")


def require_unlocked(ca: ChannelAccess) -> None:
    """In a locked channel only moderators may add or change messages."""
    if ca.channel["locked"] and not ca.is_moderator:
        raise forbidden("this channel is locked; only moderators may post", code="channel_locked")


def check_content(content: str, *, has_extras: bool, limit: int = MAX_CONTENT) -> str:
    """`limit`: the instance's message length (services/instance.py), never above MAX_CONTENT."""
    limit = min(limit, MAX_CONTENT)
    if len(content) > limit:
        raise bad_request(f"content must be at most {limit} characters")
    if not content.strip() and not has_extras:
        raise bad_request("a message needs content, attachments or embeds", code="empty_message")
    return content


def check_embeds(embeds: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Embeds as stored: each one valid against `Embed`, every URL in it http(s), at most MAX_EMBEDS."""
    return _check_objects(embeds, payloads.Embed, "embeds", MAX_EMBEDS)


def _check_objects(items: Sequence[dict[str, Any]], model: type[BaseModel], what: str, limit: int) -> list[Any]:
    if len(items) > limit:
        raise bad_request(f"at most {limit} {what} per message")
    out = []
    for i, item in enumerate(items):
        try:
            parsed = model.model_validate(item, strict=True)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "item"
            raise bad_request(f"{what}[{i}].{where}: {first['msg']}") from None
        dumped = parsed.model_dump(exclude_none=True)
        bad = _non_web_url(dumped)
        if bad is not None:
            raise bad_request(f"{what}[{i}].{bad} must be an http(s) URL")
        out.append(dumped)
    return out


def _is_url_field(name: str) -> bool:
    return name in ("url", "image", "thumbnail", "icon") or name.endswith("_url")


def _non_web_url(item: dict[str, Any], where: str = "") -> str | None:
    """The path of the first URL field (at any depth) that is not http(s): clients render them as
    links and images, so `javascript:` or `data:` must never get in."""
    for key, value in item.items():
        path = f"{where}{key}"
        if isinstance(value, dict):
            found = _non_web_url(value, f"{path}.")
            if found is not None:
                return found
        elif _is_url_field(key) and not (isinstance(value, str) and value.lower().startswith(("https://", "http://"))):
            return path
    return None


def check_cursor(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not is_ulid(value):
        raise bad_request(f"{name} must be a message id")
    return value.upper()


def check_message_id(message_id: str) -> str:
    """Path ids that are not ULIDs cannot name a message: 404 like any other unknown id."""
    if not is_ulid(message_id):
        raise not_found("message")
    return message_id.upper()


# ---- mentions -------------------------------------------------------------------------------


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))[:MAX_MENTIONS]


async def parse_mentions(conn: AsyncConnection, ca: ChannelAccess, content: str) -> tuple[list[str], list[str], bool]:
    """(user ids, role ids, mention_here) for `content` posted by someone with `ca`'s permissions.

    `<@id>` counts only for users that exist, `<@&id>` only for roles of this guild, and
    `@here`/`@everyone` only for authors holding MentionHere (silently ignored otherwise).
    """
    wanted_users = _unique(USER_MENTION.findall(content))
    user_ids: list[str] = []
    if wanted_users:
        q = select(users.c.id).where(users.c.id.in_(wanted_users), users.c.deleted_at.is_(None))
        found = set(await conn.scalars(q))
        user_ids = [u for u in wanted_users if u in found]
    wanted_roles = _unique(ROLE_MENTION.findall(content))
    role_ids: list[str] = []
    if wanted_roles and ca.guild_id is not None:
        q = select(roles.c.id).where(roles.c.id.in_(wanted_roles), roles.c.guild_id == ca.guild_id)
        found = set(await conn.scalars(q))
        role_ids = [r for r in wanted_roles if r in found]
    here = bool(HERE_MENTION.search(content)) and P.has(ca.perms, P.Perm.MentionHere)
    return user_ids, role_ids, here


async def _store_mentions(
    conn: AsyncConnection, message_id: str, channel_id: str, user_ids: list[str], role_ids: list[str], *, new: bool
) -> None:
    """Replace the message's mention rows (a `new` message has none yet)."""
    if not new:
        await conn.execute(delete(message_mentions).where(message_mentions.c.message_id == message_id))
    rows = [
        {"message_id": message_id, "channel_id": channel_id, "target_id": t, "target_type": kind}
        for kind, ids in (("user", user_ids), ("role", role_ids))
        for t in ids
    ]
    if rows:
        await conn.execute(message_mentions.insert(), rows)


# ---- loading and rendering ------------------------------------------------------------------


async def load_message_row(conn: AsyncConnection, channel_id: str, message_id: str) -> Row:
    """The message row, 404 unless it exists in this very channel."""
    q = select(messages).where(messages.c.id == check_message_id(message_id), messages.c.channel_id == channel_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("message")
    return row


def _missing_author(author_id: str, created_at: str) -> dict[str, Any]:
    """Authors without a user row (the system author) still render as a valid User."""
    name = "system" if author_id == SYSTEM_USER_ID else "unknown"
    return {"id": author_id, "username": name, "status_presence": "offline", "flags": 0, "created_at": created_at}


_REACTION_SUMMARIES = (
    select(
        reactions.c.message_id,
        reactions.c.emoji,
        func.count().label("n"),
        func.max(case((reactions.c.user_id == bindparam("viewer"), 1), else_=0)).label("me"),
        func.min(reactions.c.created_at).label("first"),
    )
    .where(reactions.c.message_id.in_(bindparam("ids", expanding=True)))
    .group_by(reactions.c.message_id, reactions.c.emoji)
    .order_by(reactions.c.message_id, "first", reactions.c.emoji)
)


async def reaction_summaries(
    conn: AsyncConnection, message_ids: Sequence[str], viewer_id: str | None
) -> dict[str, list[dict[str, Any]]]:
    """`[{emoji, count, me}]` per message, emoji in the order they were first used."""
    if not message_ids:
        return {}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in await conn.execute(_REACTION_SUMMARIES, {"ids": list(message_ids), "viewer": viewer_id or ""}):
        out[r.message_id].append({"emoji": r.emoji, "count": int(r.n), "me": bool(r.me)})
    return out


# Built once (see services/serialize.py): every post and every page of history runs these.
_AUTHORS = HotStatement(select(users).where(users.c.id.in_(bindparam("ids", expanding=True))))
_INSERT = messages.insert().returning(*messages.c)  # the row as stored, without reading it back
_LAST_MESSAGE = update(channels).where(channels.c.id == bindparam("c")).values(last_message_id=bindparam("m"))
_LAST_ACTIVE = (
    update(guild_members)
    .where(guild_members.c.guild_id == bindparam("g"), guild_members.c.user_id == bindparam("u"))
    .values(last_active_at=bindparam("at"))
)
# Pruning counts inactivity in days: a mark under an hour old is current enough, so a member
# chatting away costs one write an hour here rather than one a message.
ACTIVITY_PRECISION = timedelta(hours=1)


def _stale_activity(last_active_at: str | None) -> bool:
    return last_active_at is None or last_active_at < iso(utcnow() - ACTIVITY_PRECISION)


async def render(
    conn: AsyncConnection,
    rows: Sequence[Row],
    viewer_id: str | None,
    nonce: str | None = None,
    *,
    new: bool = False,
) -> list[dict[str, Any]]:
    """Whole Message objects for `rows`; `me` in reactions is for `viewer_id` (None: false everywhere,
    as in events, where reaction events carry `user_id` so each client derives `me` itself).
    `new`: the rows were inserted in this transaction, so nobody has reacted to them yet."""
    if not rows:
        return []
    author_ids = list({r["author_id"] for r in rows})
    authors = {u["id"]: public_user(u) for u in await _AUTHORS.rows(conn, {"ids": author_ids})}
    summaries = {} if new else await reaction_summaries(conn, [r["id"] for r in rows], viewer_id)
    files = await media.attachments_for(conn, [r["id"] for r in rows if r["attachments"]])
    return [
        message_out(
            r,
            webhook_user(r)
            if r["webhook_id"]
            else authors.get(r["author_id"]) or _missing_author(r["author_id"], r["created_at"]),
            summaries.get(r["id"], []),
            nonce,
            files.get(r["id"]),
        )
        for r in rows
    ]


async def load_message(
    conn: AsyncConnection, channel_id: str, message_id: str, viewer_id: str | None
) -> dict[str, Any]:
    """One whole Message as `viewer_id` sees it."""
    return (await render(conn, [await load_message_row(conn, channel_id, message_id)], viewer_id))[0]


# ---- writes ---------------------------------------------------------------------------------


async def advance_read_state(conn: AsyncConnection, user_id: str, channel_id: str, message_id: str) -> None:
    """Set the user's read position in a channel (posting reads everything up to one's own message)."""
    await upsert(
        conn,
        read_states,
        ("user_id", "channel_id"),
        {"user_id": user_id, "channel_id": channel_id, "last_message_id": message_id, "mention_count": 0},
        ("last_message_id",),
    )


async def create_message(
    ctx: Context,
    channel_id: str,
    author_id: str,
    content: str,
    *,
    nonce: str | None = None,
    reply_to_ids: Sequence[str] | None = None,
    attachments: Sequence[Any] | None = None,
    embeds: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """POST /channels/{c}/messages → MESSAGE_CREATE (the whole Message, `nonce` echoed).

    Needs ViewChannel and SendMessages (plus UploadFiles for attachments and EmbedLinks
    for embeds). `attachments` names the author's uploads (services/media.py). Also advances
    the channel's `last_message_id`, the author's `last_active_at` in the guild (to within
    ACTIVITY_PRECISION) and the author's own read state.
    """
    if nonce is not None and len(nonce) > MAX_NONCE:
        raise bad_request(f"nonce must be at most {MAX_NONCE} characters")
    replies = list(dict.fromkeys(r.upper() for r in reply_to_ids or ()))
    if len(replies) > MAX_REPLIES:
        raise bad_request(f"a message may reply to at most {MAX_REPLIES} messages")
    async with ctx.uow() as tx:
        conn = tx.conn
        ca = await channel_access(conn, channel_id, author_id, need=P.Perm.SendMessages)
        require_message_channel(ca)
        require_unlocked(ca)
        await dms.require_unblocked(conn, ca.channel, author_id)
        await raid.require_may_post(conn, ca, author_id)
        if attachments:
            ca.require(P.Perm.UploadFiles)
        if embeds:
            ca.require(P.Perm.EmbedLinks)
        files = media.attachment_ids(attachments or [])
        stored_files = await media.check_attachable(ctx, conn, author_id, channel_id, ca.guild_id, files)
        links = check_embeds(embeds or [])
        limit = (await instance.current(ctx)).max_message_length
        check_content(content, has_extras=bool(files or links), limit=limit)
        if replies:
            if not all(is_ulid(r) for r in replies):
                raise bad_request("reply_to_ids must be message ids")
            q = select(func.count()).where(messages.c.id.in_(replies), messages.c.channel_id == channel_id)
            if await conn.scalar(q) != len(replies):
                raise bad_request("reply_to_ids must name messages of this channel", code="unknown_message")
        await slowmode.check_and_mark(conn, ca, author_id)
        mentions = await parse_mentions(conn, ca, content)
        message = await post(
            tx, ca, author_id, content, mentions, embeds=links, files=files, stored_files=stored_files,
            replies=replies, nonce=nonce,
        )  # fmt: skip
        if ca.guild_access is not None and _stale_activity(ca.guild_access.member["last_active_at"]):
            await conn.execute(_LAST_ACTIVE, {"g": ca.guild_id, "u": author_id, "at": message["created_at"]})
        await advance_read_state(conn, author_id, channel_id, message["id"])
        return message


async def post(
    tx: UnitOfWork,
    ca: ChannelAccess,
    author_id: str,
    content: str,
    mentions: tuple[list[str], list[str], bool],
    *,
    embeds: list[dict[str, Any]],
    files: Sequence[str] = (),
    stored_files: list[dict[str, Any]] | None = None,
    replies: Sequence[str] = (),
    nonce: str | None = None,
    webhook: dict[str, Any] | None = None,
    interaction: dict[str, Any] | None = None,
    flags: int = 0,
    message_type: str = "default",
) -> dict[str, Any]:
    """Store a message whose poster has been checked, with its mentions and files, move the channel's
    `last_message_id` → MESSAGE_CREATE. Every way of posting ends here (a member's message above,
    a webhook's in services/webhooks.py, a bot's answer to a command in services/interactions.py,
    a join message in `post_join_message`). `webhook`: `{id, username, avatar_url?}` it is posted
    as; `interaction`: `{id, name, user_id}` of the command use it answers."""
    conn = tx.conn
    channel_id = ca.channel["id"]
    user_ids, role_ids, here = mentions
    message_id = new_id()
    values = {
        "id": message_id,
        "channel_id": channel_id,
        "guild_id": ca.guild_id,
        "author_id": author_id,
        "content": content,
        "message_type": message_type,
        "flags": flags,
        "reply_to_ids": list(replies) or None,
        "mention_user_ids": user_ids,
        "mention_role_ids": role_ids,
        "mention_here": here,
        "attachments": stored_files or [],
        "embeds": embeds,
        "pinned": False,
        "created_at": now_iso(),
        "webhook_id": webhook["id"] if webhook else None,
        "webhook_author": {k: v for k, v in webhook.items() if k != "id"} if webhook else None,
        "interaction": interaction,
    }
    row = (await conn.execute(_INSERT, values)).mappings().one()
    await _store_mentions(conn, message_id, channel_id, user_ids, role_ids, new=True)
    if files:
        await media.attach(conn, message_id, channel_id, ca.guild_id, list(files))
    await conn.execute(_LAST_MESSAGE, {"c": channel_id, "m": message_id})
    message = (await render(conn, [row], author_id, nonce, new=True))[0]
    tx.emit("MESSAGE_CREATE", message)
    return message


async def post_join_message(tx: UnitOfWork, guild: Row, user_id: str) -> None:
    """A `guild_member_join` message by the new member in the guild's system channel, when it has
    one → MESSAGE_CREATE. The channel's own permissions do not apply: the server posts it."""
    channel_id = guild["system_channel_id"]
    if channel_id is None:
        return
    channel = (await tx.conn.execute(_CHANNEL_ROW, {"c": channel_id})).mappings().first()
    if channel is None or channel["guild_id"] != guild["id"] or channel["channel_type"] not in SYSTEM_CHANNEL_TYPES:
        return
    ca = ChannelAccess(channel=channel, perms=0, guild_access=None)
    await post(tx, ca, user_id, "", ([], [], False), embeds=[], message_type=GUILD_MEMBER_JOIN)


_CHANNEL_ROW = select(channels).where(channels.c.id == bindparam("c"))


# The pages of history, built once (see services/serialize.py). `after` pages run oldest first,
# bounded above by `before` when given; the others run newest first.
_IN_CHANNEL = select(messages).where(messages.c.channel_id == bindparam("c"))
_NEWEST_FIRST = messages.c.id.desc()
_OLDEST_FIRST_AFTER = _IN_CHANNEL.where(messages.c.id > bindparam("after")).order_by(messages.c.id.asc())
_PAGE_NEWEST = HotStatement(_IN_CHANNEL.order_by(_NEWEST_FIRST).limit(bindparam("n")))
_PAGE_BEFORE = HotStatement(
    _IN_CHANNEL.where(messages.c.id < bindparam("before")).order_by(_NEWEST_FIRST).limit(bindparam("n"))
)
_PAGE_UP_TO = HotStatement(
    _IN_CHANNEL.where(messages.c.id <= bindparam("m")).order_by(_NEWEST_FIRST).limit(bindparam("n"))
)
_PAGE_AFTER = HotStatement(_OLDEST_FIRST_AFTER.limit(bindparam("n")))
_PAGE_BETWEEN = HotStatement(_OLDEST_FIRST_AFTER.where(messages.c.id < bindparam("before")).limit(bindparam("n")))


async def list_messages(
    ctx: Context,
    channel_id: str,
    user_id: str,
    *,
    before: str | None = None,
    after: str | None = None,
    around: str | None = None,
    limit: int = PAGE_DEFAULT,
) -> list[dict[str, Any]]:
    """GET /channels/{c}/messages (ReadHistory): one page of at most `limit` (1-100) messages.

    Without a cursor, or with only `before`, the newest messages come first (walk back
    in history by passing the last id as the next `before`). With `after`, the page is
    oldest first (walk forward by passing the last id as the next `after`); `before`
    then bounds the range from above. With `around` (alone), newest first: the message with
    that id if it exists, with newer and older ones around it (half and half where history allows).
    """
    if not 1 <= limit <= PAGE_MAX:
        raise bad_request(f"limit must be between 1 and {PAGE_MAX}")
    before = check_cursor(before, "before")
    after = check_cursor(after, "after")
    around = check_cursor(around, "around")
    if around is not None and (before is not None or after is not None):
        raise bad_request("around cannot be combined with before or after")
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id, need=P.Perm.ReadHistory)
        require_message_channel(ca)
        params = {"c": channel_id, "n": limit, "before": before, "after": after}
        if around is not None:
            # Newer ones take up to half the page, or more where there are too few older ones.
            newer = await _PAGE_AFTER.rows(conn, {**params, "after": around, "n": limit - 1})
            older_n = limit - min(len(newer), limit // 2)
            older = await _PAGE_UP_TO.rows(conn, {**params, "m": around, "n": older_n})
            newer = newer[: limit - len(older)]
            return await render(conn, [*reversed(newer), *older], user_id)
        if after is not None:
            page = _PAGE_AFTER if before is None else _PAGE_BETWEEN
        else:
            page = _PAGE_NEWEST if before is None else _PAGE_BEFORE
        return await render(conn, await page.rows(conn, params), user_id)


async def get_message(ctx: Context, channel_id: str, message_id: str, user_id: str) -> dict[str, Any]:
    """GET /channels/{c}/messages/{m} (ReadHistory)."""
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id, need=P.Perm.ReadHistory)
        return await load_message(conn, channel_id, message_id, user_id)


async def edit_message(ctx: Context, channel_id: str, message_id: str, user_id: str, content: str) -> dict[str, Any]:
    """PATCH /channels/{c}/messages/{m}: only the author may edit → MESSAGE_UPDATE (whole Message).

    Mentions are parsed again against the author's current permissions; a locked channel
    refuses edits from everyone but moderators.
    """
    async with ctx.uow() as tx:
        conn = tx.conn
        ca = await channel_access(conn, channel_id, user_id)
        row = await load_message_row(conn, channel_id, message_id)
        if row["author_id"] != user_id:
            raise forbidden("only the author may edit a message")
        if row["message_type"] != "default":
            raise bad_request("system messages cannot be edited", code="system_message")
        require_unlocked(ca)
        limit = (await instance.current(ctx)).max_message_length
        check_content(content, has_extras=bool(row["attachments"] or row["embeds"]), limit=limit)
        mentions = await parse_mentions(conn, ca, content)
        return await revise(ctx, tx, row, content, mentions, viewer_id=user_id)


async def revise(
    ctx: Context,
    tx: UnitOfWork,
    row: Row,
    content: str,
    mentions: tuple[list[str], list[str], bool],
    *,
    embeds: list[dict[str, Any]] | None = None,
    viewer_id: str | None = None,
) -> dict[str, Any]:
    """Replace a checked message's content (and, given, its embeds) with its mentions, keeping the
    old content in its history → MESSAGE_UPDATE. Every edit ends here (a member's above, a
    webhook's in services/webhooks.py). Returns the Message as `viewer_id` sees it."""
    conn = tx.conn
    user_ids, role_ids, here = mentions
    edited_at = now_iso()
    if content != row["content"]:
        await history.record(ctx, conn, row, edited_at)
    values: dict[str, Any] = {
        "content": content,
        "edited_at": edited_at,
        "mention_user_ids": user_ids,
        "mention_role_ids": role_ids,
        "mention_here": here,
    }
    if embeds is not None:
        values["embeds"] = embeds
    await conn.execute(update(messages).where(messages.c.id == row["id"]).values(**values))
    await _store_mentions(conn, row["id"], row["channel_id"], user_ids, role_ids, new=False)
    fresh = await load_message_row(conn, row["channel_id"], row["id"])
    tx.emit("MESSAGE_UPDATE", (await render(conn, [fresh], None))[0])
    return (await render(conn, [fresh], viewer_id))[0]


def _scoped(payload: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
    if guild_id is not None:
        payload["guild_id"] = guild_id
    return payload


async def delete_message(ctx: Context, channel_id: str, message_id: str, user_id: str) -> None:
    """DELETE /channels/{c}/messages/{m}: the author, or anyone with ManageMessages → MESSAGE_DELETE."""
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id)
        row = await load_message_row(tx.conn, channel_id, message_id)
        if row["author_id"] != user_id:
            ca.require(P.Perm.ManageMessages)
        await tx.conn.execute(delete(messages).where(messages.c.id == row["id"]))
        tx.emit("MESSAGE_DELETE", _scoped({"id": row["id"], "channel_id": channel_id}, ca.guild_id))


async def purge_message(tx: UnitOfWork, message_id: str) -> bool:
    """Delete a message without a caller check (automod acts on its own) → MESSAGE_DELETE; False if gone."""
    q = select(messages.c.id, messages.c.channel_id, messages.c.guild_id).where(messages.c.id == message_id)
    row = (await tx.conn.execute(q)).first()
    if row is None:
        return False
    await tx.conn.execute(delete(messages).where(messages.c.id == row.id))
    tx.emit("MESSAGE_DELETE", _scoped({"id": row.id, "channel_id": row.channel_id}, row.guild_id))
    return True


async def bulk_delete(ctx: Context, channel_id: str, user_id: str, message_ids: Sequence[str]) -> None:
    """POST /channels/{c}/messages/bulk-delete: 2-100 distinct ids of this channel → MESSAGE_DELETE_BULK.

    Needs ManageMessages, unless every message is the caller's own (authors may always
    delete their own messages, which is what makes this usable in DMs). All or nothing:
    one id outside the channel fails the whole request.
    """
    ids = [m.upper() for m in message_ids]
    if not BULK_MIN <= len(ids) <= BULK_MAX:
        raise bad_request(f"message_ids must hold {BULK_MIN}-{BULK_MAX} ids")
    if len(set(ids)) != len(ids):
        raise bad_request("message_ids must not repeat")
    if not all(is_ulid(m) for m in ids):
        raise bad_request("message_ids must be message ids")
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id)
        q = select(messages.c.id, messages.c.author_id).where(
            messages.c.id.in_(ids), messages.c.channel_id == channel_id
        )
        found = {r.id: r.author_id for r in await tx.conn.execute(q)}
        if len(found) != len(ids):
            raise bad_request("every id must name a message of this channel", code="unknown_message")
        if any(author != user_id for author in found.values()):
            ca.require(P.Perm.ManageMessages)
        await tx.conn.execute(delete(messages).where(messages.c.id.in_(ids)))
        tx.emit("MESSAGE_DELETE_BULK", _scoped({"message_ids": ids, "channel_id": channel_id}, ca.guild_id))
