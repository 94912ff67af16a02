"""A user's own settings: theme, locale, notification defaults and privacy.

One document per user (`user_settings`), validated by `SettingsValues`; a user without a
row has the defaults. A change publishes USER_SETTINGS_UPDATE with the whole document to
every session of that user, so their other tabs and devices follow at once.

The privacy fields are rules the server keeps: `dm_privacy` decides who may open a DM with
the user, `friend_request_privacy` who may send them a friend request.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox.context import Context
from amityvox.db.schema import guild_members, relationships, user_settings, users
from amityvox.db.upserts import upsert
from amityvox.errors import bad_request, forbidden
from amityvox.events.payloads import SettingsValues
from amityvox.ids import now_iso

FIELDS = frozenset(SettingsValues.model_fields)


async def load(conn: AsyncConnection, user_id: str) -> SettingsValues:
    """The user's settings, defaults filled in."""
    stored = await conn.scalar(select(user_settings.c.settings).where(user_settings.c.user_id == user_id))
    return SettingsValues.model_validate(stored or {})


def settings_out(user_id: str, values: SettingsValues) -> dict[str, Any]:
    """The wire document: every field, nulls omitted (docs/protocol.md#usersettings)."""
    return {"user_id": user_id, **values.model_dump(exclude_none=True)}


async def get_settings(ctx: Context, user_id: str) -> dict[str, Any]:
    """GET /users/@me/settings."""
    async with ctx.db.read() as conn:
        return settings_out(user_id, await load(conn, user_id))


async def update_settings(ctx: Context, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /users/@me/settings: the named fields change (null: back to the default), the
    rest stay. USER_SETTINGS_UPDATE goes to the user's sessions when anything changed."""
    if unknown := sorted(set(changes) - FIELDS):
        raise bad_request(f"unknown settings: {', '.join(unknown)}", code="invalid_body")
    async with ctx.uow() as tx:
        # Two PATCHes at once: the second waits for the first and sees it (SQLite has one writer).
        await tx.conn.execute(select(users.c.id).where(users.c.id == user_id).with_for_update(key_share=True))
        current = await load(tx.conn, user_id)
        merged = current.model_dump(exclude_none=True)
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        try:
            values = SettingsValues.model_validate(merged, strict=True)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise bad_request(f"{where}: {first['msg']}", code="invalid_body") from None
        if values == current:
            return settings_out(user_id, values)
        document = values.model_dump(exclude_defaults=True, exclude_none=True)
        row = {"user_id": user_id, "settings": document, "updated_at": now_iso()}
        await upsert(tx.conn, user_settings, ("user_id",), row, ("settings", "updated_at"))
        out = settings_out(user_id, values)
        tx.emit("USER_SETTINGS_UPDATE", out)
        return out


# ---- privacy, as the other services ask for it --------------------------------------------


async def check_dm_allowed(conn: AsyncConnection, sender_id: str, target_id: str) -> None:
    """403 `dm_privacy` unless the target's `dm_privacy` lets the sender open a DM with them."""
    rule = (await load(conn, target_id)).dm_privacy
    if rule == "everyone" or (rule == "friends" and await _friends(conn, target_id, sender_id)):
        return
    raise forbidden("this user does not accept direct messages from you", code="dm_privacy")


async def check_friend_request_allowed(conn: AsyncConnection, sender_id: str, target_id: str) -> None:
    """403 `friend_request_privacy` unless the target's rule lets the sender ask them."""
    rule = (await load(conn, target_id)).friend_request_privacy
    if rule == "everyone" or (rule == "mutual_guilds" and await _share_a_guild(conn, sender_id, target_id)):
        return
    raise forbidden("this user does not accept friend requests from you", code="friend_request_privacy")


async def _friends(conn: AsyncConnection, a: str, b: str) -> bool:
    q = select(relationships.c.type).where(relationships.c.user_id == a, relationships.c.target_id == b)
    return await conn.scalar(q) == "friend"


async def _share_a_guild(conn: AsyncConnection, a: str, b: str) -> bool:
    theirs = select(guild_members.c.guild_id).where(guild_members.c.user_id == b)
    q = select(guild_members.c.guild_id).where(guild_members.c.user_id == a, guild_members.c.guild_id.in_(theirs))
    return await conn.scalar(q.limit(1)) is not None
