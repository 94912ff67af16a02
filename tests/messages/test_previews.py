"""Link previews: a page served on loopback becomes MESSAGE_EMBED_UPDATE; internal addresses are never fetched.

Nothing here sends traffic beyond 127.0.0.1: the refused addresses are refused before
any connection is made, which the tests check by watching the connect call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any

import httpcore
import pytest

from amityvox import permissions as P
from amityvox.services import outbound, previews
from tests.conftest import Server
from tests.messages.helpers import API, overwrite, post, room, say

PAGE = b"""<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="Caf&eacute; &amp; Friends">
<meta property="og:description" content="  A   place
 to meet. ">
<meta property="og:image" content="/img/cover.png">
<meta property="og:site_name" content="Friends">
</head><body><meta property="og:title" content="ignored"></body></html>"""
PLAIN = b"<html><head><title> Just a title </title></head><body>hi</body></html>"


@dataclasses.dataclass
class Site:
    port: int = 0
    hits: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def response(self, path: str) -> bytes:
        routes: dict[str, tuple[str, str, bytes]] = {
            "/page": ("200 OK", "text/html; charset=utf-8", PAGE),
            "/plain": ("200 OK", "text/html", PLAIN),
            "/image": ("200 OK", "image/png", b"\x89PNG"),
            "/huge": ("200 OK", "text/html", b"<html><head><title>Huge</title>" + b" " * (3 << 20)),
        }
        if path == "/hop":
            return self._raw("302 Found", "text/plain", b"", f"Location: {self.url('/plain')}\r\n")
        if path == "/escape":  # a redirect towards a name that resolves to loopback
            return self._raw("302 Found", "text/plain", b"", f"Location: {self.url('/plain', 'localhost')}\r\n")
        status, ctype, body = routes.get(path, ("404 Not Found", "text/plain", b"no"))
        return self._raw(status, ctype, body)

    @staticmethod
    def _raw(status: str, ctype: str, body: bytes, extra: str = "") -> bytes:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n{extra}Connection: close\r\n"
        )
        return head.encode() + b"\r\n" + body

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1]
            host = next(line.split(":", 1)[1].strip() for line in head[1:] if line.lower().startswith("host:"))
            self.hits.append((host.rsplit(":", 1)[0], path))
            writer.write(self.response(path))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    s = Site()
    server = await asyncio.start_server(s.handle, "127.0.0.1", 0)
    s.port = server.sockets[0].getsockname()[1]
    async with server:
        yield s


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host the preview fetcher actually opened a TCP connection to."""
    seen: list[str] = []
    real = httpcore.AnyIOBackend.connect_tcp

    async def spy(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        seen.append(host)
        return await real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", spy)
    return seen


async def _wait_for(server: Server, name: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await server.settle()
        if found := server.recorder.of(name):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {name} within {timeout} s; saw {server.recorder.names()}")


async def test_a_linked_page_becomes_an_embed(server: Server, site: Site) -> None:
    rm = await room(server)
    content = f"look {site.url('/page')} and <{site.url('/plain')}> and {site.url('/plain', 'localhost')}."
    # Not `say`: it clears the recorder once the bus settles, and the preview worker, which
    # runs beside the bus, may have published its update by then.
    r = await post(server, rm.member, rm.channel_id, content)
    assert r.status_code == 201, r.text
    msg = r.json()["data"]
    [event] = await _wait_for(server, "MESSAGE_EMBED_UPDATE")
    embed = {
        "url": site.url("/page"),
        "type": "website",
        "title": "Café & Friends",
        "description": "A place to meet.",
        "image": site.url("/img/cover.png"),
        "site_name": "Friends",
    }
    assert event == {"message_id": msg["id"], "channel_id": rm.channel_id, "guild_id": rm.guild_id, "embeds": [embed]}
    # `<url>` suppresses the preview; `localhost` is not on the allow-list, so it was never fetched.
    assert site.hits == [("127.0.0.1", "/page")]
    r = await server.http.get(f"{API}/channels/{rm.channel_id}/messages/{msg['id']}", headers=rm.owner.headers)
    assert r.json()["data"]["embeds"] == [embed]


async def test_redirects_are_followed_and_checked_again(site: Site, connects: list[str]) -> None:
    allow = ("127.0.0.1",)
    embed = await previews.fetch_embed(site.url("/hop"), allow)
    assert embed == {"url": site.url("/hop"), "type": "website", "title": "Just a title"}
    assert await previews.fetch_embed(site.url("/escape"), allow) is None
    assert await previews.fetch_embed(site.url("/image"), allow) is None
    huge = await previews.fetch_embed(site.url("/huge"), allow)
    assert huge is not None and huge["title"] == "Huge"
    assert [path for _, path in site.hits] == ["/hop", "/plain", "/escape", "/image", "/huge"]
    assert set(connects) == {"127.0.0.1"}


async def test_internal_addresses_are_refused_before_connecting(site: Site, connects: list[str]) -> None:
    urls = [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        site.url("/page", "localhost"),
        site.url("/page"),  # loopback too, once the allow-list is empty
    ]
    for url in urls:
        assert await previews.fetch_embed(url, ()) is None, url
    assert connects == [] and site.hits == []
    with pytest.raises(outbound.BlockedAddress):
        await outbound.resolve_target("localhost", 80, ())
    assert await outbound.resolve_target("LocalHost", 80, ("localhost",)) == "LocalHost"


async def test_no_previews_when_disabled_or_without_embed_links(server: Server, site: Site) -> None:
    rm = await room(server)
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.EmbedLinks)
    msg = await say(server, rm.member, rm.channel_id, site.url("/page"))
    assert await previews.generate(server.ctx, msg) is False
    server.ctx.settings = dataclasses.replace(server.ctx.settings, link_previews=False)
    msg = await say(server, rm.owner, rm.channel_id, site.url("/page"))
    assert await previews.generate(server.ctx, msg) is False
    await server.settle()
    assert site.hits == [] and server.recorder.names() == []


def test_links_are_found_like_a_reader_would() -> None:
    text = "a https://x.example/a), (see http://y.example/b_(c)) <https://z.example/> https://x.example/a HTTPS://w.example/d!"
    assert previews.find_urls(text) == ["https://x.example/a", "http://y.example/b_(c)", "HTTPS://w.example/d"]
    many = " ".join(f"https://h{i}.example/" for i in range(5))
    assert len(previews.find_urls(many)) == previews.MAX_URLS
    assert previews.parse_page("<html><body>nothing</body></html>", "https://a/", "https://a/") is None
