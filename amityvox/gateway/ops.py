"""What a client sends (docs/protocol.md): decoding its frames, and the ops of an identified
session — presence, typing, member requests, voice state and subscriptions."""

from __future__ import annotations

from typing import Any, Protocol

import orjson

from amityvox.events.payloads import SETTABLE_STATUSES, settable_status
from amityvox.gateway.backend import Backend
from amityvox.gateway.indexes import World
from amityvox.gateway.presence import Presence
from amityvox.gateway.protocol import CLIENT_OPS, Close, Closing, Dispatch, Op
from amityvox.gateway.session import Session


class Host(Protocol):
    """What the ops need of the gateway (`server.Gateway`)."""

    backend: Backend
    world: World
    presence: Presence

    async def publish_presence(self, user_id: str, status: str) -> None: ...

    async def send_own(self, session: Session, dispatch: Dispatch, position: int | None = None) -> None: ...


def decode(raw: str | bytes) -> tuple[int, Any]:
    """A frame's op and `d`; a frame that is not JSON, or names no known client op, closes the connection."""
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Closing(Close.DECODE_ERROR, "frames must be JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("op"), int) or isinstance(frame.get("op"), bool):
        raise Closing(Close.DECODE_ERROR, "frames must be objects with an integer op")
    op = frame["op"]
    if op not in CLIENT_OPS:
        raise Closing(Close.UNKNOWN_OPCODE, f"unknown opcode {op}")
    return op, frame.get("d")


async def handle_op(gateway: Host, session: Session, op: int, d: Any) -> None:
    """Carry out an op the identified `session` sent (heartbeats are the connection's own)."""
    if op in (Op.IDENTIFY, Op.RESUME):
        raise Closing(Close.ALREADY_AUTHENTICATED, "already authenticated")
    if op == Op.PRESENCE_UPDATE:
        status = settable_status(d.get("status") if isinstance(d, dict) else None)
        if status is None:
            raise Closing(Close.DECODE_ERROR, f"status must be one of {', '.join(SETTABLE_STATUSES)} (or dnd)")
        previous = gateway.presence.statuses.get(session.user_id)
        await gateway.presence.set(session.user_id, status)
        if previous != status:
            await gateway.publish_presence(session.user_id, status)
    elif op == Op.TYPING:
        channel_id = d.get("channel_id") if isinstance(d, dict) else None
        if not isinstance(channel_id, str):
            raise Closing(Close.DECODE_ERROR, "TYPING needs channel_id")
        if gateway.world.can_view(session.user_id, channel_id):
            await gateway.backend.typing(session.user_id, channel_id)
    elif op == Op.REQUEST_MEMBERS:
        await _request_members(gateway, session, d)
    elif op == Op.VOICE_STATE_UPDATE:
        if not _voice_shape(d):
            raise Closing(Close.DECODE_ERROR, "bad voice state")
        # Bad values (an unknown channel, no permission) are the client's to notice: no event follows.
        await gateway.backend.voice_state(session.user_id, session.id, d)
    elif op == Op.SUBSCRIBE:
        if not isinstance(d, dict) or not isinstance(d.get("channel_ids", []), list):
            raise Closing(Close.DECODE_ERROR, "SUBSCRIBE needs channel_ids")


async def _request_members(gateway: Host, session: Session, d: Any) -> None:
    if not isinstance(d, dict) or not isinstance(d.get("guild_id"), str):
        raise Closing(Close.DECODE_ERROR, "REQUEST_MEMBERS needs guild_id")
    guild_id = d["guild_id"]
    query = d.get("query") or ""
    limit = d.get("limit", 100)
    if not isinstance(query, str) or not isinstance(limit, int) or isinstance(limit, bool):
        raise Closing(Close.DECODE_ERROR, "bad REQUEST_MEMBERS")
    limit = max(1, min(limit, 100))
    if not gateway.world.is_member(guild_id, session.user_id):
        chunk = {"guild_id": guild_id, "members": [], "not_found": [guild_id]}
    else:
        chunk = {"guild_id": guild_id, "members": await gateway.backend.members(guild_id, query, limit)}
    await gateway.send_own(session, Dispatch("GUILD_MEMBERS_CHUNK", chunk))


def _voice_shape(d: Any) -> bool:
    """Op 4: `{guild_id?, channel_id? (null = leave), self_mute?, self_deaf?, self_video?}` with the right types."""
    if not isinstance(d, dict):
        return False
    ids_ok = all(isinstance(d.get(k), str | None) for k in ("guild_id", "channel_id"))
    flags_ok = all(isinstance(d.get(k), bool | None) for k in ("self_mute", "self_deaf", "self_video"))
    return ids_ok and flags_ok
