"""Link previews: after MESSAGE_CREATE, fetch the message's web links and publish MESSAGE_EMBED_UPDATE.

A small pool of workers takes new messages from the bus (a durable work queue, so a restart
loses none). For up to three http(s) links per message it fetches the page (5 s timeouts,
at most three redirects, only `text/html`, never more than 1 MiB), reads its OpenGraph /
Twitter card / <title> with the standard library's HTML parser, stores the embeds on the
message and publishes them in a unit of work of its own.

Every connection, redirects included, goes through `_GuardedBackend`, which resolves
the host itself and connects only to public addresses, to the very address it
checked: a link can never make the server reach loopback, private, link-local or
other internal addresses, however its name resolves. Every address a name resolves
to must be public, and IPv6 forms that lead to an IPv4 address (IPv4-mapped, NAT64,
6to4) are judged by that address; Teredo and local-use NAT64 addresses are refused
outright. Hosts listed in the `preview_allow_hosts` setting are exempt (for tests
and intranet deployments).
Authors without EmbedLinks get no previews; `link_previews = false` turns it all off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import AsyncIterator, Iterable, Sequence
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from sqlalchemy import select, update

from amityvox import permissions as P
from amityvox.bus.base import Envelope
from amityvox.context import Context
from amityvox.db.schema import messages
from amityvox.errors import ApiError
from amityvox.services.access import channel_access
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


class BlockedAddress(Exception):
    """The link points at an address previews may not reach."""


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


# IPv6 ranges that carry traffic on to an IPv4 address (or reach a local translator) in ways
# the IPv4 address alone does not show: refused whatever they embed.
_TUNNELS = (
    ipaddress.IPv6Network("2001::/32"),  # Teredo: the client address is obfuscated in the low bits
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): a site's own translator
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (RFC 2765)
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated), and the unspecified address
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix (RFC 6052)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64 or 6to4 address leads to."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses (no loopback, private, link-local, CGNAT…),
    judging an IPv6 address that leads to an IPv4 one (mapped, NAT64, 6to4) by that IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _TUNNELS):
            return False
        ip = _embedded_ipv4(ip) or ip
    return ip.is_global and not ip.is_multicast


async def resolve_target(host: str, port: int, allow_hosts: Iterable[str]) -> str:
    """The address to connect to for `host`, or BlockedAddress when it is not public."""
    if host.lower() in allow_hosts:
        return host
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if not is_public_address(host):
            raise BlockedAddress(host)
        return host
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    # Every address must be public: a name that also resolves inward is refused outright.
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise BlockedAddress(host)
    return addresses[0]


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only where `resolve_target` allows, to the address it checked."""

    def __init__(self, allow_hosts: Iterable[str]) -> None:
        self._allow = frozenset(h.lower() for h in allow_hosts)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await resolve_target(host, port, self._allow)
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress(path)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


class _GuardedTransport(httpx.AsyncBaseTransport):
    """httpx over an httpcore pool whose every TCP connection passes the address guard."""

    def __init__(self, allow_hosts: Iterable[str]) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_GuardedBackend(allow_hosts)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        url = httpcore.URL(
            scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port, target=request.url.raw_path
        )
        req = httpcore.Request(
            method=request.method,
            url=url,
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        resp = await self._pool.handle_async_request(req)
        return httpx.Response(
            status_code=resp.status, headers=resp.headers, stream=_Body(resp.stream), extensions=resp.extensions
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


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
                transport=_GuardedTransport(allow_hosts), timeout=TIMEOUT, headers=headers, follow_redirects=False
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
