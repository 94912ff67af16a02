"""Voice: who is in which voice channel or DM/group call, and what they do there.

A voice state is one row per user (`voice_states`), so every process sees the same
picture. Joining publishes VOICE_STATE_UPDATE to the channel's viewers (for a call:
its recipients), VOICE_SERVER_UPDATE with a LiveKit access token to the joiner and,
when the first person enters a DM/group call, CALL_RING to the other recipients.
Leaving publishes VOICE_STATE_UPDATE without a channel_id; the gateway routes it to
the channel the user was in. Moving to another channel is a leave followed by a
join, so the viewers of each channel learn what concerns them.

A state belongs to a gateway session (`session_id`): when that session ends, the
state goes with it. A REST join may name the caller's gateway session; without one
the state gets its own id and lasts until the user leaves.

Screen shares and broadcasts hang off the voice state: they need the user to be in
that channel, and they end (with their END events) when the user leaves it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from livekit import api as livekit
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.bus.base import Envelope
from amityvox.config import Settings
from amityvox.context import Context
from amityvox.db.schema import channels, guild_members, users, voice_broadcasts, voice_states
from amityvox.errors import ApiError, bad_request, conflict, forbidden, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import grants
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.reacts import reacts_to
from amityvox.services.serialize import Row, load_member, voice_state_out
from amityvox.services.users import public_user
from amityvox.uow import UnitOfWork

log = logging.getLogger("amityvox.voice")

VOICE_TYPES = ("voice", "stage")
CALL_TYPES = ("dm", "group")
MAX_SESSION_ID = 64
MAX_TITLE = 100
RESOLUTION = re.compile(r"^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$")
MAX_FRAMERATE = 144

WORKER_QUEUE = "voice"  # one API process handles each event when several share the bus


# ---- reading --------------------------------------------------------------------------------


def is_call(channel: Row) -> bool:
    return channel["channel_type"] in CALL_TYPES


async def voice_channel(conn: AsyncConnection, channel_id: str, user_id: str, need: int = 0) -> ChannelAccess:
    """The caller's access to a voice/stage channel or DM/group call: 404 unseen, 400 other types, 403 `need`."""
    ca = await channel_access(conn, channel_id, user_id)
    kind = ca.channel["channel_type"]
    if kind not in VOICE_TYPES + CALL_TYPES:
        raise bad_request(f"{kind} channels have no voice", code="invalid_channel_type")
    if need:
        ca.require(need)
    return ca


async def state_row(conn: AsyncConnection, user_id: str) -> Row | None:
    q = select(voice_states).where(voice_states.c.user_id == user_id)
    return (await conn.execute(q)).mappings().first()


async def _user_row(conn: AsyncConnection, user_id: str) -> Row:
    return (await conn.execute(select(users).where(users.c.id == user_id))).mappings().one()


async def render(conn: AsyncConnection, row: Row, *, left: bool = False) -> dict[str, Any]:
    return voice_state_out(row, await _user_row(conn, row["user_id"]), left=left)


async def states_in(conn: AsyncConnection, channel_ids: list[str]) -> list[dict[str, Any]]:
    """Every voice state in the given channels, ordered by channel then user."""
    if not channel_ids:
        return []
    q = (
        select(voice_states, users)
        .join(users, users.c.id == voice_states.c.user_id)
        .where(voice_states.c.channel_id.in_(channel_ids))
        .order_by(voice_states.c.channel_id, voice_states.c.user_id)
    )
    out = []
    for r in (await conn.execute(q)).mappings():
        # The join puts both tables' columns in one row; `id`/`created_at` come from users.
        out.append(voice_state_out(r, r))
    return out


async def list_states(ctx: Context, channel_id: str, user_id: str) -> list[dict[str, Any]]:
    """GET /voice/{c}/states: who is in a channel the caller can view."""
    async with ctx.db.read() as conn:
        await voice_channel(conn, channel_id, user_id)
        return await states_in(conn, [channel_id])


async def _own_state_in(conn: AsyncConnection, user_id: str, channel_id: str) -> Row:
    row = await state_row(conn, user_id)
    if row is None or row["channel_id"] != channel_id:
        raise bad_request("you are not in this voice channel", code="not_in_voice")
    return row


# ---- tokens ---------------------------------------------------------------------------------


