"""The example bots do their job against a real server."""

from __future__ import annotations

from typing import Any

from amityvox.client import Client
from examples import dice_bot, image_size_bot, modlog_bot
from tests.conftest import Server, auth
from tests.media.helpers import png


async def _guild(server: Server, owner: dict[str, Any], *members: dict[str, Any]) -> dict[str, Any]:
    g = (await server.http.post("/api/v1/guilds", json={"name": "g"}, headers=auth(owner["token"]))).json()["data"]
    code = await server.http.post(f"/api/v1/guilds/{g['id']}/invites", json={}, headers=auth(owner["token"]))
    for m in members:
        await server.http.post(f"/api/v1/invites/{code.json()['data']['code']}", headers=auth(m["token"]))
    return g


async def test_dice_bot_still_echoes(server: Server) -> None:
    alice = await server.register("alice")
    made = await server.http.post("/api/v1/users/@me/bots", json={"username": "dice"}, headers=auth(alice["token"]))
    issued = await server.http.post(
        f"/api/v1/bots/{made.json()['data']['user']['id']}/tokens", headers=auth(alice["token"])
    )
    bot = issued.json()["data"]
    g = await _guild(server, alice, bot)
    async with Client(server.url, bot["token"]) as client:
        dice_bot.attach(client)
        await client.start()
        async with Client(server.url, alice["token"]) as user:
            await user.start()
            await user.rest.send_message(g["channels"][0]["id"], "!echo hello there")
            reply = await user.wait_for("MESSAGE_CREATE", check=lambda m: m["author_id"] == bot["user"]["id"])
            assert reply["content"] == "hello there"


async def test_modlog_bot_logs_a_ban(server: Server) -> None:
    owner, bot, troll = [await server.register(n) for n in ("owner", "modlog", "troll")]
    g = await _guild(server, owner, bot, troll)
    h = auth(owner["token"])
    role = (
        await server.http.post(
            f"/api/v1/guilds/{g['id']}/roles", json={"name": "mods", "permissions_allow": 128}, headers=h
        )
    ).json()["data"]
    await server.http.put(f"/api/v1/guilds/{g['id']}/members/{bot['user']['id']}/roles/{role['id']}", headers=h)
    log = (await server.http.post(f"/api/v1/guilds/{g['id']}/channels", json={"name": "mod-log"}, headers=h)).json()
    async with Client(server.url, bot["token"]) as client:
        modlog_bot.attach(client)
        await client.start()
        await server.http.put(
            f"/api/v1/guilds/{g['id']}/bans/{troll['user']['id']}", json={"reason": "spam"}, headers=h
        )
        entry = await client.wait_for(
            "MESSAGE_CREATE", check=lambda m: m["channel_id"] == log["data"]["id"] and "banned" in m["content"]
        )
        assert "troll" in entry["content"] and "spam" in entry["content"]


async def test_image_size_bot_answers_with_dimensions(server: Server) -> None:
    alice, bot = await server.register("alice"), await server.register("sizer")
    g = await _guild(server, alice, bot)
    channel = g["channels"][0]["id"]
    async with Client(server.url, bot["token"]) as client:
        image_size_bot.attach(client)
        await client.start()
        async with Client(server.url, alice["token"]) as user:
            await user.start()
            progress: list[tuple[int, int]] = []
            att = await user.rest.upload(
                channel, png(640, 480), "cat.png", on_progress=lambda s, t: progress.append((s, t))
            )
            assert progress and progress[-1][0] == progress[-1][1]
            sent = await user.rest.send_message(channel, "my cat", attachments=[att["id"]])
            reply = await user.wait_for("MESSAGE_CREATE", check=lambda m: m["author_id"] == bot["user"]["id"])
            # The reply came after the message's own event: the cache keeps its attachment.
            assert user.state.messages[channel][sent["id"]]["attachments"][0]["width"] == 640
            assert reply["content"] == f"cat.png: 640x480 px, {att['size_bytes']} bytes"
            assert reply["reply_to_ids"] == [sent["id"]]
