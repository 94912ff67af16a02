"""Echo bot: answers `!echo <text>` in any channel it can see.

AMITYVOX_URL=http://127.0.0.1:8080 BOT_USER=echo BOT_PASSWORD='…' python examples/echo_bot.py
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from amityvox.client import Client

PREFIX = "!echo "


def attach(client: Client) -> None:
    """Register the bot's behaviour on a connected client (also used by the tests)."""

    @client.on("MESSAGE_CREATE")
    async def on_message(message: dict[str, Any]) -> None:
        me = client.user
        if me is None or message["author_id"] == me["id"] or not message["content"].startswith(PREFIX):
            return
        await client.rest.send_message(message["channel_id"], message["content"][len(PREFIX) :])


async def main() -> None:
    async with Client(os.environ.get("AMITYVOX_URL", "http://127.0.0.1:8080")) as client:
        await client.login(os.environ["BOT_USER"], os.environ["BOT_PASSWORD"])
        attach(client)
        await client.start()
        print(f"echo bot online as {client.user['username'] if client.user else '?'}; Ctrl-C to stop")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
