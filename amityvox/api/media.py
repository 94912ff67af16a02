"""Uploads and file serving: POST /channels/{c}/attachments, POST /files/upload, GET /files/{id}."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from amityvox.api.deps import Ctx, Data, Me, no_content, ok
from amityvox.config import Settings
from amityvox.context import Context
from amityvox.errors import ApiError, bad_request
from amityvox.events.payloads import Attachment, UploadLimits
from amityvox.media import sniff
from amityvox.media.storage import StorageError
from amityvox.services import auth, media

router = APIRouter(tags=["media"])

# Multipart framing around the file (boundaries, part headers, a `kind` field).
MULTIPART_OVERHEAD = 64 * 1024
_UPLOAD_PATHS = re.compile(r"/api/v1/(channels/[^/]+/attachments|files/upload)/?\Z")
# User content may show itself and nothing else: no scripts, no frames, no requests elsewhere.
CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
CACHE_PUBLIC_S = 24 * 3600


def body_limits(settings: Settings) -> list[tuple[re.Pattern[str], int]]:
    """The request-body ceiling of the upload routes (BodyLimit): the largest file of any kind."""
    largest = max(settings.upload_max_bytes, settings.avatar_max_bytes, settings.emoji_max_bytes)
    return [(_UPLOAD_PATHS, largest + MULTIPART_OVERHEAD)]


async def _read_upload(request: Request, ctx: Context, kind: str | None) -> tuple[str, str | None, bytes]:
    """(kind, filename, bytes) of a multipart body with one `file` part (and maybe `kind`)."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise bad_request("send the file as multipart/form-data in a part named 'file'", code="invalid_body")
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=1024)
    except MultiPartException as exc:
        raise bad_request(f"the multipart body is malformed: {exc.message}", code="invalid_body") from None
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise bad_request("the multipart body needs one part named 'file'", code="missing_file")
        if kind is None:
            field = form.get("kind", media.ATTACHMENT)
            kind = field if isinstance(field, str) else media.ATTACHMENT
        if kind not in media.KINDS:
            raise bad_request(f"kind must be one of {', '.join(sorted(media.KINDS))}")
        limit = media.max_bytes(ctx, kind)
        data = await part.read(limit + 1)
        if len(data) > limit:
            raise ApiError(413, "payload_too_large", f"the file is larger than {limit} bytes")
        return kind, part.filename, data
    finally:
        await form.close()


def _early_size_check(request: Request, ctx: Context, kind: str) -> None:
    """A declared body far over the kind's limit is refused before a byte of it is read."""
    declared = request.headers.get("content-length", "")
    limit = media.max_bytes(ctx, kind)
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise ApiError(413, "payload_too_large", f"the file is larger than {limit} bytes")


@router.post("/channels/{channel_id}/attachments", status_code=201, response_model=Data[Attachment])
async def upload_attachment(channel_id: str, request: Request, caller: Me, ctx: Ctx) -> Response:
    """One file for a message in this channel (UploadFiles); attach it with `attachments: [id]`."""
    _early_size_check(request, ctx, media.ATTACHMENT)
    kind, filename, data = await _read_upload(request, ctx, media.ATTACHMENT)
    return ok(await media.upload(ctx, caller.id, kind, filename, data, channel_id=channel_id), 201)


@router.post("/files/upload", status_code=201, response_model=Data[Attachment])
async def upload_file(request: Request, caller: Me, ctx: Ctx) -> Response:
    """The original's upload route: a `file` part and an optional `kind` (attachment, avatar,
    icon, banner, emoji)."""
    kind, filename, data = await _read_upload(request, ctx, None)
    return ok(await media.upload(ctx, caller.id, kind, filename, data), 201)


@router.get("/files/limits", response_model=Data[UploadLimits])
async def upload_limits(caller: Me, ctx: Ctx) -> Response:
    """The upload limits, so a client can refuse a file before sending it."""
    s = ctx.settings
    return ok(
        {
            "upload_max_bytes": s.upload_max_bytes,
            "upload_max_message_bytes": s.upload_max_message_bytes,
            "upload_max_files": s.upload_max_files,
            "upload_types": list(s.upload_types),
            "avatar_max_bytes": s.avatar_max_bytes,
            "emoji_max_bytes": s.emoji_max_bytes,
        }
    )


