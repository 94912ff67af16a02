"""A gateway process that is killed (no shutdown, no handover) still loses no event: its sessions
were checkpointed while it ran, so their clients RESUME on another gateway, once, or get 4007
when who-sees-what changed while they were away."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import nats
import orjson
import websockets

from amityvox.bus.nats import EVENTS_STREAM
from amityvox.gateway.handover import BUCKET as SESSIONS_BUCKET
from tests.gateway.processes import amityvox_process, kill
from tests.gateway.test_handover import _resume, _say, view_change_needs_a_fresh_ready
from tests.gateway.test_scale import Cluster, cluster, gateway_node, online
from tests.gateway.wsclient import Raw
from tests.messages.helpers import Person, room
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)
from tests.voice.helpers import channel, state_count

pytestmark = needs_nats


async def anchored(nats_url: str, *clients: Raw, timeout: float = 15) -> None:
    """Wait until the gateway has recorded each client's session at least as far as the client
    has read (its periodic checkpoint, handover.py): only then may a kill leave it resumable."""
    nc = await nats.connect(nats_url)
    try:
        kv = await nc.jetstream().key_value(SESSIONS_BUCKET)
        for ws in clients:
            assert ws.session_id is not None
            watcher = await kv.watch(f"node.*.{ws.session_id[-1]}")
            try:
                async with asyncio.timeout(timeout):
                    while True:
                        entry = await watcher.updates(timeout=timeout)
                        if entry is None or not entry.value:
                            continue
                        flat = orjson.loads(entry.value)["sessions"].get(ws.session_id, ["", []])[1]
                        if flat and flat[-3] >= ws.seq:  # the newest anchor's seq
                            break
            finally:
                await watcher.stop()
    finally:
        await nc.close()


async def _killed_under(c: Cluster, who: Person) -> Raw:
    """`who` connected to a gateway process that is killed once their session is anchored."""
    async with amityvox_process(c, "gateway", "g1") as first:
        ws = (await online(first.url, who))[who.id]
        await anchored(c.nats.url, ws)
        await kill(first)
    return ws


async def _resumed(ws: Raw) -> tuple[list[dict[str, Any]], int | None]:
    """The frames replayed before RESUMED, or those received and the close code if the resume failed."""
    frames: list[dict[str, Any]] = []
    try:
        while (frame := await ws.recv()).get("t") != "RESUMED":
            frames.append(frame)
    except websockets.ConnectionClosed as exc:
        return frames, exc.rcvd.code if exc.rcvd is not None else 1006  # no close frame at all
    return frames, None


async def test_clients_of_a_killed_gateway_resume_on_another_without_loss(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second = await c.api(), await c.gateway("g2")
        r = await room(api)
        async with amityvox_process(c, "gateway", "g1") as first:
            member = (await online(first.url, r.member))[r.member.id]
            watcher = (await online(first.url, r.member))[r.member.id]  # sees what g1 sent the member
            await _say(api, r.owner, r.channel_id, "before")
            await member.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == "before")
            await member.drain()  # anything else already on its way; from here on the member reads nothing
            for i in range(3):
                await _say(api, r.owner, r.channel_id, f"unread {i}")
            await watcher.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == "unread 2")
            await anchored(c.nats.url, member)
            await kill(first)
        for i in range(3):  # published while the member is between gateways
            await _say(api, r.owner, r.channel_id, f"away {i}")
        again = await _resume(second.url, r.member, member)
        replayed, code = await _resumed(again)
        assert code is None, f"RESUME after a kill was refused with close {code}"
        assert [(f["t"], f["d"]["content"]) for f in replayed] == [
            ("MESSAGE_CREATE", f"{what} {i}") for what in ("unread", "away") for i in range(3)
        ]
        assert [f["s"] for f in replayed] == list(range(member.seq + 1, member.seq + 1 + len(replayed)))
        await _say(api, r.owner, r.channel_id, "live")
        live = await again.wait_for("MESSAGE_CREATE")
        assert live["d"]["content"] == "live" and live["s"] == replayed[-1]["s"] + 2  # after RESUMED
        await again.close()


async def test_a_second_resume_of_an_adopted_session_is_refused(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second, third = await c.api(), await c.gateway("g2"), await c.gateway("g3")
        r = await room(api)
        async with amityvox_process(c, "gateway", "g1") as first:
            member = (await online(first.url, r.member))[r.member.id]
            await _say(api, r.owner, r.channel_id, "before")
            await member.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == "before")
            await anchored(c.nats.url, member)
            await kill(first)
        again = await _resume(second.url, r.member, member)
        _, code = await _resumed(again)
        assert code is None, f"RESUME after a kill was refused with close {code}"
        # The same session, with the same old seq, on a third gateway while g2 still holds it.
        twice = await _resume(third.url, r.member, member)
        _, code = await _resumed(twice)
        assert code == 4007  # g2 numbered on from RESUMED: nothing is anchored at the old seq any more
        await _say(api, r.owner, r.channel_id, "after")
        got = await again.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == "after")
        assert got["d"]["content"] == "after"
        await again.close()


async def test_a_killed_gateways_session_whose_view_changed_meanwhile_gets_4007(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second = await c.api(), await c.gateway("g2")
        r = await room(api)
        member = await _killed_under(c, r.member)
        await view_change_needs_a_fresh_ready(api, second.url, r, member)


async def test_a_killed_gateways_voice_state_is_left_once_nobody_resumes(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    """A session nobody resumes within the window is ended by a remaining gateway: the voice
    state it held is left, and the channel's viewers see the leave."""
    async with cluster(tmp_path, database_url, nats_server) as c:
        api = await c.api()
        second = await c.stack.enter_async_context(gateway_node(c.settings("g2").with_overrides(resume_window_s=2)))
        r = await room(api)
        lounge = await channel(api, r.owner, r.guild_id, "Lounge")
        owner = (await online(second.url, r.owner))[r.owner.id]
        async with amityvox_process(c, "gateway", "g1", resume_window_s="2") as first:
            member = (await online(first.url, r.member))[r.member.id]
            await member.send(4, {"guild_id": r.guild_id, "channel_id": lounge})
            joined = await owner.wait_for("VOICE_STATE_UPDATE", check=lambda d: d["user_id"] == r.member.id)
            assert joined["d"]["channel_id"] == lounge
            await anchored(c.nats.url, member)
            await kill(first)
        assert await state_count(api) == 1  # kept through the resume window, for a RESUME elsewhere
        left = await owner.wait_for("VOICE_STATE_UPDATE", check=lambda d: d["user_id"] == r.member.id, timeout=15)
        assert "channel_id" not in left["d"]
        assert await state_count(api) == 0
        await owner.close()


async def test_a_resume_from_before_what_the_stream_still_holds_gets_4007(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    """Events the stream no longer holds (its retention, here a purge) cannot be replayed: 4007."""
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second = await c.api(), await c.gateway("g2")
        r = await room(api)
        member = await _killed_under(c, r.member)
        await _say(api, r.owner, r.channel_id, "gone with the purge")
        nc = await nats.connect(nats_server.url)
        try:
            await nc.jetstream().purge_stream(EVENTS_STREAM)
        finally:
            await nc.close()
        again = await _resume(second.url, r.member, member)
        assert await again.closed_with() == 4007


async def test_a_dispatch_not_from_the_stream_is_counted_and_never_skipped(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    """GUILD_MEMBERS_CHUNK is not in the events stream: its place in the numbering is anchored
    before it is sent. A client that read it resumes past it; one that did not gets 4007."""
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, second = await c.api(), await c.gateway("g2")
        r = await room(api)
        async with amityvox_process(c, "gateway", "g1") as first:
            clients = await online(first.url, r.owner, r.member)
            owner, member = clients[r.owner.id], clients[r.member.id]
            for ws in (owner, member):
                await ws.send(7, {"guild_id": r.guild_id, "query": "", "limit": 10})
            await owner.wait_for("GUILD_MEMBERS_CHUNK")  # the member leaves its chunk unread
            await _say(api, r.owner, r.channel_id, "after the chunk")
            await owner.wait_for("MESSAGE_CREATE", check=lambda d: d["content"] == "after the chunk")
            await anchored(c.nats.url, owner, member)
            await kill(first)
        await _say(api, r.owner, r.channel_id, "away")
        again = await _resume(second.url, r.owner, owner)
        replayed, code = await _resumed(again)
        assert code is None, f"RESUME after a kill was refused with close {code}"
        assert [(f["t"], f["s"]) for f in replayed] == [("MESSAGE_CREATE", owner.seq + 1)]
        assert replayed[0]["d"]["content"] == "away"
        lagging = await _resume(second.url, r.member, member)
        assert await lagging.closed_with() == 4007
        await again.close()