def access_token(settings: Settings, user: Row, channel_id: str, perms: int) -> str:
    """A LiveKit token for the room named after the channel; what it may publish follows Speak and Stream."""
    sources = []
    if P.has(perms, P.Perm.Speak):
        sources.append("microphone")
    if P.has(perms, P.Perm.Stream):
        sources += ["camera", "screen_share", "screen_share_audio"]
    video_grants = livekit.VideoGrants(
        room_join=True,
        room=channel_id,
        can_subscribe=True,
        can_publish=bool(sources),
        can_publish_data=True,
        can_publish_sources=sources,
    )
    token = (
        livekit.AccessToken(settings.livekit_api_key, settings.livekit_api_secret)
        .with_identity(user["id"])
        .with_name(user["display_name"] or user["username"])
        .with_grants(video_grants)
        .with_ttl(timedelta(seconds=settings.voice_token_ttl_s))
    )
    return str(token.to_jwt())


def _server_update(settings: Settings, ca: ChannelAccess, user: Row) -> dict[str, Any]:
    out = {
        "user_id": user["id"],
        "channel_id": ca.channel["id"],
        "endpoint": settings.livekit_url,
        "token": access_token(settings, user, ca.channel["id"], ca.perms),
        "media": "livekit" if settings.livekit_web else "mesh",
        "ice_servers": ice_servers(settings),
        "max_peers": settings.voice_max_peers,
    }
    if ca.guild_id is not None:
        out["guild_id"] = ca.guild_id
    return out


# ---- entering and leaving -------------------------------------------------------------------


def share_out(row: Row) -> dict[str, Any]:
    """SCREEN_SHARE_* payload for a voice state that is (or was) streaming."""
    out: dict[str, Any] = {"session_id": row["session_id"], "channel_id": row["channel_id"], "user_id": row["user_id"]}
    for key, column in (
        ("guild_id", "guild_id"),
        ("resolution", "stream_resolution"),
        ("framerate", "stream_framerate"),
        ("audio_enabled", "stream_audio"),
    ):
        if row[column] is not None:
            out[key] = row[column]
    return out


def broadcast_out(row: Row) -> dict[str, Any]:
    out = {"broadcast_id": row["id"], "channel_id": row["channel_id"], "broadcaster_id": row["broadcaster_id"]}
    for key in ("guild_id", "title"):
        if row[key] is not None:
            out[key] = row[key]
    return out


async def _leave(tx: UnitOfWork, row: Row) -> None:
    """Remove a voice state and announce what ends with it: its screen share, its broadcast, then the leave."""
    if row["self_stream"]:
        tx.emit("SCREEN_SHARE_END", share_out(row))
    q = select(voice_broadcasts).where(
        voice_broadcasts.c.channel_id == row["channel_id"], voice_broadcasts.c.broadcaster_id == row["user_id"]
    )
    broadcast = (await tx.conn.execute(q)).mappings().first()
    if broadcast is not None:
        await tx.conn.execute(delete(voice_broadcasts).where(voice_broadcasts.c.id == broadcast["id"]))
        tx.emit("VOICE_BROADCAST_END", broadcast_out(broadcast))
    await tx.conn.execute(delete(voice_states).where(voice_states.c.user_id == row["user_id"]))
    tx.emit("VOICE_STATE_UPDATE", await render(tx.conn, row, left=True))


async def _enter(
    tx: UnitOfWork,
    ca: ChannelAccess,
    user: Row,
    session_id: str,
    self_mute: bool,
    self_deaf: bool,
    self_video: bool = False,
) -> Row:
    """Insert the user's state in `ca`'s channel (they are in no other) and announce it; ring a silent call."""
    channel = ca.channel
    if is_call(channel):
        # Lock the call so two people answering at once do not both ring it.
        await tx.conn.execute(select(channels.c.id).where(channels.c.id == channel["id"]).with_for_update())
        others = await tx.conn.scalar(
            select(func.count()).where(voice_states.c.channel_id == channel["id"], voice_states.c.user_id != user["id"])
        )
        if not others:
            tx.emit(
                "CALL_RING",
                {
                    "channel_id": channel["id"],
                    "caller_id": user["id"],
                    "caller": public_user(user),
                    "channel_type": channel["channel_type"],
                },
            )
    server = _server_flags(ca)
    values = {
        "user_id": user["id"],
        "channel_id": channel["id"],
        "guild_id": ca.guild_id,
        "session_id": session_id,
        "self_mute": self_mute,
        "self_deaf": self_deaf,
        "mute": server["mute"],
        "deaf": server["deaf"],
        "self_stream": False,
        "self_video": self_video,
        "stream_resolution": None,
        "stream_framerate": None,
        "stream_audio": None,
        "updated_at": now_iso(),
    }
    await tx.conn.execute(voice_states.insert().values(**values))
    tx.emit("VOICE_STATE_UPDATE", {**voice_state_out(values, user), "action": "join"})
    return values


