"""Incoming webhooks: a secret URL that posts messages into one guild channel, as Discord's do.

Members with ManageWebhooks in a channel (after its overwrites) create, rename, move and
delete its webhooks; each change publishes WEBHOOKS_UPDATE `{guild_id, channel_id}` to the
channel's viewers, so an open settings page can fetch the list again. The token is 32 random
bytes, shown once when the webhook is created and stored only as its hash (like session
tokens, services/auth.py). Whoever holds id and token may execute the webhook: the message
goes through `messages.post`, the same path as a member's (MESSAGE_CREATE, mentions, search,
automod, notifications), with `webhook_id` set and the webhook's name and avatar (or the
execution's `username` and `avatar_url`) as its author.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import channels, webhooks
from amityvox.db.schema import messages as messages_table
from amityvox.errors import bad_request, forbidden, not_found, rate_limited
from amityvox.ids import is_ulid, iso, new_id, now_iso
from amityvox.services import audit_log, auth, messages
from amityvox.services.access import ChannelAccess, channel_access, guild_access, perms_in
from amityvox.services.serialize import Row, load_channel_row
from amityvox.uow import UnitOfWork

MAX_NAME = 80
MAX_URL = 2048
MAX_PER_CHANNEL = 15  # Discord's limit
# Discord's limit per webhook: 5 executions per 2 seconds.
EXECUTIONS_PER_WINDOW, EXECUTION_WINDOW_S = 5, 2.0
# What a webhook may do where it posts: send, embed links and mention @everyone/@here
# (its `allowed_mentions` narrows that down per message).
WEBHOOK_PERMISSIONS = int(P.Perm.ViewChannel | P.Perm.SendMessages | P.Perm.EmbedLinks | P.Perm.MentionHere)
WEBHOOK_TYPE_INCOMING = 1
MENTION_KINDS = ("users", "roles", "everyone")


# ---- shapes ------------------------------------------------------------------------------------


def webhook_out(row: Row, token: str | None = None) -> dict[str, Any]:
    """The Webhook object; `token` only in the answer that created it (it is not kept)."""
    out: dict[str, Any] = {
        "id": row["id"],
        "type": WEBHOOK_TYPE_INCOMING,
        "guild_id": row["guild_id"],
        "channel_id": row["channel_id"],
        "name": row["name"],
        "created_at": row["created_at"],
    }
    for key in ("avatar_url", "creator_id"):
        if row[key] is not None:
            out[key] = row[key]
    if token is not None:
        out["token"] = token
    return out


def check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise bad_request(f"name must be 1-{MAX_NAME} characters")
    return name


def check_avatar_url(url: str | None, field: str = "avatar") -> str | None:
    """An http(s) image URL shown as the author's avatar (clients load it as an image)."""
    if url is None or url == "":
        return None
    if len(url) > MAX_URL or not url.lower().startswith(("https://", "http://")):
        raise bad_request(f"{field} must be an http(s) URL of at most {MAX_URL} characters")
    return url


# ---- loading and checks ------------------------------------------------------------------------


async def _row(conn: AsyncConnection, webhook_id: str) -> Row:
    if not is_ulid(webhook_id):
        raise not_found("webhook")
    row = (await conn.execute(select(webhooks).where(webhooks.c.id == webhook_id.upper()))).mappings().first()
    if row is None:
        raise not_found("webhook")
    return row


async def _row_by_token(conn: AsyncConnection, webhook_id: str, token: str) -> Row:
    """The webhook if `token` is its token; 404 either way otherwise, so ids cannot be probed."""
    row = await _row(conn, webhook_id)
    if not secrets.compare_digest(row["token_hash"], auth.hash_token(token)):
        raise not_found("webhook")
    return row


async def _managed_channel(conn: AsyncConnection, channel_id: str, user_id: str) -> ChannelAccess:
    """A guild channel that holds messages, where the caller has ManageWebhooks."""
    ca = await channel_access(conn, channel_id, user_id, need=P.Perm.ManageWebhooks)
    if ca.guild_id is None or ca.channel["parent_channel_id"] is not None:
        raise bad_request("webhooks belong to guild channels (not DMs or threads)", code="invalid_channel_type")
    messages.require_message_channel(ca)
    return ca


