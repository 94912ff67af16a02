"""Users: the public and self views, lookups, profile edits and account deletion."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, get_args

from sqlalchemy import delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import (
    account_tokens,
    auth_sessions,
    channel_notification_prefs,
    guild_members,
    guilds,
    login_tickets,
    passkeys,
    saved_messages,
    totp_backup_codes,
    user_settings,
    user_totp,
    users,
    webauthn_challenges,
)
from amityvox.errors import ApiError, bad_request, conflict, not_found
from amityvox.events.payloads import SETTABLE_STATUSES, PresenceActivityType, settable_status
from amityvox.ids import now_iso
from amityvox.services import media, members
from amityvox.services.names import clean_name
from amityvox.services.serialize import guild_out, public_user, self_user
from amityvox.uow import UnitOfWork

USERNAME_RE = re.compile(r"[A-Za-z0-9_.\-]{2,32}")  # always fullmatch: `$` would let a trailing newline in
MAX_DISPLAY_NAME = 64
ACTIVITY_TYPES = get_args(PresenceActivityType)


def username_key(username: str) -> str:
    return username.casefold()


def check_username(username: str) -> str:
    """A username is taken as sent or refused, never altered: only ASCII letters, digits, '_', '.'
    and '-', so no whitespace, invisible character or non-ASCII look-alike can hide in it."""
    if USERNAME_RE.fullmatch(username) is None:
        hint = ""
        plain = unicodedata.normalize("NFKC", username).strip()
        if plain != username and USERNAME_RE.fullmatch(plain):
            hint = f" (did you mean {plain!r}?)"
        raise bad_request(f"username must be 2-32 characters: letters, digits, '_', '.' or '-'{hint}")
    return username


async def get_row(conn: AsyncConnection, user_id: str) -> RowMapping:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).mappings().first()
    if row is None or row["deleted_at"] is not None:
        raise not_found("user")
    return row


async def get_user(ctx: Context, user_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        return public_user(await get_row(conn, user_id))


async def update_me(ctx: Context, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /users/@me → USER_UPDATE to the user's social circle."""
    values: dict[str, Any] = {}
    for key in ("display_name", "status_text", "bio", "avatar_id"):
        if key in changes:
            values[key] = changes[key] or None
    if values.get("display_name") is not None:
        values["display_name"] = clean_name(values["display_name"], "display_name", MAX_DISPLAY_NAME)
    if "status_presence" in changes:
        status = settable_status(changes["status_presence"])
        if status is None:
            raise bad_request(f"status_presence must be one of {', '.join(SETTABLE_STATUSES)} (or dnd)")
        values["status_presence"] = status
    if "username" in changes and changes["username"] is not None:
        name = check_username(changes["username"])
        values["username"] = name
        values["username_key"] = username_key(name)
    async with ctx.uow() as tx:
        if "username_key" in values:
            taken = await tx.conn.scalar(
                select(users.c.id).where(users.c.username_key == values["username_key"], users.c.id != user_id)
            )
            if taken:
                raise conflict("that username is taken", code="username_taken")
        await get_row(tx.conn, user_id)
        if values.get("avatar_id") is not None:
            values["avatar_id"] = await media.require_media(tx.conn, values["avatar_id"], "avatar", user_id)
        if values:
            await tx.conn.execute(update(users).where(users.c.id == user_id).values(**values))
        row = await get_row(tx.conn, user_id)
        if values:
            tx.emit("USER_UPDATE", public_user(row))
        return self_user(row)


DELETED_NAME = "Deleted User"
_PRIVATE_TABLES = (
    account_tokens,
    channel_notification_prefs,
    login_tickets,
    passkeys,
    saved_messages,
    totp_backup_codes,
    user_settings,
    user_totp,
    webauthn_challenges,
)


async def require_no_owned_guilds(conn: AsyncConnection, user_id: str) -> None:
    """An owner's account cannot go while it owns guilds: 400 `owner_cannot_delete`, naming them."""
    owned = (await conn.execute(select(guilds.c.id, guilds.c.name).where(guilds.c.owner_id == user_id))).all()
    if owned:
        names = ", ".join(name for _, name in owned[:5]) + (", …" if len(owned) > 5 else "")
        raise ApiError(
            400,
            "owner_cannot_delete",
            f"you own {len(owned)} guild{'s' if len(owned) > 1 else ''} ({names}): transfer ownership or delete"
            " them first",
            guild_ids=[guild_id for guild_id, _ in owned],
        )