def _server_flags(ca: ChannelAccess) -> dict[str, bool]:
    """Server mute and deafen in `ca`'s channel. They are the member's flags, which follow them into
    every channel of the guild; without Speak there a member is server-muted as well."""
    member = ca.guild_access.member if ca.guild_access is not None else None
    if member is None:  # calls have no moderation
        return {"mute": False, "deaf": False}
    return {"mute": bool(member["mute"]) or not P.has(ca.perms, P.Perm.Speak), "deaf": bool(member["deaf"])}


def _check_session_id(session_id: str | None) -> str | None:
    if session_id is not None and not 1 <= len(session_id) <= MAX_SESSION_ID:
        raise bad_request(f"session_id must be 1-{MAX_SESSION_ID} characters")
    return session_id


async def join(
    ctx: Context,
    user_id: str,
    channel_id: str,
    *,
    session_id: str | None = None,
    self_mute: bool | None = None,
    self_deaf: bool | None = None,
    self_video: bool | None = None,
    guild_id: str | None = None,
    refresh_token: bool = True,
) -> dict[str, Any]:
    """POST /voice/{c}/join and op 4: enter a channel (Connect; calls: recipients), leaving any other.

    Joining the channel one is already in only updates the self flags (and session);
    `refresh_token` then decides whether a new VOICE_SERVER_UPDATE is issued.
    Turning the camera on (`self_video`) needs Stream, like a screen share.
    Returns `{voice_state, endpoint, token, media, ice_servers, max_peers}`.
    """
    _check_session_id(session_id)
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, user_id, need=P.Perm.Connect)
        if self_video:
            ca.require(P.Perm.Stream)
        if guild_id is not None and guild_id != ca.guild_id:
            raise bad_request("guild_id does not match the channel's guild")
        user = await _user_row(tx.conn, user_id)
        current = await state_row(tx.conn, user_id)
        if current is not None and current["channel_id"] == channel_id:
            changes: dict[str, Any] = {}
            flags = (("self_mute", self_mute), ("self_deaf", self_deaf), ("self_video", self_video))
            for key, value in (*flags, ("session_id", session_id)):
                if value is not None and value != current[key]:
                    changes[key] = value
            row: Row = current
            if changes:
                await tx.conn.execute(
                    update(voice_states)
                    .where(voice_states.c.user_id == user_id)
                    .values(**changes, updated_at=now_iso())
                )
                row = {**current, **changes}
                tx.emit("VOICE_STATE_UPDATE", voice_state_out(row, user))
            joined = False
        else:
            if current is not None:
                await _leave(tx, current)
            sid = session_id or secrets.token_hex(16)
            row = await _enter(tx, ca, user, sid, bool(self_mute), bool(self_deaf), bool(self_video))
            joined = True
        server = _server_update(ctx.settings, ca, user)
        if joined or refresh_token:
            tx.emit("VOICE_SERVER_UPDATE", server)
        keys = ("endpoint", "token", "media", "ice_servers", "max_peers")
        return {"voice_state": voice_state_out(row, user), **{k: server[k] for k in keys}}


async def leave(ctx: Context, user_id: str, channel_id: str) -> None:
    """POST /voice/{c}/leave: only from the channel one is in (even if one can no longer view it)."""
    async with ctx.uow() as tx:
        current = await state_row(tx.conn, user_id)
        if current is None or current["channel_id"] != channel_id:
            await voice_channel(tx.conn, channel_id, user_id)
            raise bad_request("you are not in this voice channel", code="not_in_voice")
        await _leave(tx, current)


async def leave_current(ctx: Context, user_id: str, session_id: str | None = None) -> bool:
    """Leave whatever channel the user is in (op 4 with channel_id null, or a session ending).

    With `session_id`, only a state held by that session is removed. True when one was.
    """
    async with ctx.uow() as tx:
        current = await state_row(tx.conn, user_id)
        if current is None or (session_id is not None and current["session_id"] != session_id):
            return False
        await _leave(tx, current)
        return True


