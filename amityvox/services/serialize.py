"""Rows → wire objects (docs/protocol.md#objects), and loaders for the whole objects events must carry.

One place for each object's shape, so a REST response and the event about the same
change can never disagree. `?` fields are omitted when null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.db.schema import (
    channel_recipients,
    channels,
    custom_emoji,
    guild_members,
    guilds,
    invites,
    member_roles,
    permission_overwrites,
    roles,
    users,
)
from amityvox.errors import not_found

Row = Mapping[Any, Any]


def public_user(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The User object (docs/protocol.md#user), with `?` fields omitted when null."""
    out: dict[str, Any] = {
        "id": row["id"],
        "username": row["username"],
        "status_presence": row["status_presence"],
        "flags": row["flags"],
        "created_at": row["created_at"],
    }
    for key in ("display_name", "avatar_id", "status_text", "bio", "bot_owner_id"):
        if row[key] is not None:
            out[key] = row[key]
    return out


def self_user(row: Mapping[Any, Any]) -> dict[str, Any]:
    out = public_user(row)
    if row["email"] is not None:
        out["email"] = row["email"]
        out["email_verified"] = bool(row.get("email_verified"))
    return out


def _put_optional(out: dict[str, Any], row: Row, keys: Iterable[str]) -> dict[str, Any]:
    for key in keys:
        if row[key] is not None:
            out[key] = row[key]
    return out


def guild_out(row: Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "owner_id": row["owner_id"],
        "name": row["name"],
        "default_permissions": str(row["default_permissions"]),
        "flags": row["flags"],
        "nsfw": row["nsfw"],
        "discoverable": row["discoverable"],
        "member_count": row["member_count"],
        "created_at": row["created_at"],
    }
    return _put_optional(out, row, ("description", "icon_id", "banner_id", "system_channel_id"))


def role_out(row: Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "name": row["name"],
        "hoist": row["hoist"],
        "mentionable": row["mentionable"],
        "position": row["position"],
        "permissions_allow": str(row["permissions_allow"]),
        "permissions_deny": str(row["permissions_deny"]),
        "created_at": row["created_at"],
    }
    if row["color"] is not None:  # stored as an integer, sent as "#rrggbb"
        out["color"] = f"#{row['color']:06x}"
    if row["managed_by"] is not None:
        out["managed_by"] = row["managed_by"]
    return out


def emoji_out(row: Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "name": row["name"],
        "animated": row["animated"],
        "created_at": row["created_at"],
    }
    return _put_optional(out, row, ("creator_id",))


def invite_out(row: Row) -> dict[str, Any]:
    out = {
        "code": row["code"],
        "guild_id": row["guild_id"],
        "inviter_id": row["inviter_id"],
        "max_uses": row["max_uses"],
        "uses": row["uses"],
        "created_at": row["created_at"],
    }
    return _put_optional(out, row, ("channel_id", "expires_at"))


def ban_out(row: Row, user_row: Row) -> dict[str, Any]:
    out = {
        "guild_id": row["guild_id"],
        "user_id": row["user_id"],
        "user": public_user(user_row),
        "created_at": row["created_at"],
    }
    return _put_optional(out, row, ("reason", "banned_by", "expires_at"))


def overwrite_out(row: Row) -> dict[str, Any]:
    return {"id": row["target_id"], "type": row["target_type"], "allow": str(row["allow"]), "deny": str(row["deny"])}


def channel_out(row: Row, overwrites: Iterable[Row] = (), recipients: Iterable[Row] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row["id"],
        "channel_type": row["channel_type"],
        "position": row["position"],
        "slowmode_seconds": row["slowmode_seconds"],
        "nsfw": row["nsfw"],
        "permission_overwrites": [overwrite_out(o) for o in overwrites],
        "locked": row["locked"],
        "archived": row["archived"],
        "created_at": row["created_at"],
    }
    _put_optional(
        out,
        row,
        ("guild_id", "category_id", "name", "topic", "last_message_id", "owner_id", "parent_channel_id"),
    )
    if recipients is not None:
        out["recipients"] = [public_user(u) for u in recipients]
    return out


