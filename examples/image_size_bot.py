"""Image size bot: answers every image posted where it can see with its dimensions, and checks
them against the bytes it downloads (the URL in the attachment is signed, so no token is needed).

AMITYVOX_URL=http://127.0.0.1:8080 BOT_USER=sizer BOT_PASSWORD='…' python examples/image_size_bot.py
"""

from __future__ import annotations

import asyncio
import io
import os
from typing import Any

from PIL import Image

from amityvox.client import Client


def attach(client: Client) -> None:
    """Register the bot's behaviour on a connected client (also used by the tests)."""

    @client.on("MESSAGE_CREATE")
    async def on_message(message: dict[str, Any]) -> None:
        me = client.user
        if me is None or message["author_id"] == me["id"]:
            return
        lines = []
        for a in message.get("attachments", []):
            if not a.get("content_type", "").startswith("image/"):
                continue
            data = await client.rest.download(a["url"])
            width, height = Image.open(io.BytesIO(data)).size
            lines.append(f"{a['filename']}: {width}x{height} px, {len(data)} bytes")
        if lines:
            await client.rest.send_message(message["channel_id"], "\n".join(lines), reply_to_ids=[message["id"]])


async def main() -> None:
    async with Client(os.environ.get("AMITYVOX_URL", "http://127.0.0.1:8080")) as client:
        await client.login(os.environ["BOT_USER"], os.environ["BOT_PASSWORD"])
        attach(client)
        await client.start()
        print(f"image size bot online as {client.user['username'] if client.user else '?'}; Ctrl-C to stop")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
