"""Serves the web client: the page at `/` (and invite links), its files under `/static/`.

Every response carries `Cache-Control: no-cache` and a content ETag, so browsers keep the
files but ask each time whether they changed (a 304 costs one round trip and no body):
after an upgrade nobody runs yesterday's JavaScript against today's server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response

from amityvox.errors import not_found

WEB_DIR = Path(__file__).with_name("web")

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}

# The page loads only its own files; link previews may show images from anywhere, and the
# gateway may listen on another port or host (GET /api/v1/gateway says where).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: http: https:; "
    "connect-src 'self' ws: wss: http: https:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@dataclass(frozen=True)
class _Cached:
    stamp: tuple[int, int]  # (mtime_ns, size) the body was read at
    body: bytes
    etag: str


class StaticFiles:
    """Reads files under `root` once per change and answers with ETag / 304."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[Path, _Cached] = {}

    def resolve(self, relative: str) -> Path | None:
        """The file for a request path, or None: unknown types, dot-files and escapes are refused."""
        if not relative or "\\" in relative or "\x00" in relative:
            return None
        parts = relative.split("/")
        if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            return None
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or path.suffix not in CONTENT_TYPES or not path.is_file():
            return None
        return path

    def _load(self, path: Path) -> _Cached:
        info = path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
        cached = self._cache.get(path)
        if cached is None or cached.stamp != stamp:
            body = path.read_bytes()
            cached = _Cached(stamp, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            self._cache[path] = cached
        return cached

    def response(self, request: Request, path: Path) -> Response:
        cached = self._load(path)
        headers = {
            "Cache-Control": "no-cache",
            "ETag": cached.etag,
            "X-Content-Type-Options": "nosniff",
        }
        if path.suffix == ".html":
            headers["Content-Security-Policy"] = CSP
            headers["Referrer-Policy"] = "same-origin"
        if _matches(request.headers.get("if-none-match"), cached.etag):
            return Response(status_code=304, headers=headers)
        body = b"" if request.method == "HEAD" else cached.body
        response = Response(body, media_type=CONTENT_TYPES[path.suffix], headers=headers)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(cached.body))
        return response


def _matches(header: str | None, etag: str) -> bool:
    """If-None-Match: `*`, or a list of tags (weak ones compare by their opaque part)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


def install(app: FastAPI, root: Path = WEB_DIR) -> None:
    """Routes: `/`, `/invite/{code}`, `/oauth2/authorize` and `/channels/…` message links (the page),
    `/static/{path}` (its files)."""
    files = StaticFiles(root)

    async def index(request: Request) -> Response:
        page = files.resolve("index.html")
        if page is None:
            raise not_found("web client")
        return files.response(request, page)

    async def invite_page(request: Request, code: str) -> Response:
        # The page shows the invite (js/ui/invite.js): the server, its counts and Join, signed in or not.
        return await index(request)

    async def static(request: Request, path: str) -> Response:
        found = files.resolve(path)
        if found is None:
            raise not_found("file")
        return files.response(request, found)

    async def channel_page(request: Request, path: str) -> Response:
        # The page reads /channels/{guild}/{channel}/{message} from the address and opens it.
        return await index(request)

    routes = (
        ("/", index),
        ("/invite/{code}", invite_page),
        ("/channels/{path:path}", channel_page),
        # Links mailed to users (services/account_email.py): the page reads the token from the address.
        ("/verify-email", index),
        ("/reset-password", index),
        ("/data-export", index),  # the "ready" mail of a data export (services/data_export.py)
        ("/oauth2/authorize", index),  # a bot's install link: the page asks which guild (js/ui/authorize.js)
        ("/static/{path:path}", static),
    )
    for route, endpoint in routes:
        app.add_api_route(route, endpoint, methods=["GET", "HEAD"], include_in_schema=False)