def _announce(tx: UnitOfWork, row: Row) -> None:
    tx.emit("WEBHOOKS_UPDATE", {"guild_id": row["guild_id"], "channel_id": row["channel_id"]})


async def _audit(
    tx: UnitOfWork, actor_id: str, action: audit_log.Action, old: Row | None = None, new: Row | None = None
) -> None:
    row = new if new is not None else old
    assert row is not None
    await audit_log.record(
        tx, guild_id=row["guild_id"], actor_id=actor_id, action=action, target_type="webhook", target_id=row["id"],
        old=webhook_out(old) if old is not None else None, new=webhook_out(new) if new is not None else None,
    )  # fmt: skip


# ---- managing ----------------------------------------------------------------------------------


async def create_webhook(
    ctx: Context, channel_id: str, user_id: str, name: str, avatar_url: str | None = None
) -> dict[str, Any]:
    """POST /channels/{c}/webhooks (ManageWebhooks) → WEBHOOKS_UPDATE; the answer holds the token."""
    name = check_name(name)
    avatar_url = check_avatar_url(avatar_url)
    token = secrets.token_hex(32)
    async with ctx.uow() as tx:
        ca = await _managed_channel(tx.conn, channel_id, user_id)
        count = await tx.conn.scalar(select(func.count()).where(webhooks.c.channel_id == channel_id))
        if (count or 0) >= MAX_PER_CHANNEL:
            raise bad_request(f"a channel can have at most {MAX_PER_CHANNEL} webhooks", code="too_many_webhooks")
        row = {
            "id": new_id(),
            "guild_id": ca.guild_id,
            "channel_id": channel_id,
            "creator_id": user_id,
            "name": name,
            "avatar_url": avatar_url,
            "token_hash": auth.hash_token(token),
            "created_at": now_iso(),
        }
        await tx.conn.execute(webhooks.insert().values(**row))
        _announce(tx, row)
        await _audit(tx, user_id, audit_log.Action.WEBHOOK_CREATE, new=row)
    return webhook_out(row, token)