def member_out(row: Row, user_row: Row, role_ids: list[str]) -> dict[str, Any]:
    out = {
        "guild_id": row["guild_id"],
        "user_id": row["user_id"],
        "user": public_user(user_row),
        "roles": role_ids,
        "joined_at": row["joined_at"],
        "deaf": row["deaf"],
        "mute": row["mute"],
    }
    return _put_optional(out, row, ("nickname", "timeout_until"))


# ---- loaders: whole objects straight from the database -------------------------------------


# Statements on every request's path are built once: building one costs several times what
# SQLite takes to run it, and a prebuilt statement's cache key is computed only once.
_GUILD = select(guilds).where(guilds.c.id == bindparam("id"))
_CHANNEL = select(channels).where(channels.c.id == bindparam("id"))
_OVERWRITES = (
    select(permission_overwrites)
    .where(permission_overwrites.c.channel_id == bindparam("id"))
    .order_by(permission_overwrites.c.target_id)
)


async def load_guild_row(conn: AsyncConnection, guild_id: str) -> Row:
    row = (await conn.execute(_GUILD, {"id": guild_id})).mappings().first()
    if row is None:
        raise not_found("guild")
    return row


async def load_channel_row(conn: AsyncConnection, channel_id: str) -> Row:
    row = (await conn.execute(_CHANNEL, {"id": channel_id})).mappings().first()
    if row is None:
        raise not_found("channel")
    return row


async def load_overwrites(conn: AsyncConnection, channel_id: str) -> list[Row]:
    return list((await conn.execute(_OVERWRITES, {"id": channel_id})).mappings())


async def load_recipient_rows(conn: AsyncConnection, channel_id: str) -> list[Row]:
    q = (
        select(users)
        .join(channel_recipients, channel_recipients.c.user_id == users.c.id)
        .where(channel_recipients.c.channel_id == channel_id)
        .order_by(users.c.id)
    )
    return list((await conn.execute(q)).mappings())


async def load_channel(conn: AsyncConnection, channel_id: str) -> dict[str, Any]:
    """The whole Channel object (overwrites, and recipients for DMs/groups)."""
    row = await load_channel_row(conn, channel_id)
    recipients = None
    if row["channel_type"] in ("dm", "group"):
        recipients = await load_recipient_rows(conn, channel_id)
    return channel_out(row, await load_overwrites(conn, channel_id), recipients)


async def load_member_role_ids(conn: AsyncConnection, guild_id: str, user_id: str) -> list[str]:
    q = (
        select(member_roles.c.role_id)
        .where(member_roles.c.guild_id == guild_id, member_roles.c.user_id == user_id)
        .order_by(member_roles.c.role_id)
    )
    return list(await conn.scalars(q))


