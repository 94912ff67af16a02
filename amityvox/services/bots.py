"""Bots: user accounts owned by a person, driven by tokens instead of a password.

A bot is a `users` row with `bot_owner_id` set and the BOT flag; it has no password,
so it cannot log in, and acts only through tokens its owner issues. With a token it
is an ordinary API and gateway client (it joins guilds by invite, posts messages).
Its owner (or the bot itself) sets the presence its friends and co-members see. When
someone clicks a component on a bot's message, only that bot's sessions hear of it.
"""

from __future__ import annotations

from typing import Any, get_args

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import auth_sessions, bot_presences, users
from amityvox.db.upserts import upsert
from amityvox.errors import bad_request, conflict, forbidden, not_found, rate_limited
from amityvox.events.payloads import ComponentType, settable_status
from amityvox.ids import new_id, now_iso
from amityvox.services import auth
from amityvox.services.access import channel_access
from amityvox.services.messages import load_message_row
from amityvox.services.serialize import Row
from amityvox.services.users import ACTIVITY_TYPES, check_username, get_row, public_user, username_key

BOT_FLAG = 1 << 0  # users.flags: the account is a bot
MAX_BOTS_PER_OWNER = 25
BOT_STATUSES = ("online", "idle", "busy", "offline")
COMPONENT_TYPES = get_args(ComponentType)
MAX_VALUES = 25
MAX_CUSTOM_ID = 100
INTERACTIONS_PER_WINDOW, INTERACTION_WINDOW_S = 20, 5.0


def is_bot(row: Row) -> bool:
    return row["bot_owner_id"] is not None


def presence_out(bot_id: str, row: Row | None) -> dict[str, Any]:
    """BOT_PRESENCE_UPDATE's shape; a bot whose presence was never set is offline."""
    out: dict[str, Any] = {"bot_id": bot_id, "status": row["status"] if row is not None else "offline"}
    if row is not None and row["activity"] is not None:
        out["activity"] = row["activity"]
    return out


def bot_out(user_row: Row, presence_row: Row | None) -> dict[str, Any]:
    """A bot as its owner sees it: the public User plus its presence."""
    return {"user": public_user(user_row), "presence": presence_out(user_row["id"], presence_row)}


async def _presence_row(conn: AsyncConnection, bot_id: str) -> Row | None:
    q = select(bot_presences).where(bot_presences.c.bot_id == bot_id)
    return (await conn.execute(q)).mappings().first()


async def bot_row(conn: AsyncConnection, bot_id: str) -> Row:
    row = (await conn.execute(select(users).where(users.c.id == bot_id))).mappings().first()
    if row is None or row["deleted_at"] is not None or not is_bot(row):
        raise not_found("bot")
    return row


def _require_owner(bot: Row, caller_id: str, *, or_self: bool = False) -> None:
    if bot["bot_owner_id"] == caller_id or (or_self and bot["id"] == caller_id):
        return
    raise forbidden("only the bot's owner can do this")


async def list_bots(ctx: Context, owner_id: str) -> list[dict[str, Any]]:
    """GET /users/@me/bots: the caller's bots, oldest first."""
    async with ctx.db.read() as conn:
        q = (
            select(users, bot_presences.c.status, bot_presences.c.activity)
            .outerjoin(bot_presences, bot_presences.c.bot_id == users.c.id)
            .where(users.c.bot_owner_id == owner_id, users.c.deleted_at.is_(None))
            .order_by(users.c.id)
        )
        rows = list((await conn.execute(q)).mappings())
    return [bot_out(r, r if r["status"] is not None else None) for r in rows]


async def create_bot(ctx: Context, owner_id: str, username: str) -> dict[str, Any]:
    """POST /users/@me/bots: a new bot account owned by the caller (no token yet, no event)."""
    check_username(username)
    bot_id = new_id()
    try:
        async with ctx.uow() as tx:
            owner = await get_row(tx.conn, owner_id)
            if is_bot(owner):
                raise forbidden("bots cannot own bots", code="bots_cannot_own_bots")
            owned = select(func.count()).where(users.c.bot_owner_id == owner_id, users.c.deleted_at.is_(None))
            if (await tx.conn.scalar(owned) or 0) >= MAX_BOTS_PER_OWNER:
                raise conflict(f"a user can own at most {MAX_BOTS_PER_OWNER} bots", code="too_many_bots")
            key = username_key(username)
            if await tx.conn.scalar(select(users.c.id).where(users.c.username_key == key)):
                raise conflict("that username is taken", code="username_taken")
            await tx.conn.execute(
                insert(users).values(
                    id=bot_id,
                    username=username,
                    username_key=key,
                    password_hash=None,  # never logs in with a password
                    status_presence="online",
                    bot_owner_id=owner_id,
                    flags=BOT_FLAG,
                    is_admin=False,
                    created_at=now_iso(),
                )
            )
            row = await bot_row(tx.conn, bot_id)
    except IntegrityError:  # a concurrent registration won the race for the name
        raise conflict("that username is taken", code="username_taken") from None
    return bot_out(row, None)