async def gateway_update(ctx: Context, user_id: str, session_id: str, d: dict[str, Any]) -> None:
    """Gateway op 4 `{guild_id?, channel_id|null, self_mute, self_deaf, self_video?}` (shape already checked)."""
    channel_id = d.get("channel_id")
    if channel_id is None:
        await leave_current(ctx, user_id)
        return
    await join(
        ctx,
        user_id,
        channel_id,
        session_id=session_id,
        self_mute=d.get("self_mute"),
        self_deaf=d.get("self_deaf"),
        self_video=d.get("self_video"),
        guild_id=d.get("guild_id"),
        refresh_token=False,
    )


# ---- signalling -----------------------------------------------------------------------------


def ice_servers(settings: Settings) -> list[dict[str, Any]]:
    """`[voice] ice_servers` as RTCConfiguration.iceServers; TURN URLs get the TURN credentials."""
    out: list[dict[str, Any]] = []
    for url in (u.strip() for u in settings.ice_servers.split(",")):
        if not url:
            continue
        server: dict[str, Any] = {"urls": [url]}
        if url.startswith(("turn:", "turns:")) and settings.turn_username:
            server["username"] = settings.turn_username
            server["credential"] = settings.turn_credential
        out.append(server)
    return out


async def signal(
    ctx: Context,
    user_id: str,
    channel_id: str,
    to_user_id: str,
    kind: str,
    sdp: str | None = None,
    candidate: dict[str, Any] | None = None,
) -> None:
    """POST /voice/{c}/signal: relay a WebRTC offer, answer or ICE candidate to one other
    participant → VOICE_SIGNAL to that user only.

    Both must be in `c` now (the sender still allowed to connect): a signal never reaches someone
    outside the call, nor comes from someone who left it. Nothing is stored.
    """
    if kind in ("offer", "answer") and (not sdp or candidate is not None):
        raise bad_request(f"an {kind} carries sdp and no candidate")
    if kind == "ice" and sdp is not None:
        raise bad_request("an ice signal carries a candidate and no sdp")
    if to_user_id == user_id:
        raise bad_request("a signal goes to another participant")
    async with ctx.db.read() as conn:
        await voice_channel(conn, channel_id, user_id, need=P.Perm.Connect)
        await _own_state_in(conn, user_id, channel_id)
        peer = await state_row(conn, to_user_id)
        if peer is None or peer["channel_id"] != channel_id:
            raise bad_request("that user is not in this voice channel", code="peer_not_in_voice")
    data: dict[str, Any] = {"channel_id": channel_id, "from_user_id": user_id, "to_user_id": to_user_id, "kind": kind}
    if sdp is not None:
        data["sdp"] = sdp
    if candidate is not None:
        data["candidate"] = candidate
    await ctx.publish("VOICE_SIGNAL", data)


# ---- moderation -----------------------------------------------------------------------------


async def _target_state(conn: AsyncConnection, target_id: str, channel_id: str) -> Row:
    row = await state_row(conn, target_id)
    if row is None or row["channel_id"] != channel_id:
        raise not_found("voice state")
    return row


async def _require_outranks(conn: AsyncConnection, ca: ChannelAccess, actor_id: str, target_id: str) -> None:
    """Voice moderation follows the role hierarchy like every other action on a member."""
    if ca.guild_access is not None and target_id != actor_id:
        await grants.require_outranks(conn, ca.guild_access, target_id)


async def set_server_flag(
    ctx: Context, actor_id: str, channel_id: str, target_id: str, flag: str, value: bool
) -> dict[str, Any]:
    """POST /voice/{c}/members/{u}/mute|deafen (MuteMembers / DeafenMembers in the channel).

    The flag is also the member's (GUILD_MEMBER_UPDATE), so it holds in every voice channel
    of the guild until lifted. Calls have no moderation: their recipients lack these bits.
    """
    need = P.Perm.MuteMembers if flag == "mute" else P.Perm.DeafenMembers
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, actor_id, need=need)
        row = await _target_state(tx.conn, target_id, channel_id)
        await _require_outranks(tx.conn, ca, actor_id, target_id)
        held = value
        if flag == "mute" and ca.guild_id is not None:  # lifting it leaves a member without Speak muted
            target = await channel_access(tx.conn, channel_id, target_id)
            held = value or not P.has(target.perms, P.Perm.Speak)
        if row[flag] != held:
            await tx.conn.execute(update(voice_states).where(voice_states.c.user_id == target_id).values({flag: held}))
            row = {**row, flag: held}
            tx.emit("VOICE_STATE_UPDATE", await render(tx.conn, row))
        if ca.guild_id is not None:
            result = await tx.conn.execute(
                update(guild_members)
                .where(
                    guild_members.c.guild_id == ca.guild_id,
                    guild_members.c.user_id == target_id,
                    guild_members.c[flag] != value,
                )
                .values({flag: value})
            )
            if result.rowcount:
                tx.emit("GUILD_MEMBER_UPDATE", await load_member(tx.conn, ca.guild_id, target_id))
        return await render(tx.conn, row)


