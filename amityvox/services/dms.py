"""Direct messages: 1:1 DMs and group DMs, their recipients and names.

A 1:1 DM is unique per pair of users and has no owner. A group has an owner (its
creator until they leave), a name of its own and at most ten recipients, every one
of whom the owner had to be friends with when adding them. Recipient changes are
published as CHANNEL_UPDATE with the whole channel; the gateway compares recipient
lists and tells added users CHANNEL_CREATE and removed ones CHANNEL_DELETE.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import channel_recipients, channels, permission_overwrites, users
from amityvox.errors import ApiError, bad_request, forbidden, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import user_settings
from amityvox.services.access import channel_access
from amityvox.services.relationships import blocked_error, friend_ids, is_blocked_between, lock_users
from amityvox.services.serialize import Row, channel_out, load_channel
from amityvox.services.users import get_row

MAX_GROUP_RECIPIENTS = 10  # the owner included
PRIVATE_TYPES = ("dm", "group")


def not_friends_error() -> ApiError:
    return forbidden("you can only add your friends to a group", code="not_friends")


async def _insert_channel(conn: AsyncConnection, channel_type: str, name: str | None, owner_id: str | None) -> str:
    channel_id = new_id()
    await conn.execute(
        insert(channels).values(
            id=channel_id,
            guild_id=None,
            channel_type=channel_type,
            name=name,
            position=0,
            slowmode_seconds=0,
            nsfw=False,
            owner_id=owner_id,
            locked=False,
            archived=False,
            created_at=now_iso(),
        )
    )
    return channel_id


async def _add_recipients(conn: AsyncConnection, channel_id: str, user_ids: list[str]) -> None:
    now = now_iso()
    await conn.execute(
        insert(channel_recipients),
        [{"channel_id": channel_id, "user_id": u, "added_at": now} for u in user_ids],
    )


async def recipient_ids(conn: AsyncConnection, channel_id: str) -> list[str]:
    """Recipients in the order they were added (rows from before the timestamp sort first)."""
    q = (
        select(channel_recipients.c.user_id)
        .where(channel_recipients.c.channel_id == channel_id)
        .order_by(func.coalesce(channel_recipients.c.added_at, ""), channel_recipients.c.user_id)
    )
    return list(await conn.scalars(q))


async def find_dm(conn: AsyncConnection, a: str, b: str) -> str | None:
    """The 1:1 DM channel between two users, if one exists."""
    ra = channel_recipients.alias("ra")
    rb = channel_recipients.alias("rb")
    q = (
        select(channels.c.id)
        .join(ra, (ra.c.channel_id == channels.c.id) & (ra.c.user_id == a))
        .join(rb, (rb.c.channel_id == channels.c.id) & (rb.c.user_id == b))
        .where(channels.c.channel_type == "dm")
        .order_by(channels.c.id)
        .limit(1)
    )
    found: str | None = await conn.scalar(q)
    return found


async def require_unblocked(conn: AsyncConnection, channel: Row, user_id: str) -> None:
    """Neither side of a 1:1 DM may post in it while either has blocked the other (403 `blocked`)."""
    if channel["channel_type"] != "dm":
        return
    for other in await recipient_ids(conn, channel["id"]):
        if other != user_id and await is_blocked_between(conn, user_id, other):
            raise blocked_error()


# ---- 1:1 DMs ------------------------------------------------------------------------------


async def open_dm(ctx: Context, user_id: str, target_id: str) -> tuple[dict[str, Any], bool]:
    """POST /users/{id}/dm: the pair's DM channel, created on first use. Returns (channel, created).

    Creation sends CHANNEL_CREATE to both recipients; reopening publishes nothing. Nobody
    can DM themself, an unknown or deleted account, or across a block in either direction;
    a new DM also needs the target's `dm_privacy` setting to allow the caller (403 `dm_privacy`).
    """
    async with ctx.uow() as tx:
        if target_id == user_id:
            raise bad_request("you cannot open a DM with yourself", code="invalid_target")
        # The pair's row locks make two simultaneous first requests yield one channel.
        await lock_users(tx.conn, (user_id, target_id))
        await get_row(tx.conn, target_id)
        if await is_blocked_between(tx.conn, user_id, target_id):
            raise blocked_error()
        existing = await find_dm(tx.conn, user_id, target_id)
        if existing is not None:
            return await load_channel(tx.conn, existing), False
        await user_settings.check_dm_allowed(tx.conn, user_id, target_id)
        channel_id = await _insert_channel(tx.conn, "dm", None, None)
        await _add_recipients(tx.conn, channel_id, [user_id, target_id])
        channel = await load_channel(tx.conn, channel_id)
        tx.emit("CHANNEL_CREATE", channel)
        return channel, True


# ---- group DMs ----------------------------------------------------------------------------


async def create_group(ctx: Context, owner_id: str, others: list[str], name: str | None) -> dict[str, Any]:
    """POST /users/@me/group-dms: a group of the creator and 1-9 others.

    Every other recipient must be a friend of the creator (403 `not_friends`), so nobody
    is pulled into a conversation by a stranger. CHANNEL_CREATE goes to every recipient,
    the creator included.
    """
    wanted = list(dict.fromkeys(others))
    if owner_id in wanted:
        raise bad_request("recipient_ids lists the others; you are added as the owner", code="invalid_target")
    if not 1 <= len(wanted) <= MAX_GROUP_RECIPIENTS - 1:
        raise bad_request(f"a group has 1 to {MAX_GROUP_RECIPIENTS - 1} recipients besides you")
    async with ctx.uow() as tx:
        await lock_users(tx.conn, [owner_id, *wanted])
        q = select(users.c.id).where(users.c.id.in_(wanted), users.c.deleted_at.is_(None))
        if len(set(await tx.conn.scalars(q))) != len(wanted):
            raise not_found("user")
        if await friend_ids(tx.conn, owner_id, wanted) != set(wanted):
            raise not_friends_error()
        channel_id = await _insert_channel(tx.conn, "group", name, owner_id)
        await _add_recipients(tx.conn, channel_id, [owner_id, *wanted])
        channel = await load_channel(tx.conn, channel_id)
        tx.emit("CHANNEL_CREATE", channel)
        return channel


async def _group(conn: AsyncConnection, channel_id: str, user_id: str) -> Row:
    """The group channel, locked for this transaction; 404 unless the caller is a recipient."""
    lock = select(channels.c.id).where(channels.c.id == channel_id).with_for_update(key_share=True)
    await conn.execute(lock)
    channel = (await channel_access(conn, channel_id, user_id)).channel
    if channel["channel_type"] != "group":
        raise bad_request("only group DMs have recipients to add or remove", code="not_group_dm")
    return channel


async def add_recipient(ctx: Context, caller_id: str, channel_id: str, user_id: str) -> dict[str, Any]:
    """PUT /channels/{c}/recipients/{u}: the owner adds a friend (at most ten recipients).

    CHANNEL_UPDATE carries the new recipient list; adding someone already there changes nothing.
    """
    async with ctx.uow() as tx:
        channel = await _group(tx.conn, channel_id, caller_id)
        if channel["owner_id"] != caller_id:
            raise forbidden("only the group's owner can add recipients")
        current = await recipient_ids(tx.conn, channel_id)
        if user_id in current:
            return await load_channel(tx.conn, channel_id)
        await get_row(tx.conn, user_id)
        if not await friend_ids(tx.conn, caller_id, [user_id]):
            raise not_friends_error()
        if len(current) >= MAX_GROUP_RECIPIENTS:
            raise bad_request(f"a group holds at most {MAX_GROUP_RECIPIENTS} recipients", code="group_full")
        await _add_recipients(tx.conn, channel_id, [user_id])
        out = await load_channel(tx.conn, channel_id)
        tx.emit("CHANNEL_UPDATE", out)
        return out


async def remove_recipient(ctx: Context, caller_id: str, channel_id: str, user_id: str) -> None:
    """DELETE /channels/{c}/recipients/{u}: the owner removes anyone; anyone may leave.

    When the owner leaves, the earliest-added remaining recipient becomes owner. The last
    recipient leaving deletes the group (CHANNEL_DELETE to them); otherwise CHANNEL_UPDATE.
    """
    async with ctx.uow() as tx:
        channel = await _group(tx.conn, channel_id, caller_id)
        if user_id != caller_id and channel["owner_id"] != caller_id:
            raise forbidden("only the group's owner can remove other recipients")
        current = await recipient_ids(tx.conn, channel_id)
        if user_id not in current:
            raise not_found("recipient")
        remaining = [u for u in current if u != user_id]
        if not remaining:
            await tx.conn.execute(delete(channels).where(channels.c.id == channel_id))
            tx.emit("CHANNEL_DELETE", {"id": channel_id})
            return
        await tx.conn.execute(
            delete(channel_recipients).where(
                channel_recipients.c.channel_id == channel_id, channel_recipients.c.user_id == user_id
            )
        )
        if channel["owner_id"] not in remaining:
            await tx.conn.execute(update(channels).where(channels.c.id == channel_id).values(owner_id=remaining[0]))
        tx.emit("CHANNEL_UPDATE", await load_channel(tx.conn, channel_id))


async def rename_group(ctx: Context, caller_id: str, channel_id: str, name: str | None) -> dict[str, Any]:
    """PATCH /users/@me/group-dms/{c}: the owner renames the group (null clears the name)."""
    async with ctx.uow() as tx:
        channel = await _group(tx.conn, channel_id, caller_id)
        if channel["owner_id"] != caller_id:
            raise forbidden("only the group's owner can rename it")
        if channel["name"] != name:
            await tx.conn.execute(update(channels).where(channels.c.id == channel_id).values(name=name))
            out = await load_channel(tx.conn, channel_id)
            tx.emit("CHANNEL_UPDATE", out)
            return out
        return await load_channel(tx.conn, channel_id)


# ---- reading ------------------------------------------------------------------------------


async def load_dm_channels(conn: AsyncConnection, user_id: str) -> list[dict[str, Any]]:
    """The user's DMs and groups as whole channels, most recent activity first.

    Activity is the last message's id, or the channel's own id before any message; both
    are ULIDs, so they order by time.
    """
    q = (
        select(channels)
        .join(channel_recipients, channel_recipients.c.channel_id == channels.c.id)
        .where(
            channel_recipients.c.user_id == user_id,
            channels.c.guild_id.is_(None),
            channels.c.channel_type.in_(PRIVATE_TYPES),
        )
        .order_by(func.coalesce(channels.c.last_message_id, channels.c.id).desc(), channels.c.id.desc())
    )
    rows = list((await conn.execute(q)).mappings())
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    recipients: dict[str, list[Row]] = defaultdict(list)
    rq = (
        select(channel_recipients.c.channel_id.label("recipient_channel_id"), users)
        .join(users, users.c.id == channel_recipients.c.user_id)
        .where(channel_recipients.c.channel_id.in_(ids))
        .order_by(users.c.id)
    )
    for r in (await conn.execute(rq)).mappings():
        recipients[r["recipient_channel_id"]].append(r)
    overwrites: dict[str, list[Row]] = defaultdict(list)
    oq = (
        select(permission_overwrites)
        .where(permission_overwrites.c.channel_id.in_(ids))
        .order_by(permission_overwrites.c.target_id)
    )
    for o in (await conn.execute(oq)).mappings():
        overwrites[o["channel_id"]].append(o)
    return [channel_out(r, overwrites[r["id"]], recipients[r["id"]]) for r in rows]


async def list_dms(ctx: Context, user_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        return await load_dm_channels(conn, user_id)