async def create_token(ctx: Context, bot_id: str, caller_id: str) -> dict[str, Any]:
    """POST /bots/{b}/tokens (owner only): a new bearer token for the bot; earlier ones stay valid."""
    async with ctx.uow() as tx:
        bot = await bot_row(tx.conn, bot_id)
        _require_owner(bot, caller_id)
        token = await auth.issue_token(ctx, tx.conn, bot_id)
    return {"user": public_user(bot), "token": token}


async def reset_token(ctx: Context, bot_id: str, caller_id: str) -> dict[str, Any]:
    """POST /bots/{b}/tokens/reset (owner only): every earlier token of the bot is revoked, its
    gateway sessions close with 4004 (SESSIONS_REVOKE), and one new token is issued."""
    async with ctx.uow() as tx:
        bot = await bot_row(tx.conn, bot_id)
        _require_owner(bot, caller_id)
        await tx.conn.execute(delete(auth_sessions).where(auth_sessions.c.user_id == bot_id))
        token = await auth.issue_token(ctx, tx.conn, bot_id)
        tx.emit("SESSIONS_REVOKE", {"user_id": bot_id, "all_but": auth.hash_token(token)})
    return {"user": public_user(bot), "token": token}


async def set_presence(
    ctx: Context, bot_id: str, caller_id: str, status: str, activity: dict[str, str] | None
) -> dict[str, Any]:
    """PUT /bots/{b}/presence (owner or the bot) → BOT_PRESENCE_UPDATE to the bot's social circle."""
    canonical = settable_status(status, BOT_STATUSES)
    if canonical is None:
        raise bad_request(f"status must be one of {', '.join(BOT_STATUSES)} (or dnd)")
    status = canonical
    if activity is not None:
        name = activity["name"].strip()
        if not name:
            raise bad_request("activity name must not be blank")
        if activity["type"] not in ACTIVITY_TYPES:
            raise bad_request(f"activity type must be one of {', '.join(ACTIVITY_TYPES)}")
        activity = {"type": activity["type"], "name": name}
    async with ctx.uow() as tx:
        bot = await bot_row(tx.conn, bot_id)
        _require_owner(bot, caller_id, or_self=True)
        values = {"bot_id": bot_id, "status": status, "activity": activity, "updated_at": now_iso()}
        await upsert(tx.conn, bot_presences, ["bot_id"], values, ["status", "activity", "updated_at"])
        presence = presence_out(bot_id, values)
        tx.emit("BOT_PRESENCE_UPDATE", presence)
        return presence


async def interact(
    ctx: Context,
    user_id: str,
    channel_id: str,
    message_id: str,
    custom_id: str,
    component_type: str,
    values: list[str],
) -> dict[str, Any]:
    """POST /bots/interactions (ViewChannel) → COMPONENT_INTERACTION to the bot that wrote the message.

    Nothing is stored: the bot answers the click through the normal API.
    """
    if component_type not in COMPONENT_TYPES:
        raise bad_request(f"component_type must be one of {', '.join(COMPONENT_TYPES)}")
    if not custom_id or len(custom_id) > MAX_CUSTOM_ID:
        raise bad_request(f"custom_id must be 1-{MAX_CUSTOM_ID} characters")
    if component_type == "button" and values:
        raise bad_request("a button sends no values")
    if len(values) > MAX_VALUES or any(not v or len(v) > MAX_CUSTOM_ID for v in values):
        raise bad_request(f"values holds at most {MAX_VALUES} strings of 1-{MAX_CUSTOM_ID} characters")
    wait = ctx.limiter("bot-interactions", INTERACTIONS_PER_WINDOW, INTERACTION_WINDOW_S).retry_after(user_id)
    if wait:
        raise rate_limited(wait)
    async with ctx.uow() as tx:
        await channel_access(tx.conn, channel_id, user_id)
        message = await load_message_row(tx.conn, channel_id, message_id)
        author = (await tx.conn.execute(select(users).where(users.c.id == message["author_id"]))).mappings().first()
        if author is None or author["deleted_at"] is not None or not is_bot(author):
            raise bad_request("only a bot's message has components to interact with", code="not_a_bot_message")
        ctx.limiter("bot-interactions", INTERACTIONS_PER_WINDOW, INTERACTION_WINDOW_S).hit(user_id)
        interaction = {
            "message_id": message["id"],
            "channel_id": channel_id,
            "user_id": user_id,
            "custom_id": custom_id,
            "component_type": component_type,
            "values": list(values),
            "bot_id": author["id"],
        }
        tx.emit("COMPONENT_INTERACTION", interaction)
        return interaction
