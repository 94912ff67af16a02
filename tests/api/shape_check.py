"""The test server's check of every 2xx JSON answer against its route's declared `response_model`.

Routes answer with ready-made orjson bytes (api/deps.py `ok`), which FastAPI never checks
against the model it publishes in OpenAPI; this wrapper does, in tests only, so a service that
changes a shape without its model fails the test that produced the answer. A mismatch turns
the answer into a 500 `response_shape` naming the fields, and is kept in `violations` for the
fixture to fail on even when the test did not look at the status.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ADAPTERS: dict[int, TypeAdapter[Any]] = {}  # by id of the route's model


def _adapter(model: Any) -> TypeAdapter[Any]:
    if id(model) not in _ADAPTERS:
        _ADAPTERS[id(model)] = TypeAdapter(model)
    return _ADAPTERS[id(model)]


def shape_error(model: Any, body: bytes) -> str | None:
    """Why `body` is not an instance of `model` (None when it is)."""
    try:
        _adapter(model).validate_json(body)
    except ValidationError as exc:
        return str(exc)
    return None


class ShapeCheck:
    """ASGI middleware holding back each JSON answer with a 2xx status until it is checked."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.violations: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def holding_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if 200 <= message["status"] < 300 and headers.get(b"content-type", b"").startswith(b"application/json"):
                    start = message
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, holding_send)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        route = scope.get("route")
        model = getattr(route, "response_model", None)
        error = shape_error(model, body) if model is not None else None
        if error is None:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        where = f"{scope['method']} {getattr(route, 'path', scope['path'])}"
        self.violations.append(f"{where} answered a shape its response_model does not allow:\n{error}")
        payload = {"error": {"code": "response_shape", "message": self.violations[-1]}}
        out = orjson.dumps(payload)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": out})
