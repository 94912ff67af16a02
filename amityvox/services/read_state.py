"""Read state: where each user has read up to in each channel, and what is unread since.

Only the read position is stored. Unread and mention counts are computed from the
messages themselves when asked, so edits, deletions and role changes can never leave
a stale counter behind; each computation is a fixed number of indexed queries,
whatever the number of channels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import (
    channel_recipients,
    channels,
    guild_members,
    guilds,
    member_roles,
    message_mentions,
    messages,
    permission_overwrites,
    read_states,
    roles,
)
from amityvox.ids import now_iso
from amityvox.services.access import channel_access
from amityvox.services.messages import NO_MESSAGES, advance_read_state, load_message_row, require_message_channel


async def read_states_for(conn: AsyncConnection, user_id: str, channel_ids: Sequence[str]) -> list[dict[str, Any]]:
    """`{channel_id, last_message_id?, unread_count, mention_count}` for each of `channel_ids`.

    Unread: messages after the read position not written by the user. Mentions: those of
    them that name the user, one of the user's roles, or @here/@everyone. The caller
    decides which channels the user may see (READY passes the gateway's own view).
    """
    ids = list(dict.fromkeys(channel_ids))
    if not ids:
        return []
    q = select(read_states.c.channel_id, read_states.c.last_message_id).where(
        read_states.c.user_id == user_id, read_states.c.channel_id.in_(ids)
    )
    position = {r.channel_id: r.last_message_id for r in await conn.execute(q)}
    q = select(channels.c.id, channels.c.last_message_id).where(channels.c.id.in_(ids))
    latest = {r.id: r.last_message_id for r in await conn.execute(q)}
    # Only channels with a message past the read position can have anything unread.
    pending = [c for c in ids if latest.get(c) and (position.get(c) is None or latest[c] > position[c])]
    counts: dict[str, tuple[int, int]] = {}
    if pending:
        targets = [
            user_id,
            *await conn.scalars(select(member_roles.c.role_id).where(member_roles.c.user_id == user_id)),
        ]
        mentions_me = or_(
            messages.c.mention_here.is_(True),
            exists().where(message_mentions.c.message_id == messages.c.id, message_mentions.c.target_id.in_(targets)),
        )
        joined = messages.outerjoin(
            read_states, and_(read_states.c.channel_id == messages.c.channel_id, read_states.c.user_id == user_id)
        )
        q = (
            select(messages.c.channel_id, func.count(), func.sum(case((mentions_me, 1), else_=0)))
            .select_from(joined)
            .where(
                messages.c.channel_id.in_(pending),
                messages.c.author_id != user_id,
                or_(read_states.c.last_message_id.is_(None), messages.c.id > read_states.c.last_message_id),
            )
            .group_by(messages.c.channel_id)
        )
        counts = {r[0]: (int(r[1]), int(r[2] or 0)) for r in await conn.execute(q)}
    out = []
    for channel_id in ids:
        unread, mentions = counts.get(channel_id, (0, 0))
        state: dict[str, Any] = {"channel_id": channel_id, "unread_count": unread, "mention_count": mentions}
        if position.get(channel_id) is not None:
            state["last_message_id"] = position[channel_id]
        out.append(state)
    return out


async def visible_channel_ids(conn: AsyncConnection, user_id: str, need: int = P.Perm.ViewChannel) -> list[str]:
    """Every channel with messages the user can view: their DMs and groups, and the guild channels
    their roles and the overwrites let them see (threads by their parent's overwrites). `need`:
    the permission bits a guild channel must grant (DMs grant every reading bit)."""
    q = (
        select(channels.c.id, channels.c.channel_type)
        .join(channel_recipients, channel_recipients.c.channel_id == channels.c.id)
        .where(channel_recipients.c.user_id == user_id, channels.c.guild_id.is_(None))
    )
    out = [r.id for r in await conn.execute(q)]
    q = (
        select(guilds.c.id, guilds.c.owner_id, guilds.c.default_permissions, guild_members.c.timeout_until)
        .join(guild_members, guild_members.c.guild_id == guilds.c.id)
        .where(guild_members.c.user_id == user_id)
    )
    memberships = list(await conn.execute(q))
    if not memberships:
        return sorted(out)
    guild_ids = [m.id for m in memberships]
    held: dict[str, list[P.RoleBits]] = defaultdict(list)
    q = (
        select(
            member_roles.c.guild_id, roles.c.id, roles.c.permissions_allow, roles.c.permissions_deny, roles.c.position
        )
        .join(roles, roles.c.id == member_roles.c.role_id)
        .where(member_roles.c.user_id == user_id)
    )
    for r in await conn.execute(q):
        held[r.guild_id].append(P.RoleBits(r.id, r.permissions_allow, r.permissions_deny, r.position))
    overwrites: dict[str, list[P.Overwrite]] = defaultdict(list)
    q = (
        select(permission_overwrites)
        .join(channels, channels.c.id == permission_overwrites.c.channel_id)
        .where(channels.c.guild_id.in_(guild_ids))
    )
    for o in (await conn.execute(q)).mappings():
        overwrites[o["channel_id"]].append(P.Overwrite(o["target_id"], o["target_type"], o["allow"], o["deny"]))
    q = select(channels.c.id, channels.c.guild_id, channels.c.parent_channel_id, channels.c.channel_type).where(
        channels.c.guild_id.in_(guild_ids)
    )
    by_guild = {m.id: m for m in memberships}
    now = now_iso()
    for c in await conn.execute(q):
        if c.channel_type in NO_MESSAGES:
            continue
        g = by_guild[c.guild_id]
        perms = P.channel_permissions(
            user_id=user_id,
            guild_id=c.guild_id,
            owner_id=g.owner_id,
            base=g.default_permissions,
            member_roles=held[c.guild_id],
            overwrites=overwrites[c.parent_channel_id or c.id],
            timed_out=g.timeout_until is not None and g.timeout_until > now,
        )
        if P.has(perms, need):
            out.append(c.id)
    return sorted(out)


async def list_read_states(ctx: Context, user_id: str) -> list[dict[str, Any]]:
    """GET /users/@me/read-state: one entry per channel the user can view."""
    async with ctx.db.read() as conn:
        return await read_states_for(conn, user_id, await visible_channel_ids(conn, user_id))


async def ack(ctx: Context, channel_id: str, user_id: str, message_id: str | None = None) -> dict[str, Any]:
    """POST /channels/{c}/ack: mark the channel read up to `message_id` (default: its latest message)
    → CHANNEL_ACK to all of the user's sessions. Acking an older message moves the position back
    (mark as unread). Returns the channel's read state; nothing is published when it did not move."""
    async with ctx.uow() as tx:
        conn = tx.conn
        ca = await channel_access(conn, channel_id, user_id)
        require_message_channel(ca)
        if message_id is not None:
            target = (await load_message_row(conn, channel_id, message_id))["id"]
        else:
            target = await conn.scalar(select(func.max(messages.c.id)).where(messages.c.channel_id == channel_id))
        current = await conn.scalar(
            select(read_states.c.last_message_id).where(
                read_states.c.user_id == user_id, read_states.c.channel_id == channel_id
            )
        )
        if target is not None and target != current:
            await advance_read_state(conn, user_id, channel_id, target)
            tx.emit("CHANNEL_ACK", {"channel_id": channel_id, "message_id": target, "user_id": user_id})
        return (await read_states_for(conn, user_id, [channel_id]))[0]
