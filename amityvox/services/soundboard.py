"""Soundboard: short sounds a guild keeps for its voice channels, and playing them.

Sounds belong to a guild; the channel in the path picks the guild. Only their metadata
(name, volume, emoji) is stored: the audio itself is not uploaded here, clients
fetch it by the sound's id from wherever the instance keeps media. Adding and
removing sounds needs ManageEmoji (sounds are a guild's expressions, like its emoji).
Playing needs Speak in the voice channel the player is in, and is rate-limited per user.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import soundboard_sounds
from amityvox.errors import bad_request, conflict, forbidden, not_found, rate_limited
from amityvox.ids import new_id, now_iso
from amityvox.services.access import ChannelAccess
from amityvox.services.serialize import Row, soundboard_sound_out
from amityvox.services.voice import state_row as voice_state_row
from amityvox.services.voice import voice_channel

MAX_SOUNDS = 100  # per guild
MIN_NAME, MAX_NAME = 2, 32
MAX_EMOJI = 64
PLAY_LIMIT, PLAY_WINDOW = 5, 10.0  # plays per user per window (seconds)


def _guild_id(ca: ChannelAccess) -> str:
    if ca.guild_id is None:
        raise bad_request("soundboard sounds belong to guilds; calls have none", code="invalid_channel_type")
    return ca.guild_id


def _check_volume(volume: float) -> int:
    if not 0 <= volume <= 1:
        raise bad_request("volume must be between 0 and 1")
    return round(volume * 1000)


def _check_name(name: str) -> str:
    name = name.strip()
    if not MIN_NAME <= len(name) <= MAX_NAME:
        raise bad_request(f"name must be {MIN_NAME}-{MAX_NAME} characters")
    return name


async def list_sounds(ctx: Context, channel_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /voice/{c}/soundboard: the guild's sounds, oldest first."""
    async with ctx.db.read() as conn:
        guild_id = _guild_id(await voice_channel(conn, channel_id, user_id))
        q = select(soundboard_sounds).where(soundboard_sounds.c.guild_id == guild_id).order_by(soundboard_sounds.c.id)
        return [soundboard_sound_out(r) for r in (await conn.execute(q)).mappings()]


async def create_sound(
    ctx: Context, channel_id: str, user_id: str, name: str, volume: float = 1.0, emoji: str | None = None
) -> dict[str, Any]:
    """POST /voice/{c}/soundboard (ManageEmoji) → SOUNDBOARD_SOUND_CREATE to the guild."""
    name = _check_name(name)
    stored_volume = _check_volume(volume)
    if emoji is not None:
        emoji = emoji.strip() or None
    if emoji is not None and len(emoji) > MAX_EMOJI:
        raise bad_request(f"emoji must be at most {MAX_EMOJI} characters")
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, user_id)
        guild_id = _guild_id(ca)
        assert ca.guild_access is not None
        ca.guild_access.require(P.Perm.ManageEmoji)
        existing = list(
            await tx.conn.scalars(select(soundboard_sounds.c.name).where(soundboard_sounds.c.guild_id == guild_id))
        )
        if len(existing) >= MAX_SOUNDS:
            raise bad_request(f"a guild holds at most {MAX_SOUNDS} sounds", code="limit_reached")
        if name.casefold() in {n.casefold() for n in existing}:
            raise conflict("this guild already has a sound with that name")
        row = {
            "id": new_id(),
            "guild_id": guild_id,
            "name": name,
            "volume": stored_volume,
            "emoji": emoji,
            "creator_id": user_id,
            "created_at": now_iso(),
        }
        await tx.conn.execute(soundboard_sounds.insert().values(**row))
        sound = soundboard_sound_out(row)
        tx.emit("SOUNDBOARD_SOUND_CREATE", {"guild_id": guild_id, "sound": sound})
        return sound


async def _sound(conn: AsyncConnection, guild_id: str, sound_id: str) -> Row:
    q = select(soundboard_sounds).where(soundboard_sounds.c.id == sound_id, soundboard_sounds.c.guild_id == guild_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("sound")
    return row


async def delete_sound(ctx: Context, channel_id: str, user_id: str, sound_id: str) -> None:
    """DELETE /voice/{c}/soundboard/{s} (ManageEmoji) → SOUNDBOARD_SOUND_DELETE to the guild."""
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, user_id)
        guild_id = _guild_id(ca)
        assert ca.guild_access is not None
        ca.guild_access.require(P.Perm.ManageEmoji)
        row = await _sound(tx.conn, guild_id, sound_id)
        await tx.conn.execute(delete(soundboard_sounds).where(soundboard_sounds.c.id == row["id"]))
        tx.emit("SOUNDBOARD_SOUND_DELETE", {"guild_id": guild_id, "sound_id": row["id"]})


async def play_sound(
    ctx: Context, channel_id: str, user_id: str, sound_id: str, volume: float | None = None
) -> dict[str, Any]:
    """POST /voice/{c}/soundboard/{s}/play (Speak; in that channel; not server-muted) → SOUNDBOARD_PLAY."""
    if volume is not None:
        _check_volume(volume)
    limiter = ctx.limiter("soundboard-play", PLAY_LIMIT, PLAY_WINDOW)
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, user_id, need=P.Perm.Speak)
        guild_id = _guild_id(ca)
        state = await voice_state_row(tx.conn, user_id)
        if state is None or state["channel_id"] != channel_id:
            raise bad_request("you are not in this voice channel", code="not_in_voice")
        if state["mute"]:
            raise forbidden("you are server-muted in this guild", code="muted")
        row = await _sound(tx.conn, guild_id, sound_id)
        wait = limiter.hit(user_id)
        if wait:
            raise rate_limited(wait)
        payload = {
            "guild_id": guild_id,
            "channel_id": channel_id,
            "sound_id": row["id"],
            "user_id": user_id,
            "volume": volume if volume is not None else row["volume"] / 1000,
        }
        tx.emit("SOUNDBOARD_PLAY", payload)
        return payload