async def move_member(ctx: Context, actor_id: str, channel_id: str, target_id: str, dest_id: str) -> dict[str, Any]:
    """POST /voice/{c}/members/{u}/move (MoveMembers): to a voice channel of the same guild the member can Connect to.

    The member leaves `c` and joins the target with the same session and flags, and gets
    a VOICE_SERVER_UPDATE for the new room.
    """
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, actor_id, need=P.Perm.MoveMembers)
        row = await _target_state(tx.conn, target_id, channel_id)
        await _require_outranks(tx.conn, ca, actor_id, target_id)
        if dest_id == channel_id:
            return await render(tx.conn, row)
        dest = await voice_channel(tx.conn, dest_id, actor_id)
        if dest.guild_id != ca.guild_id or dest.channel["channel_type"] not in VOICE_TYPES:
            raise bad_request("members can only be moved to a voice channel of the same guild", "invalid_channel_type")
        try:
            target_access = await channel_access(tx.conn, dest_id, target_id, need=P.Perm.Connect)
        except ApiError:
            raise forbidden("that member cannot connect to the target channel") from None
        user = await _user_row(tx.conn, target_id)
        await _leave(tx, row)
        moved = await _enter(tx, target_access, user, row["session_id"], row["self_mute"], row["self_deaf"])
        tx.emit("VOICE_SERVER_UPDATE", _server_update(ctx.settings, target_access, user))
        return voice_state_out(moved, user)


# ---- screen share ---------------------------------------------------------------------------


def _check_share(resolution: str | None, framerate: int | None) -> None:
    if resolution is not None and not RESOLUTION.match(resolution):
        raise bad_request("resolution must look like 1920x1080")
    if framerate is not None and not 1 <= framerate <= MAX_FRAMERATE:
        raise bad_request(f"framerate must be 1-{MAX_FRAMERATE}")


async def start_screen_share(
    ctx: Context,
    user_id: str,
    channel_id: str,
    *,
    resolution: str | None = None,
    framerate: int | None = None,
    audio_enabled: bool | None = None,
) -> dict[str, Any]:
    """POST /voice/{c}/screen-share (Stream; in the channel) → SCREEN_SHARE_START + VOICE_STATE_UPDATE."""
    _check_share(resolution, framerate)
    async with ctx.uow() as tx:
        await voice_channel(tx.conn, channel_id, user_id, need=P.Perm.Stream)
        row = await _own_state_in(tx.conn, user_id, channel_id)
        if row["self_stream"]:
            raise conflict("you are already sharing your screen", code="already_streaming")
        values = {
            "self_stream": True,
            "stream_resolution": resolution,
            "stream_framerate": framerate,
            "stream_audio": audio_enabled,
            "updated_at": now_iso(),
        }
        await tx.conn.execute(update(voice_states).where(voice_states.c.user_id == user_id).values(**values))
        row = {**row, **values}
        tx.emit("SCREEN_SHARE_START", share_out(row))
        tx.emit("VOICE_STATE_UPDATE", await render(tx.conn, row))
        return share_out(row)


