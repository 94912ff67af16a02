"""What every router needs: the context, the caller, and the response envelope (docs/rest.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlsplit

import orjson
from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from amityvox.context import Context
from amityvox.errors import ApiError, forbidden
from amityvox.services import audit_log, auth
from amityvox.services.passkeys import RelyingParty


class Body(BaseModel):
    """Request bodies reject unknown fields so typos fail loudly instead of being ignored, and
    take JSON types as they are: strict mode refuses `true` for an integer or `"5"` for a number
    instead of guessing (api/fields.py holds the few types that accept more than one form)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _has_null(value: Any) -> bool:
    """Whether a decoded JSON value holds U+0000 in any string, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


async def storable_input(request: Request) -> None:
    """Refuse, for every route, input whose strings could not be stored or sent back.

    FastAPI decodes bodies with the standard `json` module, which lets through escaped lone
    surrogates (`"\\ud800"`: not Unicode, so encoding them later fails) and NaN; PostgreSQL
    text cannot hold U+0000, whether it came in the body, the path or the query. orjson refuses
    the first two, and the null character is refused here rather than stripped, so what is
    stored is what was sent. FastAPI reads the body before dependencies run, so this sees the
    same bytes the route was given.
    """
    params = [*request.path_params.values(), *request.query_params.values()]
    if any("\x00" in str(value) for value in params):
        raise ApiError(400, "validation_error", "path and query parameters may not contain null characters")
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        return  # uploads (api/media.py) stream their own bodies; JSON routes refuse them anyway
    body = await request.body()
    if not body:
        return
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "invalid_body", f"the request body is not valid JSON: {exc}") from None
    if _has_null(value):
        raise ApiError(400, "invalid_body", "the request body may not contain null characters (\\u0000)")


async def audit_reason(request: Request) -> None:
    """Routers whose changes are audited take the request's `X-Audit-Log-Reason` header (URL-encoded,
    at most 512 characters) as the reason of the entries it records (services/audit_log.py).

    async: a plain `def` would run on a worker thread, whose context the route never sees."""
    audit_log.set_reason(audit_log.parse_reason(request.headers.get("x-audit-log-reason")))


AUDITED = (Depends(audit_reason),)  # a router's `dependencies` when its changes are audited


async def get_ctx(request: Request) -> Context:
    # async: FastAPI runs a plain `def` dependency on a worker thread, a hand-off per request.
    ctx: Context = request.state.ctx  # the app's lifespan state
    return ctx


Ctx = Annotated[Context, Depends(get_ctx)]  # the request's Context


@dataclass(frozen=True, slots=True)
class Caller:
    id: str
    token: str
    is_admin: bool
    username: str


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if not header:
        raise ApiError(401, "missing_token", "send 'Authorization: Bearer <token>'")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "invalid_token", "the Authorization header must be 'Bearer <token>'")
    return token.strip()


async def current_user(request: Request, ctx: Ctx) -> Caller:
    token = bearer_token(request)
    row = await auth.authenticate(ctx, token, cached=True)
    if row is None:
        raise ApiError(401, "invalid_token", "the token is unknown or expired; log in again")
    return Caller(id=row["id"], token=token, is_admin=bool(row["is_admin"]), username=row["username"])


Me = Annotated[Caller, Depends(current_user)]  # the authenticated caller (401 without a valid token)


async def administrator(caller: Me) -> Caller:
    """The caller, if an instance administrator (`users.is_admin`)."""
    if not caller.is_admin:
        raise forbidden("only instance administrators can do this")
    return caller


Admin = Annotated[Caller, Depends(administrator)]  # the caller, 403 unless an instance administrator


def base_url(request: Request, ctx: Context) -> str:
    """The instance's public address for links it hands out: `public_url`, else the request's own."""
    return ctx.settings.public_url.rstrip("/") or f"{request.url.scheme}://{request.url.netloc}"


def relying_party(request: Request, ctx: Context) -> RelyingParty:
    """Who passkeys are for: `webauthn_origin` (else `base_url`'s origin) and `webauthn_rp_id`
    (else that origin's host name)."""
    parts = urlsplit(ctx.settings.webauthn_origin or base_url(request, ctx))
    origin = f"{parts.scheme}://{parts.netloc}"
    return RelyingParty(id=ctx.settings.webauthn_rp_id or parts.hostname or "localhost", origin=origin)


T = TypeVar("T")


class Data(BaseModel, Generic[T]):
    """What a route answers with a 2xx status and a body: `{"data": T}`. Routes name it as their
    `response_model` for OpenAPI and the tests (tests/api/shape_check.py); at run time they
    return `ok(...)`'s bytes, which FastAPI passes through without validating."""

    model_config = ConfigDict(extra="forbid")

    data: T


def ok(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps({"data": data}), status_code=status, media_type="application/json")


def no_content() -> Response:
    return Response(status_code=204)
