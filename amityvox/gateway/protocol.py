"""Gateway wire protocol (docs/protocol.md): opcodes, close codes and frame encoding."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import orjson


class Op(IntEnum):
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 5
    RECONNECT = 6
    REQUEST_MEMBERS = 7
    TYPING = 8
    SUBSCRIBE = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class Close(IntEnum):
    UNKNOWN_ERROR = 4000
    UNKNOWN_OPCODE = 4001
    DECODE_ERROR = 4002
    NOT_AUTHENTICATED = 4003
    AUTHENTICATION_FAILED = 4004
    ALREADY_AUTHENTICATED = 4005
    INVALID_RESUME = 4007
    RATE_LIMITED = 4008
    SESSION_TIMED_OUT = 4009
    SLOW_CONSUMER = 4010
    GOING_AWAY = 1001


CLIENT_OPS = frozenset(
    {
        Op.HEARTBEAT,
        Op.IDENTIFY,
        Op.PRESENCE_UPDATE,
        Op.VOICE_STATE_UPDATE,
        Op.RESUME,
        Op.REQUEST_MEMBERS,
        Op.TYPING,
        Op.SUBSCRIBE,
    }
)


def encode(op: Op, d: Any = None) -> bytes:
    """A non-dispatch frame, as the UTF-8 the socket carries."""
    frame: dict[str, Any] = {"op": int(op)}
    if d is not None:
        frame["d"] = d
    return orjson.dumps(frame)


class Dispatch:
    """A dispatch encoded once, as bytes: each session only splices in its own sequence number."""

    __slots__ = ("head", "name", "tail")

    def __init__(self, name: str, data: Any) -> None:
        self.name = name
        self.head = b'{"op":0,"t":"' + name.encode() + b'","s":'
        self.tail = b',"d":' + orjson.dumps(data) + b"}"

    def frame(self, seq: int) -> bytes:
        return self.head + str(seq).encode() + self.tail


class Closing(Exception):
    """Raised while serving a connection: close it with `code` (a `Close`) and `reason`."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason
