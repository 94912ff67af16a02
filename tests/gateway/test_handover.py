"""A gateway process that stops hands its sessions over: clients RESUME on another gateway and
miss nothing, or get 4007 when who-sees-what changed while they were away."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Server
from tests.gateway.test_scale import API, cluster, gateway_node, online
from tests.gateway.wsclient import Raw
from tests.messages.helpers import Person, Room, room
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)
from tests.voice.helpers import channel, state_count

pytestmark = needs_nats


async def _say(api: object, who: Person, channel_id: str, content: str) -> None:
    r = await api.http.post(  # type: ignore[attr-defined]
        f"{API}/channels/{channel_id}/messages", json={"content": content}, headers=who.headers
    )
    assert r.status_code == 201, r.text


async def _resume(url: str, who: Person, ws: Raw) -> Raw:
    again = await Raw.connect(url)
    await again.send(5, {"token": who.token, "session_id": ws.session_id, "seq": ws.seq, "ready": False})
    return again


async def test_clients_of_a_stopped_gateway_resume_on_another_without_loss(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second = await c.api(), await c.gateway("g2")
        r = await room(api)
        async with gateway_node(c.settings("g1")) as first:
            member = (await online(first.url, r.member))[r.member.id]
            await _say(api, r.owner, r.channel_id, "before")
            await member.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == "before")
        # g1 stopped: RECONNECT, then 1001; its sessions are in the handover bucket.
        while (await member.recv())["op"] != 6:
            pass
        assert await member.closed_with() == 1001
        for i in range(5):  # published while the member is between gateways
            await _say(api, r.owner, r.channel_id, f"away {i}")
        again = await _resume(second.url, r.member, member)
        replayed = []
        while (frame := await again.recv()).get("t") != "RESUMED":
            replayed.append(frame)
        assert [f["d"]["content"] for f in replayed if f["t"] == "MESSAGE_CREATE"] == [f"away {i}" for i in range(5)]
        assert [f["s"] for f in replayed] == list(range(member.seq + 1, member.seq + 1 + len(replayed)))
        await _say(api, r.owner, r.channel_id, "live")
        live = await again.wait_for("MESSAGE_CREATE")
        assert live["d"]["content"] == "live" and live["s"] == replayed[-1]["s"] + 2  # after RESUMED


async def test_a_handed_over_session_whose_view_changed_meanwhile_gets_4007(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second = await c.api(), await c.gateway("g2")
        r = await room(api)
        async with gateway_node(c.settings("g1")) as first:
            member = (await online(first.url, r.member))[r.member.id]
        await view_change_needs_a_fresh_ready(api, second.url, r, member)


async def view_change_needs_a_fresh_ready(api: Server, url: str, r: Room, member: Raw) -> None:
    """A channel is created while the member is between gateways: RESUME on `url` gets 4007,
    and a fresh IDENTIFY there lists the new channel."""
    created = await api.http.post(f"{API}/guilds/{r.guild_id}/channels", json={"name": "new"}, headers=r.owner.headers)
    assert created.status_code == 201, created.text
    again = await _resume(url, r.member, member)
    assert await again.closed_with() == 4007
    fresh = await Raw.connect(url)
    ready = await fresh.identify(r.member.token)
    assert "new" in [ch["name"] for g in ready["guilds"] for ch in g["channels"]]
    await fresh.close()


async def test_a_voice_state_stays_with_a_session_resumed_after_a_stop(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    """Stopping a gateway ends none of its sessions: the one resumed elsewhere is still in voice."""
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second = await c.api(), await c.gateway("g2")
        r = await room(api)
        lounge = await channel(api, r.owner, r.guild_id, "Lounge")
        owner = (await online(second.url, r.owner))[r.owner.id]
        async with gateway_node(c.settings("g1")) as first:
            member = (await online(first.url, r.member))[r.member.id]
            await member.send(4, {"guild_id": r.guild_id, "channel_id": lounge})
            await owner.wait_for("VOICE_STATE_UPDATE", check=lambda d: d["user_id"] == r.member.id)
            await member.wait_for("VOICE_STATE_UPDATE", check=lambda d: d["user_id"] == r.member.id)
        again = await _resume(second.url, r.member, member)
        await again.wait_for("RESUMED")
        await _say(api, r.owner, r.channel_id, "still there?")
        await again.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == "still there?")
        assert await state_count(api) == 1
        assert [f for f in owner.dispatches if f["t"] == "VOICE_STATE_UPDATE" and "channel_id" not in f["d"]] == []
