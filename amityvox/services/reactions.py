"""Reactions: add, remove and clear, each event carrying the new count so clients can update in place.

An emoji is either a unicode emoji (1-32 characters, no spaces and none of `<>:/`)
or a custom emoji of the message's guild written `name:id`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import custom_emoji, reactions
from amityvox.db.upserts import insert_ignore
from amityvox.errors import bad_request
from amityvox.ids import now_iso
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.messages import load_message_row, reaction_summaries

MAX_UNICODE = 32
MAX_DISTINCT = 20  # distinct emoji on one message
CUSTOM_EMOJI = re.compile(r"^([A-Za-z0-9_]{2,32}):([0-9A-HJKMNP-TV-Z]{26})$")
_FORBIDDEN = set("<>:/\\")
_ZWJ = "\u200d"
_TAGS = range(0xE0020, 0xE0080)  # subdivision flags are spelled with invisible tag characters


def _emoji_char(c: str) -> bool:
    return not c.isspace() and (c.isprintable() or c == _ZWJ or ord(c) in _TAGS)


def check_emoji(emoji: str) -> str:
    """The emoji as stored, or 400 `invalid_emoji` when it is neither form."""
    if CUSTOM_EMOJI.match(emoji):
        return emoji
    if (
        not 1 <= len(emoji) <= MAX_UNICODE
        or not all(_emoji_char(c) for c in emoji)
        or _FORBIDDEN & set(emoji)
        or emoji.isascii()  # words and punctuation are not emoji
    ):
        raise bad_request("emoji must be a unicode emoji or a custom emoji 'name:id'", code="invalid_emoji")
    return emoji


async def _check_usable(conn: AsyncConnection, ca: ChannelAccess, emoji: str) -> None:
    """A custom emoji must belong to this channel's guild and be named as it is now."""
    custom = CUSTOM_EMOJI.match(emoji)
    if custom is None:
        return
    name, emoji_id = custom.groups()
    q = select(custom_emoji.c.name).where(custom_emoji.c.id == emoji_id, custom_emoji.c.guild_id == ca.guild_id)
    if ca.guild_id is None or await conn.scalar(q) != name:
        raise bad_request("that custom emoji does not exist in this guild", code="unknown_emoji")


async def _count(conn: AsyncConnection, message_id: str, emoji: str) -> int:
    q = select(func.count()).where(reactions.c.message_id == message_id, reactions.c.emoji == emoji)
    return int(await conn.scalar(q) or 0)


async def _changed(
    conn: AsyncConnection, ca: ChannelAccess, message_id: str, user_id: str, emoji: str
) -> dict[str, Any]:
    """MESSAGE_REACTION_ADD / _REMOVE payload: the emoji's new count and the message's whole list."""
    summaries = (await reaction_summaries(conn, [message_id], None)).get(message_id, [])
    everything = [{"emoji": r["emoji"], "count": r["count"]} for r in summaries]
    count = next((r["count"] for r in everything if r["emoji"] == emoji), 0)
    return _payload(ca, message_id, user_id=user_id, emoji=emoji, count=count, reactions=everything)


def _payload(ca: ChannelAccess, message_id: str, **fields: Any) -> dict[str, Any]:
    out = {"message_id": message_id, "channel_id": ca.channel["id"], **fields}
    if ca.guild_id is not None:
        out["guild_id"] = ca.guild_id
    return out


async def add_reaction(ctx: Context, channel_id: str, message_id: str, user_id: str, emoji: str) -> None:
    """PUT …/reactions/{emoji} (AddReactions) → MESSAGE_REACTION_ADD; reacting twice changes nothing."""
    emoji = check_emoji(emoji)
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id, need=P.Perm.AddReactions)
        row = await load_message_row(tx.conn, channel_id, message_id)
        await _check_usable(tx.conn, ca, emoji)
        used = select(reactions.c.emoji).where(reactions.c.message_id == row["id"]).distinct().subquery()
        distinct = await tx.conn.scalar(select(func.count()).select_from(used))
        if distinct and distinct >= MAX_DISTINCT and await _count(tx.conn, row["id"], emoji) == 0:
            raise bad_request(f"a message holds at most {MAX_DISTINCT} different reactions", code="limit_reached")
        values = {"message_id": row["id"], "user_id": user_id, "emoji": emoji, "created_at": now_iso()}
        if not await insert_ignore(tx.conn, reactions, ("message_id", "emoji", "user_id"), values):
            return
        tx.emit("MESSAGE_REACTION_ADD", await _changed(tx.conn, ca, row["id"], user_id, emoji))


async def remove_reaction(
    ctx: Context, channel_id: str, message_id: str, actor_id: str, emoji: str, target_id: str | None = None
) -> None:
    """DELETE …/reactions/{emoji}[/{user_id}] → MESSAGE_REACTION_REMOVE.

    Removing one's own reaction needs only to see the channel; removing someone else's
    needs ManageMessages. Removing a reaction that is not there changes nothing.
    """
    emoji = check_emoji(emoji)
    target_id = target_id or actor_id
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, actor_id)
        if target_id != actor_id:
            ca.require(P.Perm.ManageMessages)
        row = await load_message_row(tx.conn, channel_id, message_id)
        result = await tx.conn.execute(
            delete(reactions).where(
                reactions.c.message_id == row["id"], reactions.c.emoji == emoji, reactions.c.user_id == target_id
            )
        )
        if not result.rowcount:
            return
        tx.emit("MESSAGE_REACTION_REMOVE", await _changed(tx.conn, ca, row["id"], target_id, emoji))


async def clear_reactions(
    ctx: Context, channel_id: str, message_id: str, actor_id: str, emoji: str | None = None
) -> None:
    """DELETE …/reactions[?emoji=X] (ManageMessages): every reaction, or one emoji's → MESSAGE_REACTION_CLEAR.

    Nothing is published when there was nothing to clear.
    """
    if emoji is not None:
        emoji = check_emoji(emoji)
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, actor_id, need=P.Perm.ManageMessages)
        row = await load_message_row(tx.conn, channel_id, message_id)
        stmt = delete(reactions).where(reactions.c.message_id == row["id"])
        if emoji is not None:
            stmt = stmt.where(reactions.c.emoji == emoji)
        if not (await tx.conn.execute(stmt)).rowcount:
            return
        payload = _payload(ca, row["id"])
        if emoji is not None:
            payload["emoji"] = emoji
        tx.emit("MESSAGE_REACTION_CLEAR", payload)