async def list_channel_webhooks(ctx: Context, channel_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /channels/{c}/webhooks (ManageWebhooks), oldest first; tokens are never listed."""
    async with ctx.db.read() as conn:
        await _managed_channel(conn, channel_id, user_id)
        q = select(webhooks).where(webhooks.c.channel_id == channel_id).order_by(webhooks.c.id)
        return [webhook_out(r) for r in (await conn.execute(q)).mappings()]


async def list_guild_webhooks(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /guilds/{g}/webhooks: the webhooks of every channel where the caller has ManageWebhooks
    (403 when that is none and the caller lacks it in the guild too)."""
    async with ctx.db.read() as conn:
        ga = await guild_access(conn, guild_id, user_id)
        rows = list(
            (
                await conn.execute(select(webhooks).where(webhooks.c.guild_id == guild_id).order_by(webhooks.c.id))
            ).mappings()
        )
        allowed: dict[str, bool] = {}
        out = []
        for row in rows:
            if row["channel_id"] not in allowed:
                channel = await load_channel_row(conn, row["channel_id"])
                allowed[row["channel_id"]] = P.has(await perms_in(conn, ga, channel), P.Perm.ManageWebhooks)
            if allowed[row["channel_id"]]:
                out.append(webhook_out(row))
        if not out:
            ga.require(P.Perm.ManageWebhooks)
        return out


async def get_webhook(ctx: Context, webhook_id: str, user_id: str) -> dict[str, Any]:
    """GET /webhooks/{id} (ManageWebhooks in its channel)."""
    async with ctx.db.read() as conn:
        row = await _row(conn, webhook_id)
        await _managed_channel(conn, row["channel_id"], user_id)
        return webhook_out(row)


async def get_webhook_with_token(ctx: Context, webhook_id: str, token: str) -> dict[str, Any]:
    """GET /webhooks/{id}/{token}: the webhook, for whoever holds its URL."""
    async with ctx.db.read() as conn:
        return webhook_out(await _row_by_token(conn, webhook_id, token))


@dataclass(frozen=True, slots=True)
class WebhookChange:
    """A PATCH: fields left None stay as they are; `avatar_url` "" clears the avatar."""

    name: str | None = None
    avatar_url: str | None = None
    channel_id: str | None = None


async def _apply_change(tx: UnitOfWork, row: Row, change: WebhookChange, actor_id: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if change.name is not None:
        values["name"] = check_name(change.name)
    if change.avatar_url is not None:
        values["avatar_url"] = check_avatar_url(change.avatar_url)
    if change.channel_id is not None and change.channel_id != row["channel_id"]:
        values["channel_id"] = change.channel_id
    if values:
        await tx.conn.execute(update(webhooks).where(webhooks.c.id == row["id"]).values(**values))
        _announce(tx, row)
        if "channel_id" in values:  # the old channel's list lost it, the new one's gained it
            _announce(tx, {**row, **values})
        await _audit(tx, actor_id, audit_log.Action.WEBHOOK_UPDATE, old=row, new={**row, **values})
    return webhook_out({**row, **values})


async def modify_webhook(ctx: Context, webhook_id: str, user_id: str, change: WebhookChange) -> dict[str, Any]:
    """PATCH /webhooks/{id} (ManageWebhooks in its channel, and in `channel_id`'s when moving it
    to another channel of the same guild) → WEBHOOKS_UPDATE."""
    async with ctx.uow() as tx:
        row = await _row(tx.conn, webhook_id)
        await _managed_channel(tx.conn, row["channel_id"], user_id)
        if change.channel_id is not None and change.channel_id != row["channel_id"]:
            target = await _managed_channel(tx.conn, change.channel_id, user_id)
            if target.guild_id != row["guild_id"]:
                raise bad_request("a webhook can only move to a channel of its own guild")
        return await _apply_change(tx, row, change, user_id)


async def modify_webhook_with_token(ctx: Context, webhook_id: str, token: str, change: WebhookChange) -> dict[str, Any]:
    """PATCH /webhooks/{id}/{token}: name and avatar only → WEBHOOKS_UPDATE."""
    if change.channel_id is not None:
        raise forbidden("moving a webhook needs a member with ManageWebhooks, not its token")
    async with ctx.uow() as tx:
        row = await _row_by_token(tx.conn, webhook_id, token)
        return await _apply_change(tx, row, change, row["id"])


async def delete_webhook(ctx: Context, webhook_id: str, user_id: str) -> None:
    """DELETE /webhooks/{id} (ManageWebhooks in its channel) → WEBHOOKS_UPDATE. Its messages stay."""
    async with ctx.uow() as tx:
        row = await _row(tx.conn, webhook_id)
        await _managed_channel(tx.conn, row["channel_id"], user_id)
        await tx.conn.execute(delete(webhooks).where(webhooks.c.id == row["id"]))
        _announce(tx, row)
        await _audit(tx, user_id, audit_log.Action.WEBHOOK_DELETE, old=row)


async def delete_webhook_with_token(ctx: Context, webhook_id: str, token: str) -> None:
    """DELETE /webhooks/{id}/{token} → WEBHOOKS_UPDATE."""
    async with ctx.uow() as tx:
        row = await _row_by_token(tx.conn, webhook_id, token)
        await tx.conn.execute(delete(webhooks).where(webhooks.c.id == row["id"]))
        _announce(tx, row)
        await _audit(tx, row["id"], audit_log.Action.WEBHOOK_DELETE, old=row)


# ---- executing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Execution:
    """Discord's execute body, as far as this server uses it (`tts`, `components`, … are ignored)."""

    content: str = ""
    username: str | None = None
    avatar_url: str | None = None
    embeds: tuple[dict[str, Any], ...] = ()
    allowed_mentions: dict[str, Any] | None = None
    thread_id: str | None = None


def _image_url(value: Any, where: str) -> str | None:
    """Discord sends images as `{url, proxy_url?, width?, height?}`; only the URL is kept."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("url")
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{where}.url must be a string")
    return value or None


def _timestamp(value: Any, where: str) -> str | None:
    """ISO 8601 as Discord takes it (a naive time is UTC), stored as RFC 3339 UTC."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{where}.timestamp must be an ISO 8601 time") from None
    return iso(when if when.tzinfo is not None else when.replace(tzinfo=UTC))


def _no_nulls(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return item
    return {k: v for k, v in item.items() if v is not None and k != "proxy_icon_url"}


def discord_embed(embed: Any, index: int) -> dict[str, Any]:
    """One of Discord's embed objects as this server's Embed (events/payloads.py): nested image and
    thumbnail objects become URLs, `author`/`footer` keep `name`/`text` and their URLs, `video`,
    `provider` and proxy URLs are dropped, nulls are left out. `messages.check_embeds` checks the rest."""
    where = f"embeds[{index}]"
    if not isinstance(embed, dict):
        raise bad_request(f"{where} must be an object")
    out: dict[str, Any] = {"type": "rich"}
    for key in ("url", "title", "description", "color"):
        if embed.get(key) is not None:
            out[key] = embed[key]
    for key in ("image", "thumbnail"):
        url = _image_url(embed.get(key), f"{where}.{key}")
        if url is not None:
            out[key] = url
    stamp = _timestamp(embed.get("timestamp"), where)
    if stamp is not None:
        out["timestamp"] = stamp
    for key in ("author", "footer"):
        part = _no_nulls(embed.get(key))
        if part:
            out[key] = part
    fields = embed.get("fields")
    if fields:
        out["fields"] = [_no_nulls(f) for f in fields] if isinstance(fields, list) else fields
    return out


@dataclass(frozen=True, slots=True)
class MentionRules:
    """A checked `allowed_mentions`: the kinds that parse, and the single targets named."""

    parse: frozenset[str]
    users: frozenset[str]
    roles: frozenset[str]


def mention_rules(allowed: Any) -> MentionRules | None:
    """Check Discord's `allowed_mentions` (None: absent, everything in the content pings)."""
    if allowed is None:
        return None
    if not isinstance(allowed, dict):
        raise bad_request("allowed_mentions must be an object")
    parse, users, roles = (allowed.get(k) or [] for k in ("parse", "users", "roles"))
    if not all(isinstance(v, list) for v in (parse, users, roles)):
        raise bad_request("allowed_mentions.parse, .users and .roles must be lists")
    if any(k not in MENTION_KINDS for k in parse):
        raise bad_request(f"allowed_mentions.parse may only hold {', '.join(MENTION_KINDS)}")
    if ("users" in parse and users) or ("roles" in parse and roles):
        raise bad_request("allowed_mentions cannot both parse a kind and name its targets")
    return MentionRules(
        frozenset(parse), frozenset(str(u).upper() for u in users), frozenset(str(r).upper() for r in roles)
    )


def narrow_mentions(
    parsed: tuple[list[str], list[str], bool], rules: MentionRules | None
) -> tuple[list[str], list[str], bool]:
    """Narrow the mentions found in the content to what the rules let ping (Discord's: `parse`
    names whole kinds, `users`/`roles` name single targets)."""
    if rules is None:
        return parsed
    users, roles, here = parsed
    return (
        users if "users" in rules.parse else [u for u in users if u in rules.users],
        roles if "roles" in rules.parse else [r for r in roles if r in rules.roles],
        here and "everyone" in rules.parse,
    )


async def execute(ctx: Context, webhook_id: str, token: str, body: Execution) -> dict[str, Any]:
    """POST /webhooks/{id}/{token} → MESSAGE_CREATE in the webhook's channel (or `thread_id`, a
    thread of it), posted as the webhook. At most EXECUTIONS_PER_WINDOW per EXECUTION_WINDOW_S
    per webhook; answers the whole Message."""
    username = check_name(body.username) if body.username else None
    avatar_url = check_avatar_url(body.avatar_url, "avatar_url")
    links = messages.check_embeds([discord_embed(e, i) for i, e in enumerate(body.embeds)])
    content = messages.check_content(body.content, has_extras=bool(links))
    rules = mention_rules(body.allowed_mentions)
    window = ctx.limiter("webhook-execute", EXECUTIONS_PER_WINDOW, EXECUTION_WINDOW_S)
    async with ctx.uow() as tx:
        row = await _row_by_token(tx.conn, webhook_id, token)
        wait = window.hit(row["id"])
        if wait:
            raise rate_limited(wait, "this webhook is sending too many messages")
        channel = await load_channel_row(tx.conn, row["channel_id"])
        if body.thread_id is not None:
            thread = (
                (await tx.conn.execute(select(channels).where(channels.c.id == body.thread_id.upper())))
                .mappings()
                .first()
            )
            if thread is None or thread["parent_channel_id"] != row["channel_id"]:
                raise bad_request("thread_id must name a thread of the webhook's channel", code="unknown_channel")
            channel = thread
        ca = ChannelAccess(channel=channel, perms=WEBHOOK_PERMISSIONS, guild_access=None)
        messages.require_message_channel(ca)
        messages.require_unlocked(ca)
        mentions = narrow_mentions(await messages.parse_mentions(tx.conn, ca, content), rules)
        author = {"id": row["id"], "username": username or row["name"]}
        if avatar_url or row["avatar_url"]:
            author["avatar_url"] = avatar_url or row["avatar_url"]
        return await messages.post(tx, ca, row["id"], content, mentions, embeds=links, webhook=author)


# ---- its own messages --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageEdit:
    """Discord's edit body: fields left None stay as they are."""

    content: str | None = None
    embeds: tuple[dict[str, Any], ...] | None = None
    allowed_mentions: dict[str, Any] | None = None


async def _own_message(conn: AsyncConnection, hook: Row, message_id: str) -> Row:
    """A message this webhook posted (404 for any other, whoever posted it)."""
    if not is_ulid(message_id):
        raise not_found("message")
    q = select(messages_table).where(
        messages_table.c.id == message_id.upper(), messages_table.c.webhook_id == hook["id"]
    )
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("message")
    return row


async def get_message(ctx: Context, webhook_id: str, token: str, message_id: str) -> dict[str, Any]:
    """GET /webhooks/{id}/{token}/messages/{m}: one of the webhook's own messages."""
    async with ctx.db.read() as conn:
        row = await _own_message(conn, await _row_by_token(conn, webhook_id, token), message_id)
        return (await messages.render(conn, [row], None))[0]


async def edit_message(ctx: Context, webhook_id: str, token: str, message_id: str, edit: MessageEdit) -> dict[str, Any]:
    """PATCH /webhooks/{id}/{token}/messages/{m}: new content and/or embeds for one of the webhook's
    own messages, through the path a member's edit takes (`messages.revise`) → MESSAGE_UPDATE."""
    links = None
    if edit.embeds is not None:
        links = messages.check_embeds([discord_embed(e, i) for i, e in enumerate(edit.embeds)])
    rules = mention_rules(edit.allowed_mentions)
    async with ctx.uow() as tx:
        row = await _own_message(tx.conn, await _row_by_token(tx.conn, webhook_id, token), message_id)
        channel = await load_channel_row(tx.conn, row["channel_id"])
        ca = ChannelAccess(channel=channel, perms=WEBHOOK_PERMISSIONS, guild_access=None)
        messages.require_unlocked(ca)
        content = row["content"] if edit.content is None else edit.content
        extras = bool(row["attachments"]) or bool(row["embeds"] if links is None else links)
        messages.check_content(content, has_extras=extras)
        mentions = narrow_mentions(await messages.parse_mentions(tx.conn, ca, content), rules)
        return await messages.revise(ctx, tx, row, content, mentions, embeds=links)


async def delete_message(ctx: Context, webhook_id: str, token: str, message_id: str) -> None:
    """DELETE /webhooks/{id}/{token}/messages/{m}: one of the webhook's own messages → MESSAGE_DELETE."""
    async with ctx.uow() as tx:
        row = await _own_message(tx.conn, await _row_by_token(tx.conn, webhook_id, token), message_id)
        await messages.purge_message(tx, row["id"])