async def delete_account(tx: UnitOfWork, user_id: str) -> None:
    """Erase an account inside the caller's unit of work (at the end of a requested deletion's
    grace period, services/account_deletion.py; an administrator's deletion): anonymise it
    (`deleted-…`, shown as "Deleted User"; no e-mail, password or profile), leave every guild
    (GUILD_MEMBER_REMOVE to each) and revoke every token of the user and of the bots they own,
    closing those gateway sessions (SESSIONS_REVOKE). Messages stay, attributed to the
    anonymised account. An owner must first hand over or delete their guilds."""
    await get_row(tx.conn, user_id)
    await require_no_owned_guilds(tx.conn, user_id)
    bot_ids = list(
        await tx.conn.scalars(select(users.c.id).where(users.c.bot_owner_id == user_id, users.c.deleted_at.is_(None)))
    )
    for account in (user_id, *bot_ids):
        await tx.conn.execute(delete(auth_sessions).where(auth_sessions.c.user_id == account))
        tx.emit("SESSIONS_REVOKE", {"user_id": account})
    # What only the user ever saw goes with the account; what others share (messages, DMs,
    # friendships, which outlive the profile) stays.
    for table in _PRIVATE_TABLES:
        await tx.conn.execute(delete(table).where(table.c.user_id == user_id))
    tombstone = f"deleted-{user_id[-10:].lower()}"
    await tx.conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(
            username=tombstone,
            username_key=tombstone,
            display_name=DELETED_NAME,
            avatar_id=None,
            status_text=None,
            bio=None,
            email=None,
            email_key=None,
            email_verified=False,
            password_hash=None,
            deleted_at=now_iso(),
        )
    )
    row = (await tx.conn.execute(select(users).where(users.c.id == user_id))).mappings().one()
    tx.emit("USER_UPDATE", public_user(row))
    for guild_id in await guild_ids_of(tx.conn, user_id):
        if await members.remove_member(tx.conn, guild_id, user_id):
            tx.emit("GUILD_MEMBER_REMOVE", {"guild_id": guild_id, "user_id": user_id})


async def list_guilds(ctx: Context, user_id: str) -> list[dict[str, Any]]:
    """GET /users/@me/guilds: the guilds the user is a member of, oldest first."""
    q = (
        select(guilds)
        .join(guild_members, guild_members.c.guild_id == guilds.c.id)
        .where(guild_members.c.user_id == user_id)
        .order_by(guilds.c.id)
    )
    async with ctx.db.read() as conn:
        return [guild_out(g) for g in (await conn.execute(q)).mappings()]


async def set_activity(ctx: Context, user_id: str, activity: dict[str, str] | None) -> dict[str, Any]:
    """PUT /users/@me/activity → PRESENCE_UPDATE to the user's social circle.

    The status is the user's chosen presence; an invisible user shows as offline and
    their activity is withheld, since publishing it would reveal them.
    """
    if activity is not None:
        name = activity["name"].strip()
        if not name:
            raise bad_request("activity name must not be blank")
        if activity["type"] not in ACTIVITY_TYPES:
            raise bad_request(f"activity type must be one of {', '.join(ACTIVITY_TYPES)}")
        activity = {"type": activity["type"], "name": name}
    async with ctx.uow() as tx:
        row = await get_row(tx.conn, user_id)
        invisible = row["status_presence"] == "invisible"
        presence: dict[str, Any] = {"user_id": user_id, "status": "offline" if invisible else row["status_presence"]}
        if activity is not None and not invisible:
            presence["activity"] = activity
        tx.emit("PRESENCE_UPDATE", presence)
        return presence


async def guild_ids_of(conn: AsyncConnection, user_id: str) -> list[str]:
    q = select(guild_members.c.guild_id).where(guild_members.c.user_id == user_id).order_by(guild_members.c.guild_id)
    return list(await conn.scalars(q))
