"""Client against the real server: READY, events into the cache, opcodes, RESUME, 4004."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from amityvox.client import Client, GatewayClient, GatewayError
from amityvox.events import validate
from tests.conftest import Server

Connect = Callable[..., Awaitable[Client]]


@pytest.fixture
async def connect(server: Server) -> AsyncIterator[Connect]:
    """Register a user and start a strict, validating client for them."""
    clients: list[Client] = []

    async def make(username: str, **options: Any) -> Client:
        client = Client(server.url, strict=True, validate=True, **{"backoff": (0.05,), "jitter": 0.0, **options})
        await client.register(username, "correct horse")
        await client.start(timeout=5)
        clients.append(client)
        return client

    yield make
    for client in clients:
        assert client.gateway.errors == [], client.gateway.errors
        await client.close()


async def _shared_guild(alice: Client, bob: Client) -> str:
    guild = await alice.rest.create_guild("hangout")
    invite = await alice.rest.create_invite(guild["id"])
    joined = bob.wait_for("GUILD_CREATE")
    await bob.rest.accept_invite(invite["code"])
    await joined
    await alice.synced()
    await bob.synced()
    return str(guild["id"])


async def test_ready_fills_the_self_user_and_the_connection(connect: Connect) -> None:
    alice = await connect("alice")
    assert alice.connected and alice.user is not None and alice.user["username"] == "alice"
    assert alice.state.connection.connected and alice.state.connection.session_id == alice.gateway.session_id
    assert alice.gateway.seq is not None and alice.gateway.seq >= 1


async def test_a_profile_edit_reaches_the_cache_before_listeners(connect: Connect) -> None:
    alice = await connect("alice")
    seen: list[str | None] = []

    @alice.on("USER_UPDATE")
    def sync_listener(d: dict[str, Any]) -> None:
        assert alice.user is not None
        seen.append(alice.user.get("display_name"))

    @alice.on("USER_UPDATE")
    async def async_listener(d: dict[str, Any]) -> None:
        seen.append(d.get("display_name"))

    update = alice.wait_for("USER_UPDATE")
    await alice.rest.update_me(display_name="Alice A.")
    d = await update
    await asyncio.sleep(0)  # let the async listener run
    assert d["display_name"] == "Alice A."
    assert seen == ["Alice A.", "Alice A."]
    assert alice.user is not None and alice.user["display_name"] == "Alice A."


async def test_presence_typing_and_member_requests_over_the_gateway(connect: Connect) -> None:
    alice = await connect("alice")
    bob = await connect("bob")
    guild_id = await _shared_guild(alice, bob)
    busy = bob.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == alice.state.user_id)
    await alice.gateway.update_presence("busy")
    await busy
    assert bob.state.presence_of(str(alice.state.user_id)) == "busy"

    channel_id = alice.state.guild_channels(guild_id)[0]["id"]
    typing = bob.wait_for("TYPING_START")
    await alice.gateway.send_typing(channel_id)
    await typing
    assert bob.state.typing_in(channel_id) == [alice.state.user_id]

    chunk = await bob.gateway.request_members(guild_id, query="ali")
    assert [m["user"]["username"] for m in chunk["members"]] == ["alice"]
    await bob.gateway.subscribe([channel_id])
    await bob.gateway.update_voice_state(guild_id, None)
    await bob.gateway.request_members(guild_id)  # answered after the two frames above were handled
    assert bob.connected and bob.state.connection.last_disconnect is None  # both were accepted


async def test_member_chunks_fill_the_member_list(connect: Connect) -> None:
    alice = await connect("alice")
    bob = await connect("bob")
    guild_id = await _shared_guild(alice, bob)
    for client in (alice, bob):
        assert sorted(client.state.members[guild_id]) == sorted([str(alice.state.user_id), str(bob.state.user_id)])
        assert client.state.guilds[guild_id]["member_count"] == 2


async def test_resume_after_the_connection_dies_replays_what_was_missed(connect: Connect) -> None:
    alice = await connect("alice", backoff=(0.5,))
    session_id, seq = alice.gateway.session_id, alice.gateway.seq
    assert seq is not None
    resumed = alice.wait_for("RESUMED", timeout=5)
    ws = alice.gateway._ws
    assert ws is not None
    ws.transport.abort()
    await alice.rest.update_me(display_name="first")
    await alice.rest.update_me(display_name="second", bio="while away")
    d = await resumed
    assert d == {"replayed": 2}
    assert alice.gateway.session_id == session_id and alice.gateway.seq == seq + 3
    assert alice.user is not None and (alice.user["display_name"], alice.user["bio"]) == ("second", "while away")
    assert alice.state.connection.connected and alice.state.connection.resumes == 1
    assert alice.state.connection.last_disconnect is not None
    await alice.converged()


async def test_an_expired_session_is_identified_anew(connect: Connect) -> None:
    alice = await connect("alice")
    ready = alice.wait_for("READY")
    alice.gateway.session_id = "not-a-session"  # the server answers its RESUME with 4007
    ws = alice.gateway._ws
    assert ws is not None
    ws.transport.abort()
    d = await ready
    assert d["session_id"] != "not-a-session" and alice.gateway.session_id == d["session_id"]
    # The server sends op 6 before closing with 4007; the client acts on the op 6.
    assert alice.state.connection.last_disconnect == {"reason": "the server asked to reconnect"}
    await alice.converged()


async def test_a_bad_token_fails_authentication_once(server: Server) -> None:
    client = GatewayClient(server.url, "0" * 64, backoff=(0.01,), jitter=0.0)
    seen: list[tuple[str, dict[str, Any]]] = []
    client.add_listener("*", lambda name, d: seen.append((name, d)))
    with pytest.raises(GatewayError) as err:
        await client.start(timeout=5)
    assert err.value.code == 4004
    await asyncio.sleep(0.1)
    assert client.connects == 1 and not client.connected
    assert seen == [("GATEWAY_AUTH_FAILED", {"code": 4004})]
    validate("GATEWAY_AUTH_FAILED", seen[0][1])


async def test_listeners_must_name_catalog_events(connect: Connect) -> None:
    alice = await connect("alice")
    with pytest.raises(KeyError):
        alice.on("MESAGE_CREATE")
    with pytest.raises(TimeoutError):
        await alice.wait_for("MESSAGE_CREATE", timeout=0.05)


async def test_voice_signals_reach_the_other_participant_through_the_sdk(connect: Connect) -> None:
    alice, bob = await connect("alice"), await connect("bob")
    await _shared_guild(alice, bob)
    assert bob.user is not None
    dm = await alice.rest.open_dm(bob.user["id"])
    joined = bob.wait_for("VOICE_STATE_UPDATE", check=lambda d: d.get("channel_id") == dm["id"])
    answer = await alice.rest.join_voice(dm["id"])
    assert answer["ice_servers"] == [] and answer["max_peers"] == 6
    await joined
    await bob.rest.join_voice(dm["id"])
    offer = bob.wait_for("VOICE_SIGNAL")
    await alice.rest.voice_signal(dm["id"], bob.user["id"], "offer", sdp="v=0\r\n")
    got = await offer
    assert got["kind"] == "offer" and got["sdp"] == "v=0\r\n" and got["channel_id"] == dm["id"]
    await bob.rest.leave_voice(dm["id"])
