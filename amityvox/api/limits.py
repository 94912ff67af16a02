"""ASGI middleware refusing bodies over the configured size before they are read whole."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

_TOO_LARGE = orjson.dumps({"error": {"code": "payload_too_large", "message": "the request body is too large"}})


class BodyLimit:
    """`max_bytes` for every request, except paths matching one of `larger` (uploads), which get
    that entry's own limit."""

    def __init__(self, app: Any, max_bytes: int, larger: Sequence[tuple[re.Pattern[str], int]] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = tuple(larger)

    def _limit(self, path: str) -> int:
        for pattern, limit in self.larger:
            if pattern.match(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await _reject(send)
            return
        seen = 0
        rejected = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal seen, rejected
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    rejected = True
                    raise _TooLarge()
            return message

        replied = False

        async def guarded_send(message: dict[str, Any]) -> None:
            # Once the body overflowed, whatever the app answers is replaced by one 413.
            nonlocal replied
            if rejected:
                if not replied:
                    replied = True
                    await _reject(send)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        if rejected and not replied:
            await _reject(send)


class _TooLarge(Exception):
    pass


async def _reject(send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(_TOO_LARGE)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": _TOO_LARGE})
