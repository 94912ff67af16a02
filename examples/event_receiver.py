"""Event webhook receiver: accepts the deliveries AmityVox POSTs to an endpoint, checks each one's
signature and age with `verify_delivery`, drops repeats, and prints the events.

EVENT_SECRET='…' python examples/event_receiver.py   # listens on 127.0.0.1:8099

The server delivers to public https addresses only; put this behind a TLS proxy, or list the
host in `event_webhook_allow_hosts` while trying it out.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from amityvox.client import verify_delivery

Handler = Callable[[dict[str, Any]], Awaitable[None]]
MAX_BODY = 1 << 20
MAX_SEEN = 10_000


class Receiver:
    """A tiny HTTP server that hands every genuine, new delivery to `handle` (an async callable)."""

    def __init__(self, secret: str, handle: Handler) -> None:
        self.secret = secret
        self.handle = handle
        self.seen: dict[str, None] = {}  # delivery ids already handled (deliveries come at least once)

    async def serve(self, host: str = "127.0.0.1", port: int = 8099) -> asyncio.Server:
        return await asyncio.start_server(self._connection, host, port)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await self._answer(reader)
            writer.write(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader) -> str:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        if not head[0].startswith("POST "):
            return "405 Method Not Allowed"
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
        length = int(headers.get("content-length", "0"))
        if length > MAX_BODY:
            return "413 Payload Too Large"
        body = await reader.readexactly(length)
        if not verify_delivery(self.secret, headers, body):
            return "401 Unauthorized"
        delivery = headers.get("x-amityvox-delivery", "")
        if delivery not in self.seen:
            self.seen[delivery] = None
            if len(self.seen) > MAX_SEEN:
                self.seen.pop(next(iter(self.seen)))
            await self.handle(json.loads(body))
        return "204 No Content"


async def main() -> None:
    async def show(event: dict[str, Any]) -> None:
        print(event["type"], json.dumps(event["data"])[:200])

    server = await Receiver(os.environ["EVENT_SECRET"], show).serve(port=int(os.environ.get("PORT", "8099")))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
