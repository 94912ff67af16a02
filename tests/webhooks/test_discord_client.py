"""A Discord webhook client from PyPI (`discord-webhook`), unmodified but for the base URL, posts
into a channel; a member connected over the gateway sees the message as the webhook sent it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from discord_webhook import DiscordEmbed, DiscordWebhook

from amityvox.client import Client
from tests.conftest import Server


@pytest.fixture
async def owner_and_member(server: Server) -> AsyncIterator[tuple[Client, Client, str]]:
    """The owner of a guild and a member of it, both connected; the guild's first text channel."""
    owner = Client(server.url, strict=True, validate=True)
    member = Client(server.url, strict=True, validate=True)
    await owner.register("owner", "correct horse")
    await member.register("member", "correct horse")
    await owner.start(timeout=5)
    await member.start(timeout=5)
    guild = await owner.rest.create_guild("hooks")
    invite = await owner.rest.create_invite(guild["id"])
    joined = member.wait_for("GUILD_CREATE")
    await member.rest.accept_invite(invite["code"])
    await joined
    yield owner, member, guild["channels"][0]["id"]
    for client in (owner, member):
        assert client.gateway.errors == [], client.gateway.errors
        await client.close()


async def test_discord_webhook_posts_content_name_and_embed(owner_and_member: tuple[Client, Client, str]) -> None:
    owner, member, channel_id = owner_and_member
    hook = await owner.rest.create_webhook(channel_id, "Deploy bot")
    assert hook["url"].endswith(f"/api/v1/webhooks/{hook['id']}/{hook['token']}")

    webhook = DiscordWebhook(url=hook["url"], content="Deployed **v1.2** to production", timeout=10)
    embed = DiscordEmbed(
        title="Release v1.2", description="Three fixes", color="03b2f8", url="https://example.org/r/12"
    )
    embed.set_author(name="CI", url="https://example.org/ci")
    embed.set_footer(text="pipeline #42")
    embed.set_image(url="https://example.org/graph.png")
    embed.set_thumbnail(url="https://example.org/logo.png")
    embed.add_embed_field(name="Tests", value="512 passed")
    embed.add_embed_field(name="Duration", value="3 min", inline=False)
    embed.set_timestamp(1_767_225_600)  # 2026-01-01T00:00:00Z
    webhook.add_embed(embed)

    created = member.wait_for("MESSAGE_CREATE", lambda d: d.get("webhook_id") == hook["id"])
    response = await asyncio.to_thread(webhook.execute)  # requests, as its users run it
    assert response.status_code == 200, response.text
    d = await created

    assert webhook.id == d["id"]  # the library read the message id from our answer
    assert d["content"] == "Deployed **v1.2** to production"
    assert d["channel_id"] == channel_id and d["author_id"] == hook["id"]
    assert d["author"]["username"] == "Deploy bot"
    [shown] = d["embeds"]
    expected: dict[str, Any] = {
        "type": "rich",
        "title": "Release v1.2",
        "description": "Three fixes",
        "url": "https://example.org/r/12",
        "color": 0x03B2F8,
        "author": {"name": "CI", "url": "https://example.org/ci"},
        "footer": {"text": "pipeline #42"},
        "image": "https://example.org/graph.png",
        "thumbnail": "https://example.org/logo.png",
        "fields": [
            {"name": "Tests", "value": "512 passed", "inline": True},
            {"name": "Duration", "value": "3 min", "inline": False},
        ],
        "timestamp": "2026-01-01T00:00:00.000000Z",
    }
    assert shown == expected
    # The member's cache keeps the message with the name it was sent under.
    cached = member.state.message(channel_id, d["id"])
    assert cached is not None and cached["author"]["username"] == "Deploy bot"


async def test_username_and_avatar_override_per_message(owner_and_member: tuple[Client, Client, str]) -> None:
    owner, member, channel_id = owner_and_member
    hook = await owner.rest.create_webhook(channel_id, "Alerts")

    first = member.wait_for("MESSAGE_CREATE", lambda d: d["content"] == "disk full")
    webhook = DiscordWebhook(
        url=hook["url"], content="disk full", username="Pager", avatar_url="https://example.org/pager.png", timeout=10
    )
    assert (await asyncio.to_thread(webhook.execute)).status_code == 200
    d1 = await first
    second = member.wait_for("MESSAGE_CREATE", lambda d: d["content"] == "resolved")
    plain = DiscordWebhook(url=hook["url"], content="resolved", timeout=10)
    assert (await asyncio.to_thread(plain.execute)).status_code == 200
    d2 = await second

    assert d1["author"]["username"] == "Pager" and d1["author"]["avatar_url"] == "https://example.org/pager.png"
    assert d2["author"]["username"] == "Alerts" and "avatar_url" not in d2["author"]
    # Each message keeps its own author, in the cache and in history.
    assert member.state.message(channel_id, d1["id"])["author"]["username"] == "Pager"  # type: ignore[index]
    history = {m["id"]: m for m in await member.rest.request("GET", f"/channels/{channel_id}/messages")}
    assert history[d1["id"]]["author"]["username"] == "Pager"
    assert history[d2["id"]]["author"]["username"] == "Alerts"


async def test_the_library_edits_and_deletes_what_it_posted(owner_and_member: tuple[Client, Client, str]) -> None:
    owner, member, channel_id = owner_and_member
    hook = await owner.rest.create_webhook(channel_id, "Status")
    webhook = DiscordWebhook(url=hook["url"], content="deploying…", timeout=10)
    created = member.wait_for("MESSAGE_CREATE", lambda d: d.get("webhook_id") == hook["id"])
    assert (await asyncio.to_thread(webhook.execute)).status_code == 200
    message = await created

    webhook.set_content("deployed")
    updated = member.wait_for("MESSAGE_UPDATE", lambda d: d["id"] == message["id"])
    response = await asyncio.to_thread(webhook.edit)
    assert response.status_code == 200, response.text
    d = await updated
    assert d["content"] == "deployed" and d["author"]["username"] == "Status" and "edited_at" in d
    assert member.state.message(channel_id, message["id"])["content"] == "deployed"  # type: ignore[index]

    deleted = member.wait_for("MESSAGE_DELETE", lambda d: d["id"] == message["id"])
    assert (await asyncio.to_thread(webhook.delete)).status_code == 204
    await deleted
    assert member.state.message(channel_id, message["id"]) is None

    # Another's message cannot be reached through the webhook's URL.
    mine = await owner.rest.send_message(channel_id, "not the webhook's")
    other = DiscordWebhook(url=hook["url"], id=mine["id"], content="hijacked", timeout=10)
    assert (await asyncio.to_thread(other.edit)).status_code == 404
    assert (await asyncio.to_thread(other.delete)).status_code == 404
