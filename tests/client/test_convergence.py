"""Convergence: after each step, a client's cache (READY + events) equals what REST answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from amityvox.client import Client, RestClient, assert_converged, fetch_state
from amityvox.client.convergence import diff, normalise
from tests.conftest import Server

NOBODYS_GUILD = "0" * 26


async def barrier(server: Server, *clients: Client) -> None:
    """Wait until every client has received everything published so far.

    A member request is answered on the same ordered stream as the dispatches, after
    them, so once its (empty) answer arrives everything published earlier has too.
    """
    await server.settle()
    for client in clients:
        await client.gateway.request_members(NOBODYS_GUILD)
        await client.synced()


async def converged(server: Server, *clients: Client, channels: list[str] | None = None) -> None:
    await barrier(server, *clients)
    for client in clients:
        await client.converged(channels)


@pytest.fixture
async def pair(server: Server) -> AsyncIterator[tuple[Client, Client]]:
    clients = []
    for name in ("alice", "bob"):
        client = Client(server.url, strict=True, validate=True, backoff=(0.05,), jitter=0.0)
        await client.register(name, "correct horse")
        await client.start(timeout=5)
        clients.append(client)
    yield clients[0], clients[1]
    for client in clients:
        assert client.gateway.errors == [], client.gateway.errors
        await client.close()


async def test_guild_life_converges_for_owner_and_member(server: Server, pair: tuple[Client, Client]) -> None:
    alice, bob = pair
    a, b = alice.rest, bob.rest
    bob_id = str(bob.state.user_id)
    guild = await a.create_guild("hangout", description="a place")
    gid = guild["id"]
    await converged(server, alice, bob)

    news = await a.create_channel(gid, "news", topic="first")
    role = await a.create_role(gid, name="crew", mentionable=True)
    emoji = await a.create_emoji(gid, "party")
    invite = await a.create_invite(gid)
    await b.accept_invite(invite["code"])
    await a.add_member_role(gid, bob_id, role["id"])
    await a.update_member(gid, bob_id, nickname="bobby")
    await a.update_channel(news["id"], name="announcements", topic=None)
    await a.update_guild(gid, name="hangout 2")
    await a.update_role(gid, role["id"], name="crew 2")
    await a.update_emoji(gid, emoji["id"], "party2")
    await converged(server, alice, bob)

    # Hide the channel from everyone but the crew, then take bob's role: it disappears for him.
    await a.put_overwrite(news["id"], gid, "role", deny=1 << 20)
    await a.put_overwrite(news["id"], role["id"], "role", allow=1 << 20)
    await converged(server, alice, bob)
    await a.remove_member_role(gid, bob_id, role["id"])
    await converged(server, alice, bob)
    assert news["id"] not in bob.state.channels

    await a.delete_emoji(gid, emoji["id"])
    await a.delete_role(gid, role["id"])
    await a.delete_channel(news["id"])
    await converged(server, alice, bob)

    await a.kick_member(gid, bob_id)
    await converged(server, alice, bob)
    assert gid not in bob.state.guilds and alice.state.guilds[gid]["member_count"] == 1

    await a.delete_guild(gid)
    await converged(server, alice, bob)
    assert alice.state.guilds == {}


async def test_messages_reactions_pins_and_read_state_converge(server: Server, pair: tuple[Client, Client]) -> None:
    alice, bob = pair
    a, b = alice.rest, bob.rest
    alice_id = str(alice.state.user_id)
    guild = await a.create_guild("chat")
    invite = await a.create_invite(guild["id"])
    await b.accept_invite(invite["code"])
    channel_id = (await a.list_channels(guild["id"]))[0]["id"]
    channels = [channel_id]

    first = await b.send_message(channel_id, f"hello <@{alice_id}>")
    second = await b.send_message(channel_id, "@here look")
    third = await b.send_message(channel_id, "plain")
    await a.add_reaction(channel_id, first["id"], "👍")
    await b.add_reaction(channel_id, first["id"], "👍")
    await b.add_reaction(channel_id, first["id"], "🎉")
    await converged(server, alice, bob, channels=channels)
    # bob may not mention @here (no MentionHere), so only the user mention counts.
    assert second["mention_here"] is False
    assert (
        alice.state.read_state[channel_id]["unread_count"],
        alice.state.read_state[channel_id]["mention_count"],
    ) == (
        3,
        1,
    )

    await a.remove_reaction(channel_id, first["id"], "👍")
    await a.clear_reactions(channel_id, first["id"], "🎉")
    await a.pin(channel_id, second["id"])
    await b.edit_message(channel_id, third["id"], "plain, edited")
    await a.create_thread(channel_id, first["id"], "side talk")
    await converged(server, alice, bob, channels=channels)

    await a.ack(channel_id, first["id"])  # mark the later ones unread again
    await converged(server, alice, bob, channels=channels)
    await b.delete_message(channel_id, second["id"])
    extra = [await b.send_message(channel_id, f"n{i}") for i in range(3)]
    await a.bulk_delete(channel_id, [m["id"] for m in extra[:2]])
    await converged(server, alice, bob, channels=channels)
    await a.ack(channel_id)
    await a.send_message(channel_id, "caught up")
    await converged(server, alice, bob, channels=channels)
    assert alice.state.read_state[channel_id]["unread_count"] == 0


async def test_dms_groups_and_relationships_converge(server: Server, pair: tuple[Client, Client]) -> None:
    alice, bob = pair
    a, b = alice.rest, bob.rest
    alice_id, bob_id = str(alice.state.user_id), str(bob.state.user_id)
    await a.friend(bob_id)
    await converged(server, alice, bob)
    assert alice.state.relationship(bob_id)["type"] == "pending_outgoing"  # type: ignore[index]
    await b.friend(alice_id)
    await converged(server, alice, bob)
    assert alice.state.relationship(bob_id)["type"] == "friend"  # type: ignore[index]

    carol = await server.register("carol")
    await a.friend(carol["user"]["id"])
    async with RestClient(server.url, carol["token"]) as c:
        await c.friend(alice_id)
    dm = await a.open_dm(bob_id)
    await b.send_message(dm["id"], "hi alice")
    group = await a.create_group_dm([bob_id], name="trio")
    await a.add_recipient(group["id"], carol["user"]["id"])
    await a.send_message(group["id"], "welcome")
    await converged(server, alice, bob, channels=[dm["id"], group["id"]])

    await b.update_me(display_name="Bob B.")
    await converged(server, alice, bob, channels=[dm["id"]])
    await b.remove_recipient(group["id"], "@me")
    await a.unfriend(bob_id)
    await a.block(carol["user"]["id"])
    await converged(server, alice, bob, channels=[dm["id"]])
    assert group["id"] not in bob.state.channels and bob.state.relationships == {}


async def test_a_stale_cache_is_reported_by_path(server: Server, pair: tuple[Client, Client]) -> None:
    alice, _ = pair
    guild = await alice.rest.create_guild("g")
    await barrier(server, alice)
    channel_id = alice.state.guild_channels(guild["id"])[0]["id"]
    alice.state.channels[channel_id]["name"] = "stale"
    alice.state.guilds[guild["id"]]["member_count"] = 7
    with pytest.raises(AssertionError) as err:
        await assert_converged(alice.state, alice.rest)
    text = str(err.value)
    assert f"guilds.{guild['id']}.channels.{channel_id}.name" in text and "'stale'" in text
    assert f"guilds.{guild['id']}.guild.member_count" in text


class _WithoutRoutes(httpx.AsyncBaseTransport):
    """The real server, except that some routes answer like a server that lacks them."""

    def __init__(self, missing: dict[str, int]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.missing = missing

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for suffix, status in self.missing.items():
            if request.url.path.endswith(suffix):
                return httpx.Response(status, json={"error": {"code": "not_found", "message": "no such route"}})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_routes_a_server_lacks_are_skipped_on_both_sides(server: Server, pair: tuple[Client, Client]) -> None:
    alice, _ = pair
    await alice.rest.create_guild("g")
    await barrier(server, alice)
    transport = _WithoutRoutes({"/emoji": 404, "/relationships": 405})
    async with RestClient(server.url, alice.rest.token, transport=transport) as rest:
        snap = await fetch_state(rest)
        assert snap["skipped"] == ["/guilds/{g}/emoji", "/users/@me/relationships"]
        assert "relationships" not in snap and all("emoji" not in g for g in snap["guilds"].values())
        alice.state.relationships["x"] = {"user_id": "y", "target_id": "x", "type": "friend"}
        await assert_converged(alice.state, rest)  # the skipped sections are not compared


def test_normalisation_sorts_unordered_lists_and_drops_the_nonce() -> None:
    message: dict[str, Any] = {
        "id": "m", "nonce": "n", "mention_user_ids": ["b", "a"], "mention_role_ids": [],
        "reactions": [{"emoji": "z", "count": 1, "me": False}, {"emoji": "a", "count": 2, "me": True}],
        "embeds": [{"url": "2"}, {"url": "1"}],
    }  # fmt: skip
    out = normalise("message", message)
    assert "nonce" not in out and out["mention_user_ids"] == ["a", "b"]
    assert [r["emoji"] for r in out["reactions"]] == ["a", "z"]
    assert out["embeds"] == [{"url": "2"}, {"url": "1"}]  # order of embeds is meaningful
    assert diff({"a": {"b": 1}}, {"a": {"b": 2}}) == ["a.b: REST has 1, the cache has 2"]
