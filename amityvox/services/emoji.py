"""Custom guild emoji: list, add, rename and delete (ManageEmoji)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import custom_emoji
from amityvox.errors import bad_request, conflict, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import access, audit_log, media
from amityvox.services.serialize import emoji_out, load_guild_emoji

MAX_PER_GUILD = 100
NAME_RE = re.compile(r"^[A-Za-z0-9_]{2,32}$")


def _check_name(name: str | None) -> str:
    if name is None or not NAME_RE.match(name):
        raise bad_request("name must be 2-32 characters: letters, digits or '_'")
    return name


async def _name_taken(conn: AsyncConnection, guild_id: str, name: str, except_id: str | None = None) -> None:
    q = select(custom_emoji.c.id).where(custom_emoji.c.guild_id == guild_id, custom_emoji.c.name == name)
    if except_id is not None:
        q = q.where(custom_emoji.c.id != except_id)
    if await conn.scalar(q) is not None:
        raise conflict("this guild already has an emoji with that name", code="name_taken")


async def _row(conn: AsyncConnection, guild_id: str, emoji_id: str) -> Any:
    q = select(custom_emoji).where(custom_emoji.c.id == emoji_id, custom_emoji.c.guild_id == guild_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("emoji")
    return row


async def list_emoji(ctx: Context, guild_id: str, user_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        await access.guild_access(conn, guild_id, user_id)
        return await load_guild_emoji(conn, guild_id)


async def create_emoji(
    ctx: Context, guild_id: str, user_id: str, name: str, animated: bool = False, image_id: str | None = None
) -> dict[str, Any]:
    """POST /guilds/{g}/emoji → GUILD_EMOJI_UPDATE. With `image_id` (the caller's own upload of
    kind emoji) the emoji takes that id, so its picture is at GET /files/{emoji id}."""
    name = _check_name(name)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageEmoji)
        count = await tx.conn.scalar(select(func.count()).where(custom_emoji.c.guild_id == guild_id))
        if (count or 0) >= MAX_PER_GUILD:
            raise bad_request(f"a guild has at most {MAX_PER_GUILD} custom emoji", code="limit_reached")
        await _name_taken(tx.conn, guild_id, name)
        emoji_id = new_id()
        if image_id is not None:
            emoji_id = await media.require_media(tx.conn, image_id, "emoji", user_id)
            if await tx.conn.scalar(select(custom_emoji.c.id).where(custom_emoji.c.id == emoji_id)):
                raise conflict("that image is already an emoji", code="media_in_use")
        await tx.conn.execute(
            custom_emoji.insert().values(
                id=emoji_id, guild_id=guild_id, name=name, creator_id=user_id, animated=animated, created_at=now_iso()
            )
        )
        out = emoji_out(await _row(tx.conn, guild_id, emoji_id))
        tx.emit("GUILD_EMOJI_UPDATE", out)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.EMOJI_CREATE,
            target_type="emoji", target_id=emoji_id, new=out,
        )  # fmt: skip
        return out


async def rename_emoji(ctx: Context, guild_id: str, user_id: str, emoji_id: str, name: str) -> dict[str, Any]:
    """PATCH /guilds/{g}/emoji/{e} → GUILD_EMOJI_UPDATE with the whole emoji."""
    name = _check_name(name)
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageEmoji)
        row = await _row(tx.conn, guild_id, emoji_id)
        if row["name"] == name:
            return emoji_out(row)
        await _name_taken(tx.conn, guild_id, name, except_id=emoji_id)
        await tx.conn.execute(update(custom_emoji).where(custom_emoji.c.id == emoji_id).values(name=name))
        out = emoji_out(await _row(tx.conn, guild_id, emoji_id))
        tx.emit("GUILD_EMOJI_UPDATE", out)
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.EMOJI_UPDATE,
            target_type="emoji", target_id=emoji_id, old=emoji_out(row), new=out,
        )  # fmt: skip
        return out


async def delete_emoji(ctx: Context, guild_id: str, user_id: str, emoji_id: str) -> None:
    """DELETE /guilds/{g}/emoji/{e} → GUILD_EMOJI_DELETE."""
    async with ctx.uow() as tx:
        ga = await access.guild_access(tx.conn, guild_id, user_id)
        ga.require(P.Perm.ManageEmoji)
        row = await _row(tx.conn, guild_id, emoji_id)
        await tx.conn.execute(delete(custom_emoji).where(custom_emoji.c.id == emoji_id))
        tx.emit("GUILD_EMOJI_DELETE", {"id": emoji_id, "guild_id": guild_id})
        await audit_log.record(
            tx, guild_id=guild_id, actor_id=user_id, action=audit_log.Action.EMOJI_DELETE,
            target_type="emoji", target_id=emoji_id, old=emoji_out(row),
        )  # fmt: skip
