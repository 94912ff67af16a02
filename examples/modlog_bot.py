"""Moderation-log bot: writes bans, kicks, leaves and automod actions to a `#mod-log` channel.

    AMITYVOX_URL=http://127.0.0.1:8080 BOT_USER=modlog BOT_PASSWORD='…' python examples/modlog_bot.py

The bot's account must be a guild moderator (it receives GUILD_BAN_ADD and AUTOMOD_ACTION only
then) and able to post in a text channel named `mod-log`.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from amityvox.client import Client

LOG_CHANNEL = "mod-log"


def attach(client: Client) -> None:
    """Register the bot's behaviour on a connected client (also used by the tests)."""

    def log_channel(guild_id: str) -> str | None:
        for channel in client.state.channels.values():
            if channel.get("guild_id") == guild_id and channel.get("name") == LOG_CHANNEL:
                return str(channel["id"])
        return None

    async def log(guild_id: str, line: str) -> None:
        channel_id = log_channel(guild_id)
        if channel_id is not None:
            await client.rest.send_message(channel_id, line)

    def name(user_id: str) -> str:
        user = client.state.users.get(user_id)
        return f"{user['username']} ({user_id})" if user else user_id

    @client.on("GUILD_BAN_ADD")
    async def on_ban(d: dict[str, Any]) -> None:
        await log(d["guild_id"], f"🔨 banned {name(d['user_id'])}: {d.get('reason') or 'no reason given'}")

    @client.on("GUILD_BAN_REMOVE")
    async def on_unban(d: dict[str, Any]) -> None:
        await log(d["guild_id"], f"unbanned {name(d['user_id'])}")

    @client.on("GUILD_MEMBER_REMOVE")
    async def on_remove(d: dict[str, Any]) -> None:
        await log(d["guild_id"], f"👋 {name(d['user_id'])} left or was removed")

    @client.on("AUTOMOD_ACTION")
    async def on_automod(d: dict[str, Any]) -> None:
        await log(d["guild_id"], f"🛡 automod `{d['rule_name']}` → {d['action']} on {name(d['user_id'])}: {d['reason']}")


async def main() -> None:
    async with Client(os.environ.get("AMITYVOX_URL", "http://127.0.0.1:8080")) as client:
        await client.login(os.environ["BOT_USER"], os.environ["BOT_PASSWORD"])
        attach(client)
        await client.start()
        print("moderation-log bot online; Ctrl-C to stop")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
