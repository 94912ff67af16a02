"""Outgoing HTTP that must not reach inside: every connection, redirects included, goes through
`GuardedTransport`, which resolves the host itself and connects only to public addresses, to the
very address it checked, so no URL a user gives can make the server reach loopback, private,
link-local or other internal addresses, however its name resolves. Every address a name resolves
to must be public, and IPv6 forms that lead to an IPv4 address (IPv4-mapped, NAT64, 6to4) are
judged by that address; Teredo and local-use NAT64 addresses are refused outright. Hosts in
`allow_hosts` are exempt (a setting per feature, for tests and intranet deployments).

Used by link previews (services/previews.py) and event webhook deliveries (services/event_webhooks.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpcore
import httpx


class BlockedAddress(Exception):
    """The link points at an address previews may not reach."""


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


class GuardedTransport(httpx.AsyncBaseTransport):
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