@router.delete("/files/{upload_id}", status_code=204)
async def delete_file(upload_id: str, caller: Me, ctx: Ctx) -> Response:
    await media.delete_upload(ctx, upload_id, caller.id)
    return no_content()


async def _optional_user(request: Request, ctx: Context) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = await auth.authenticate(ctx, token.strip(), cached=True)
    if row is None:
        raise ApiError(401, "invalid_token", "the token is unknown or expired; log in again")
    return str(row["id"])


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 12:
        raise bad_request(f"{name} must be a whole number")
    return int(value)


def _byte_range(header: str | None, length: int) -> tuple[int, int] | None:
    """(first, last) of a single `bytes=` range; None for the whole file; 416 when unsatisfiable."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None  # other units and multiple ranges: answer with the whole file, as RFC 9110 allows
    first_s, dash, last_s = spec.strip().partition("-")
    if (
        not dash
        or not (first_s.isdigit() or last_s.isdigit())
        or (first_s and not first_s.isdigit())
        or (last_s and not last_s.isdigit())
    ):
        return None
    if not first_s:  # a suffix: the last N bytes
        n = int(last_s)
        if n == 0:
            raise _unsatisfiable(length)
        return max(length - n, 0), length - 1
    first = int(first_s)
    last = min(int(last_s), length - 1) if last_s else length - 1
    if first >= length or last < first:
        raise _unsatisfiable(length)
    return first, last


class _Unsatisfiable(Exception):
    def __init__(self, length: int) -> None:
        self.length = length


def _unsatisfiable(length: int) -> _Unsatisfiable:
    return _Unsatisfiable(length)


def _disposition(filename: str, inline: bool) -> str:
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.api_route("/files/{upload_id}", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/files/{upload_id}/{filename}", methods=["GET", "HEAD"])
async def get_file(upload_id: str, request: Request, ctx: Ctx, filename: str = "") -> Response:
    """The file (or `?size=` one of its thumbnails). Attachments need `ex` and `sig` from a URL the
    server handed out, or a token of someone who can read the channel; avatars, icons, banners
    and emoji are public. Single byte ranges, ETag/If-None-Match and long caching are supported."""
    size, expires, sig = _int_param(request, "size"), _int_param(request, "ex"), request.query_params.get("sig")
    user_id = None if sig else await _optional_user(request, ctx)
    found = await media.servable(ctx, upload_id, size, expires, sig, user_id)
    inline = found.content_type in sniff.INLINE_TYPES
    headers: dict[str, Any] = {
        "Content-Type": found.content_type if inline else "application/octet-stream",
        "Content-Disposition": _disposition(found.filename, inline),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CSP,
        "Cross-Origin-Resource-Policy": "same-site",
        "Accept-Ranges": "bytes",
        "ETag": found.etag,
    }
    if found.public:
        headers["Cache-Control"] = f"public, max-age={CACHE_PUBLIC_S}"
    else:
        # The bytes behind an id never change; the URL's expiry bounds how long to keep them.
        headers["Cache-Control"] = "private, max-age=3600, immutable"
    if request.headers.get("if-none-match") == found.etag:
        return Response(status_code=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
    try:
        span = _byte_range(request.headers.get("range"), found.length)
    except _Unsatisfiable as exc:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{exc.length}"})
    first, last = span if span is not None else (0, found.length - 1)
    headers["Content-Length"] = str(last - first + 1)
    status = 200
    if span is not None:
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{found.length}"
    if request.method == "HEAD" or found.length == 0:
        return Response(status_code=status, headers=headers)
    body = await stored_bytes(ctx, found.key, first, last, what="the file")
    return StreamingResponse(body, status_code=status, headers=headers)


async def stored_bytes(ctx: Context, key: str, first: int, last: int, *, what: str) -> AsyncIterator[bytes]:
    """Bytes `first`..`last` of a stored object, for a streamed answer. The first chunk is read
    here, so a missing object or an unreachable store fails (503) before the status line goes."""
    chunks = ctx.storage.read(key, first, last)
    try:
        head = await anext(chunks)
    except StopAsyncIteration:
        head = b""
    except StorageError as exc:
        raise ApiError(503, "storage_unavailable", f"{what} cannot be read right now") from exc

    async def body() -> AsyncIterator[bytes]:
        yield head
        async for chunk in chunks:
            yield chunk

    return body()
