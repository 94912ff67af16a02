"""Link previews: after MESSAGE_CREATE, fetch the message's web links and publish MESSAGE_EMBED_UPDATE.

A small pool of workers takes new messages from the bus (a durable work queue, so a restart
loses none). For up to three http(s) links per message it fetches the page (5 s timeouts,
at most three redirects, only `text/html`, never more than 1 MiB), reads its OpenGraph /
Twitter card / <title> with the standard library's HTML parser, stores the embeds on the
message and publishes them in a unit of work of its own.

Every connection, redirects included, goes through `outbound.GuardedTransport`: a link can
never make the server reach loopback, private, link-local or other internal addresses,
however its name resolves. Hosts listed in the `preview_allow_hosts` setting are exempt
(for tests and intranet deployments).
Authors without EmbedLinks get no previews; `link_previews = false` turns it all off.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from sqlalchemy import select, update

from amityvox import permissions as P
from amityvox.bus.base import Envelope
from amityvox.context import Context
from amityvox.db.schema import messages
from amityvox.errors import ApiError
from amityvox.services.access import channel_access
from amityvox.services.outbound import BlockedAddress, GuardedTransport
from amityvox.services.reacts import reacts_to

log = logging.getLogger("amityvox.previews")

MAX_URLS = 3
MAX_BYTES = 1 << 20
MAX_REDIRECTS = 3
TIMEOUT = 5.0
TOTAL_TIMEOUT = 15.0  # one link, redirects included
WORKERS = 4
USER_AGENT = "AmityVox-LinkPreview/0.1"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_TITLE = 256
MAX_DESCRIPTION = 1024
MAX_URL = 2048

# `<https://…>` suppresses the preview, as chat users expect.
URL_RE = re.compile(r"(?<!<)\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_~"


def find_urls(content: str) -> list[str]:
    """The first distinct http(s) links in `content`, trailing punctuation trimmed."""
    found: list[str] = []
    for match in URL_RE.finditer(content):
        url = match.group(0).rstrip(_TRAILING)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_TRAILING)
        if len(url) <= MAX_URL and urlsplit(url).hostname and url not in found:
            found.append(url)
        if len(found) == MAX_URLS:
            break
    return found


class _Stop(Exception):
    pass


class _HeadParser(HTMLParser):
    """Collects <meta property|name=… content=…> and <title>, stopping where the body begins."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            found = dict(attrs)
            key = (found.get("property") or found.get("name") or "").strip().lower()
            content = (found.get("content") or "").strip()
            if key and content and key not in self.meta:
                self.meta[key] = content
        elif tag == "title":
            self._in_title = True
        elif tag == "body":
            raise _Stop

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            raise _Stop

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def _clean(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text[:limit] or None


def parse_page(html: str, url: str, page_url: str) -> dict[str, Any] | None:
    """An Embed for the page at `page_url` (shown under the link `url`), or None if it says nothing."""
    parser = _HeadParser()
    try:
        parser.feed(html)
        parser.close()
    except _Stop:
        pass
    meta = parser.meta

    def first(*keys: str) -> str | None:
        return next((meta[k] for k in keys if meta.get(k)), None)

    title = _clean(first("og:title", "twitter:title") or "".join(parser.title), MAX_TITLE)
    description = _clean(first("og:description", "twitter:description", "description"), MAX_DESCRIPTION)
    image = first("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
    if image:
        image = urljoin(page_url, image)
        if not image.lower().startswith(("https://", "http://")) or len(image) > MAX_URL:
            image = None
    if not (title or description or image):
        return None
    og_type = (first("og:type") or "").lower()
    embed: dict[str, Any] = {"url": url, "type": "video" if og_type.startswith("video") else "website"}
    for key, value in (
        ("title", title),
        ("description", description),
        ("image", image),
        ("site_name", _clean(first("og:site_name"), MAX_TITLE)),
    ):
        if value:
            embed[key] = value
    return embed


async def _read_limited(resp: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in resp.aiter_bytes():
        body += chunk
        if len(body) >= MAX_BYTES:
            break
    return bytes(body[:MAX_BYTES])


async def _fetch(client: httpx.AsyncClient, url: str) -> dict[str, Any] | None:
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        async with client.stream("GET", current) as resp:
            if resp.is_redirect:
                location = resp.headers.get("location")
                if not location:
                    return None
                current = urljoin(current, location)
                if not current.lower().startswith(("https://", "http://")):
                    return None
                continue
            if resp.status_code != 200:
                return None
            content_type = resp.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if content_type not in HTML_TYPES:
                return None
            body = await _read_limited(resp)
            try:
                html = body.decode(resp.charset_encoding or "utf-8", errors="replace")
            except LookupError:
                html = body.decode("utf-8", errors="replace")
            return parse_page(html, url, current)
    return None


async def fetch_embed(url: str, allow_hosts: Sequence[str] = ()) -> dict[str, Any] | None:
    """The preview Embed for one link, or None (blocked, unreachable, not HTML, nothing to show)."""
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html", "Accept-Encoding": "identity"}
    try:
        async with (
            asyncio.timeout(TOTAL_TIMEOUT),
            httpx.AsyncClient(
                transport=GuardedTransport(allow_hosts), timeout=TIMEOUT, headers=headers, follow_redirects=False
            ) as client,
        ):
            return await _fetch(client, url)
    except BlockedAddress:
        log.info("link preview refused for %s: not a public address", url)
    except Exception as exc:  # an unreachable or broken site only means no preview
        log.debug("link preview failed for %s: %r", url, exc)
    return None


async def generate(ctx: Context, message: dict[str, Any]) -> bool:
    """Fetch the previews for one MESSAGE_CREATE payload; True when MESSAGE_EMBED_UPDATE was published."""
    if not ctx.settings.link_previews:
        return False
    urls = find_urls(message.get("content", ""))
    if not urls:
        return False
    channel_id, message_id = message["channel_id"], message["id"]
    async with ctx.db.read() as conn:
        try:
            await channel_access(conn, channel_id, message["author_id"], need=P.Perm.EmbedLinks)
        except ApiError:
            return False
    allow = tuple(h.lower() for h in ctx.settings.preview_allow_hosts)
    found = [e for e in await asyncio.gather(*(fetch_embed(u, allow) for u in urls)) if e is not None]
    if not found:
        return False
    async with ctx.uow() as tx:
        row = (await tx.conn.execute(select(messages).where(messages.c.id == message_id))).mappings().first()
        if row is None:  # deleted while we were fetching
            return False
        existing = list(row["embeds"])
        known = {e.get("url") for e in existing}
        added = [e for e in found if e["url"] not in known]
        if not added:
            return False
        embeds = existing + added
        await tx.conn.execute(update(messages).where(messages.c.id == message_id).values(embeds=embeds))
        payload: dict[str, Any] = {"message_id": message_id, "channel_id": channel_id, "embeds": embeds}
        if row["guild_id"] is not None:
            payload["guild_id"] = row["guild_id"]
        tx.emit("MESSAGE_EMBED_UPDATE", payload)
    return True


@reacts_to("MESSAGE_CREATE", queue="link-previews")
async def _preview_message(ctx: Context, env: Envelope) -> None:
    await generate(ctx, env.data)


async def start(ctx: Context) -> list[asyncio.Task[None]]:
    """`WORKERS` members of the durable link-previews queue, each on one new message at a time:
    a message is taken off the queue only once its previews are stored."""
    await _preview_message.subscribe(ctx, members=WORKERS)
    return []
