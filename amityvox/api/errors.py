"""Every failure answers with the error envelope (docs/rest.md) `{"error": {"code", "message"}}`."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from amityvox.errors import ApiError

log = logging.getLogger("amityvox.api")

_STATUS_CODES = {
    400: "invalid_body",
    401: "invalid_token",
    403: "missing_permission",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    body = {"error": {"code": code, "message": message, **extra}}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _describe(exc: RequestValidationError) -> tuple[str, str]:
    errors = exc.errors()
    if not errors:
        return "validation_error", "the request is invalid"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "invalid_body", "the request body is not valid JSON"
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body",)) or "body"
    if first.get("type") == "missing" and where == "body":
        return "invalid_body", "a JSON request body is required"
    return "validation_error", f"{where}: {first.get('msg', 'invalid value')}"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> Response:
        headers = {}
        if "retry_after" in exc.extra:
            headers["Retry-After"] = str(max(1, round(float(exc.extra["retry_after"]) + 0.5)))
        response = error_response(exc.status, exc.code, exc.message, **exc.extra)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        code, message = _describe(exc)
        return error_response(400, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404:
            message = "no such route"
        return error_response(exc.status_code, code, message)

    app.add_exception_handler(Exception, fault)


async def fault(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "the server hit an internal error")