async def load_member(conn: AsyncConnection, guild_id: str, user_id: str) -> dict[str, Any]:
    q = select(guild_members).where(guild_members.c.guild_id == guild_id, guild_members.c.user_id == user_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("member")
    user_row = (await conn.execute(select(users).where(users.c.id == user_id))).mappings().one()
    return member_out(row, user_row, await load_member_role_ids(conn, guild_id, user_id))


async def load_role(conn: AsyncConnection, role_id: str) -> dict[str, Any]:
    row = (await conn.execute(select(roles).where(roles.c.id == role_id))).mappings().first()
    if row is None:
        raise not_found("role")
    return role_out(row)


async def load_guild_roles(conn: AsyncConnection, guild_id: str) -> list[dict[str, Any]]:
    q = select(roles).where(roles.c.guild_id == guild_id).order_by(roles.c.position, roles.c.id)
    return [role_out(r) for r in (await conn.execute(q)).mappings()]


async def load_guild_emoji(conn: AsyncConnection, guild_id: str) -> list[dict[str, Any]]:
    q = select(custom_emoji).where(custom_emoji.c.guild_id == guild_id).order_by(custom_emoji.c.id)
    return [emoji_out(r) for r in (await conn.execute(q)).mappings()]


async def load_invite(conn: AsyncConnection, code: str) -> dict[str, Any]:
    row = (await conn.execute(select(invites).where(invites.c.code == code))).mappings().first()
    if row is None:
        raise not_found("invite")
    return invite_out(row)


def relationship_out(row: Row, target_row: Row) -> dict[str, Any]:
    """One side's view of a relationship; `user` is the target's public profile."""
    return {
        "user_id": row["user_id"],
        "target_id": row["target_id"],
        "type": row["type"],
        "user": public_user(target_row),
        "created_at": row["created_at"],
    }


def _attachments(stored: list[dict[str, Any]], files: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    # Items with a URL of their own predate uploads (client-supplied objects) and stay as they are.
    out = []
    for item in stored:
        rendered = files.get(item.get("id", ""))
        if rendered is not None:
            out.append(rendered)
        elif "url" in item:
            out.append(item)
    return out


WEBHOOK_FLAG = 1 << 1  # User.flags of a webhook message's author (bit 0 is BOT_FLAG, services/bots.py)


def webhook_user(row: Row) -> dict[str, Any]:
    """The author of a message posted through a webhook: a User named as that message was sent
    (the webhook's name, or the execution's `username`), with its `avatar_url`."""
    shown = row["webhook_author"] or {}
    out: dict[str, Any] = {
        "id": row["webhook_id"],
        "username": shown.get("username") or "webhook",
        "status_presence": "offline",
        "flags": WEBHOOK_FLAG,
        "created_at": row["created_at"],
    }
    if shown.get("avatar_url"):
        out["avatar_url"] = shown["avatar_url"]
    return out


def message_out(
    row: Row,
    author: dict[str, Any],
    reactions: list[dict[str, Any]],
    nonce: str | None = None,
    files: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The Message object (MESSAGE_CREATE, docs/protocol.md#events). `author` is the public User,
    `reactions` the `[{emoji, count, me}]` for one viewer;
    `nonce` is never stored, only echoed to the poster and in MESSAGE_CREATE. The row's `attachments`
    lists its uploads by id (with a little metadata, for search); `files` renders them with URLs
    (services/media.py)."""
    out: dict[str, Any] = {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "author_id": row["author_id"],
        "author": author,
        "content": row["content"],
        "message_type": row["message_type"],
        "flags": row["flags"],
        "mention_user_ids": list(row["mention_user_ids"]),
        "mention_role_ids": list(row["mention_role_ids"]),
        "mention_here": row["mention_here"],
        "attachments": _attachments(row["attachments"], files or {}),
        "embeds": list(row["embeds"]),
        "reactions": reactions,
        "pinned": row["pinned"],
        "created_at": row["created_at"],
    }
    _put_optional(out, row, ("guild_id", "edited_at", "thread_id", "webhook_id", "interaction"))
    if row["reply_to_ids"]:
        out["reply_to_ids"] = list(row["reply_to_ids"])
    if nonce is not None:
        out["nonce"] = nonce
    return out


# ---- voice, soundboard, notifications, announcements ----------------------------------------


def voice_state_out(row: Row, user_row: Row, *, left: bool = False) -> dict[str, Any]:
    """The VoiceState object (docs/protocol.md#voicestate); `left` renders the leave (no channel_id,
    no stream) of the same state."""
    out: dict[str, Any] = {
        "user_id": row["user_id"],
        "session_id": row["session_id"],
        "self_mute": row["self_mute"],
        "self_deaf": row["self_deaf"],
        "mute": row["mute"],
        "deaf": row["deaf"],
        "self_stream": False if left else row["self_stream"],
        "self_video": False if left else bool(row.get("self_video")),
        "user": public_user(user_row),
    }
    if not left:
        out["channel_id"] = row["channel_id"]
    return _put_optional(out, row, ("guild_id",))


def soundboard_sound_out(row: Row) -> dict[str, Any]:
    """SoundboardSound; the volume is stored in thousandths and sent as 0-1."""
    out = {
        "id": row["id"],
        "guild_id": row["guild_id"],
        "name": row["name"],
        "volume": row["volume"] / 1000,
        "creator_id": row["creator_id"],
        "created_at": row["created_at"],
    }
    return _put_optional(out, row, ("emoji",))


def notification_out(row: Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "user_id": row["user_id"],
        "type": row["type"],
        "read": row["read"],
        "created_at": row["created_at"],
    }
    return _put_optional(out, row, ("guild_id", "channel_id", "message_id", "actor_id", "content"))


def announcement_out(row: Row) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "title": row["title"],
        "content": row["content"],
        "severity": row["severity"],
        "active": row["active"],
    }
    return _put_optional(out, row, ("expires_at",))