async def update_screen_share(ctx: Context, user_id: str, channel_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH /voice/{c}/screen-share (Stream) → SCREEN_SHARE_UPDATE when something changed."""
    columns = {"resolution": "stream_resolution", "framerate": "stream_framerate", "audio_enabled": "stream_audio"}
    for key, value in changes.items():
        if value is None:
            raise bad_request(f"{key} cannot be null")
    _check_share(changes.get("resolution"), changes.get("framerate"))
    async with ctx.uow() as tx:
        await voice_channel(tx.conn, channel_id, user_id, need=P.Perm.Stream)
        row = await _own_state_in(tx.conn, user_id, channel_id)
        if not row["self_stream"]:
            raise bad_request("you are not sharing your screen", code="not_streaming")
        values = {columns[k]: v for k, v in changes.items() if row[columns[k]] != v}
        if values:
            await tx.conn.execute(update(voice_states).where(voice_states.c.user_id == user_id).values(**values))
            row = {**row, **values}
            tx.emit("SCREEN_SHARE_UPDATE", share_out(row))
        return share_out(row)


async def stop_screen_share(ctx: Context, user_id: str, channel_id: str) -> None:
    """DELETE /voice/{c}/screen-share → SCREEN_SHARE_END + VOICE_STATE_UPDATE (no permission needed to stop)."""
    async with ctx.uow() as tx:
        await voice_channel(tx.conn, channel_id, user_id)
        row = await _own_state_in(tx.conn, user_id, channel_id)
        if not row["self_stream"]:
            raise bad_request("you are not sharing your screen", code="not_streaming")
        values = {
            "self_stream": False,
            "stream_resolution": None,
            "stream_framerate": None,
            "stream_audio": None,
            "updated_at": now_iso(),
        }
        await tx.conn.execute(update(voice_states).where(voice_states.c.user_id == user_id).values(**values))
        tx.emit("SCREEN_SHARE_END", share_out(row))
        tx.emit("VOICE_STATE_UPDATE", await render(tx.conn, {**row, **values}))


# A voice state without Stream: no camera, no screen share.
_NO_STREAM: dict[str, Any] = {
    "self_stream": False,
    "self_video": False,
    "stream_resolution": None,
    "stream_framerate": None,
    "stream_audio": None,
}


# ---- broadcasts -----------------------------------------------------------------------------


async def start_broadcast(ctx: Context, user_id: str, channel_id: str, title: str | None) -> dict[str, Any]:
    """POST /voice/{c}/broadcast: one at a time per channel; PrioritySpeaker or a moderator in a guild,
    any participant in a call. The broadcaster must be in the channel."""
    if title is not None:
        title = title.strip() or None
    if title is not None and len(title) > MAX_TITLE:
        raise bad_request(f"title must be at most {MAX_TITLE} characters")
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, user_id)
        if ca.guild_access is not None and not (P.has(ca.perms, P.Perm.PrioritySpeaker) or ca.is_moderator):
            raise forbidden("you need the PrioritySpeaker permission in this channel or to be a moderator")
        await _own_state_in(tx.conn, user_id, channel_id)
        busy = await tx.conn.scalar(select(voice_broadcasts.c.id).where(voice_broadcasts.c.channel_id == channel_id))
        if busy is not None:
            raise conflict("a broadcast is already running in this channel", code="broadcast_active")
        row = {
            "id": new_id(),
            "channel_id": channel_id,
            "guild_id": ca.guild_id,
            "broadcaster_id": user_id,
            "title": title,
            "started_at": now_iso(),
        }
        await tx.conn.execute(voice_broadcasts.insert().values(**row))
        tx.emit("VOICE_BROADCAST_START", broadcast_out(row))
        return broadcast_out(row)


async def end_broadcast(ctx: Context, user_id: str, channel_id: str) -> None:
    """DELETE /voice/{c}/broadcast: by the broadcaster or a guild moderator → VOICE_BROADCAST_END."""
    async with ctx.uow() as tx:
        ca = await voice_channel(tx.conn, channel_id, user_id)
        q = select(voice_broadcasts).where(voice_broadcasts.c.channel_id == channel_id)
        row = (await tx.conn.execute(q)).mappings().first()
        if row is None:
            raise not_found("broadcast")
        if row["broadcaster_id"] != user_id and not ca.is_moderator:
            raise forbidden("only the broadcaster or a moderator can end this broadcast")
        await tx.conn.execute(delete(voice_broadcasts).where(voice_broadcasts.c.id == row["id"]))
        tx.emit("VOICE_BROADCAST_END", broadcast_out(row))


# ---- keeping states true when membership changes -------------------------------------------


async def _evict(settings: Settings, seats: list[tuple[str, str]]) -> None:
    """Ask LiveKit to drop each (room, user) whose voice seat was taken away.

    A LiveKit token stays good until it expires, and only a well-behaved client leaves the room
    when its seat goes: so with the web client on LiveKit (`livekit_web`), the server removes the
    participant itself. A LiveKit that cannot be reached is logged; the seat is gone regardless."""
    if not settings.livekit_web or not seats:
        return
    api = livekit.LiveKitAPI(settings.livekit_url, settings.livekit_api_key, settings.livekit_api_secret)
    try:
        for room, identity in seats:
            try:
                await api.room.remove_participant(livekit.RoomParticipantIdentity(room=room, identity=identity))
            except Exception as exc:  # an absent participant is an error to LiveKit, and so is a network fault
                log.warning("LiveKit did not remove %s from room %s: %s", identity, room, exc)
    finally:
        await api.aclose()


async def _drop_states(ctx: Context, where: Any) -> None:
    async with ctx.uow() as tx:
        rows = list((await tx.conn.execute(select(voice_states).where(where))).mappings())
        for row in rows:
            await _leave(tx, row)
    await _evict(ctx.settings, [(r["channel_id"], r["user_id"]) for r in rows])


async def _recheck(ctx: Context, where: Any) -> None:
    """States whose user can no longer view or connect to their channel end, as a leave would:
    losing access in the database must not leave a voice seat behind. The others follow the
    member's server mute and deafen, and Speak (see `_server_flags`); without Stream the camera
    goes off and a screen share ends."""
    gone: list[tuple[str, str]] = []
    async with ctx.uow() as tx:
        for row in list((await tx.conn.execute(select(voice_states).where(where))).mappings()):
            try:
                ca = await channel_access(tx.conn, row["channel_id"], row["user_id"], need=P.Perm.Connect)
            except ApiError:
                await _leave(tx, row)
                gone.append((row["channel_id"], row["user_id"]))
                continue
            wanted: dict[str, Any] = dict(_server_flags(ca)) if ca.guild_id is not None else {}
            if not P.has(ca.perms, P.Perm.Stream):
                wanted.update(_NO_STREAM)
            values = {k: v for k, v in wanted.items() if row[k] != v}
            if values:
                if row["self_stream"] and not values.get("self_stream", True):
                    tx.emit("SCREEN_SHARE_END", share_out(row))
                q = update(voice_states).where(voice_states.c.user_id == row["user_id"]).values(**values)
                await tx.conn.execute(q)
                tx.emit("VOICE_STATE_UPDATE", await render(tx.conn, {**row, **values}))
    await _evict(ctx.settings, gone)


async def on_event(ctx: Context, env: Envelope) -> None:
    """Leave voice for users who lost the guild, the group, or the right to view or connect to
    their channel; mirror member mute/deafen and the right to speak."""
    d = env.data
    if env.name == "GUILD_MEMBER_REMOVE":
        await _drop_states(ctx, (voice_states.c.guild_id == d["guild_id"]) & (voice_states.c.user_id == d["user_id"]))
    elif env.name == "GUILD_MEMBERS_PRUNE" and d["user_ids"]:
        await _drop_states(ctx, (voice_states.c.guild_id == d["guild_id"]) & voice_states.c.user_id.in_(d["user_ids"]))
    elif env.name == "CHANNEL_UPDATE" and d.get("recipients") is not None:
        kept = [u["id"] for u in d["recipients"]]
        await _drop_states(ctx, (voice_states.c.channel_id == d["id"]) & voice_states.c.user_id.not_in(kept))
    elif env.name == "CHANNEL_UPDATE":  # overwrites changed
        await _recheck(ctx, voice_states.c.channel_id == d["id"])
    elif env.name == "GUILD_MEMBER_UPDATE":  # roles, timeout, server mute or deafen changed
        await _recheck(ctx, (voice_states.c.guild_id == d["guild_id"]) & (voice_states.c.user_id == d["user_id"]))
    elif env.name in ("GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE", "GUILD_UPDATE"):
        guild_id = d["id"] if env.name == "GUILD_UPDATE" else d["guild_id"]
        await _recheck(ctx, voice_states.c.guild_id == guild_id)


# The events that can strand a voice state.
_upkeep = reacts_to(
    "GUILD_MEMBER_REMOVE",
    "GUILD_MEMBERS_PRUNE",
    "GUILD_MEMBER_UPDATE",
    "GUILD_ROLE_UPDATE",
    "GUILD_ROLE_DELETE",
    "GUILD_UPDATE",
    "CHANNEL_UPDATE",
    queue=WORKER_QUEUE,
)(on_event)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    """Subscribe the upkeep above to the events that can strand a voice state."""
    await _upkeep.subscribe(ctx)
    return []
