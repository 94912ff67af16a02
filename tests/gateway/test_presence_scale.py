"""Presence across gateway processes: one `api` process, two `gateway` processes, one NATS server.

A user is online while they have a session on any gateway, READY and guild joins tell about
users on every gateway, an invisible user stays hidden everywhere, and the users of a gateway
that stops refreshing its presence (a crash) are announced offline once, by another gateway.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest

from amityvox.bus.nats import NatsBus
from amityvox.gateway import presence
from amityvox.gateway.presence import NatsPresence
from tests.conftest import Server
from tests.gateway.test_scale import GatewayNode, cluster, fence, online, received, until
from tests.gateway.wsclient import Raw
from tests.messages.helpers import Person, Room, person, room
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)
from tests.voice.helpers import API

pytestmark = needs_nats


@dataclass
class Scene:
    api: Server
    a: GatewayNode
    b: GatewayNode
    room: Room  # owner and member share a guild; outsider is in none


@asynccontextmanager
async def scene(tmp_path: Path, nats_server: NatsServer) -> AsyncIterator[Scene]:
    async with cluster(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", nats_server) as c:
        api = await c.api()
        a, b = await c.gateway("a"), await c.gateway("b")
        yield Scene(api, a, b, await room(api))


def presences_of(ws: Raw, user_id: str) -> list[str]:
    return [d["status"] for d in received(ws, "PRESENCE_UPDATE") if d["user_id"] == user_id]


async def sees(node: GatewayNode, user_id: str, status: str | None) -> None:
    """Wait until `node` knows `user_id`'s status (None: offline) from the shared presence."""
    await until(lambda: node.gateway.presence.statuses.get(user_id) == status)
    assert node.gateway.presence.statuses.get(user_id) == status


async def ready_on(node: GatewayNode, who: Person) -> dict[str, str]:
    ws = await Raw.connect(node.url)
    ready = await ws.identify(who.token)
    await ws.close()
    presences: dict[str, str] = ready["presences"]
    return presences


async def set_status(ws: Raw, status: str) -> None:
    shown = "offline" if status == "invisible" else status
    await ws.send(3, {"status": status})
    await ws.wait_for("PRESENCE_UPDATE", check=lambda d: d["status"] == shown)


async def join_guild(s: Scene, who: Person) -> None:
    owner = s.room.owner
    invite = await s.api.http.post(f"{API}/guilds/{s.room.guild_id}/invites", json={}, headers=owner.headers)
    r = await s.api.http.post(f"{API}/invites/{invite.json()['data']['code']}", headers=who.headers)
    assert r.status_code == 200, r.text


async def test_a_user_with_a_session_on_each_gateway_goes_offline_with_the_last_one(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    async with scene(tmp_path, nats_server) as s:
        owner, member = s.room.owner, s.room.member
        watcher = (await online(s.a.url, member))[member.id]
        on_a = (await online(s.a.url, owner))[owner.id]
        assert (await watcher.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == owner.id))["d"] == {
            "user_id": owner.id,
            "status": "online",
        }
        await sees(s.b, owner.id, "online")
        on_b = (await online(s.b.url, owner))[owner.id]

        # The session on A ends: the one on B keeps the owner online, for A's clients too.
        await on_a.close()
        await until(lambda: owner.id not in s.a.gateway.by_user)
        await fence(s.api, member, [watcher], "after A")
        assert presences_of(watcher, owner.id) == ["online"]
        assert await ready_on(s.a, member) == {owner.id: "online"}

        # The session on B ends too: now the owner is offline, on both gateways.
        await on_b.close()
        gone = await watcher.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == owner.id)
        assert gone["d"] == {"user_id": owner.id, "status": "offline"}
        await sees(s.a, owner.id, None)
        assert await ready_on(s.a, member) == {}
        await fence(s.api, member, [watcher], "after B")
        assert presences_of(watcher, owner.id) == ["online", "offline"]
        await watcher.close()


async def test_ready_on_one_gateway_lists_a_co_member_connected_to_the_other(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    async with scene(tmp_path, nats_server) as s:
        owner, member = s.room.owner, s.room.member
        on_b = (await online(s.b.url, owner))[owner.id]
        await set_status(on_b, "busy")
        await sees(s.a, owner.id, "busy")
        assert await ready_on(s.a, member) == {owner.id: "busy"}
        assert await ready_on(s.a, s.room.outsider) == {}  # no guild, friendship or DM in common

        # A status chosen on B outlives B's session when the owner is also connected to A.
        on_a = (await online(s.a.url, owner))[owner.id]
        await set_status(on_b, "idle")
        await on_b.close()
        await until(lambda: owner.id not in s.b.gateway.by_user)
        await sees(s.b, owner.id, "idle")
        assert await ready_on(s.b, member) == {owner.id: "idle"}
        assert await ready_on(s.a, member) == {owner.id: "idle"}
        await on_a.close()


async def test_a_guild_joiner_and_the_members_on_the_other_gateway_learn_each_others_presence(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    async with scene(tmp_path, nats_server) as s:
        owner, joiner = s.room.owner, s.room.outsider
        on_b = (await online(s.b.url, owner))[owner.id]
        await set_status(on_b, "busy")
        on_a = (await online(s.a.url, joiner))[joiner.id]
        await sees(s.a, owner.id, "busy")
        await sees(s.b, joiner.id, "online")
        await join_guild(s, joiner)
        learnt = await on_a.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == owner.id)
        assert learnt["d"] == {"user_id": owner.id, "status": "busy"}
        told = await on_b.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == joiner.id)
        assert told["d"] == {"user_id": joiner.id, "status": "online"}
        await on_a.close()
        await on_b.close()


async def test_an_invisible_user_stays_hidden_on_every_gateway(tmp_path: Path, nats_server: NatsServer) -> None:
    async with scene(tmp_path, nats_server) as s:
        owner, member, joiner = s.room.owner, s.room.member, s.room.outsider
        watcher = (await online(s.a.url, member))[member.id]
        on_b = (await online(s.b.url, owner))[owner.id]
        await set_status(on_b, "invisible")
        hidden = await watcher.wait_for("PRESENCE_UPDATE", check=lambda d: d["status"] == "offline")
        assert hidden["d"] == {"user_id": owner.id, "status": "offline"}
        await sees(s.a, owner.id, "invisible")
        assert await ready_on(s.a, member) == {}

        # A second session on A does not reveal the owner, nor does a guild join seen on A.
        on_a = (await online(s.a.url, owner))[owner.id]
        newcomer = (await online(s.a.url, joiner))[joiner.id]
        await join_guild(s, joiner)
        await newcomer.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == member.id)
        await fence(s.api, joiner, [newcomer, watcher], "joined")
        assert presences_of(newcomer, owner.id) == []
        assert presences_of(watcher, owner.id) == ["online", "offline"]

        # Leaving, one gateway after the other, says nothing either.
        await on_a.close()
        await on_b.close()
        await sees(s.a, owner.id, None)
        await fence(s.api, member, [watcher], "owner gone")
        assert presences_of(watcher, owner.id) == ["online", "offline"]
        await watcher.close()
        await newcomer.close()


async def test_the_users_of_a_gateway_that_stops_refreshing_go_offline_once(
    tmp_path: Path, nats_server: NatsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presence, "TTL_S", 2.0)  # the bucket is created with it by the first gateway
    async with scene(tmp_path, nats_server) as s:
        owner, member = s.room.owner, s.room.member
        newcomer = await person(s.api, "newcomer")
        await join_guild(s, newcomer)

        # A third gateway's presence: it holds the owner and the newcomer, then crashes.
        bus = NatsBus(nats_server.url)
        await bus.start()
        announced: list[tuple[str, str]] = []

        async def announce(user_id: str, status: str) -> None:
            announced.append((user_id, status))

        crashed = NatsPresence(bus, announce, ttl_s=2.0)
        await crashed.start()
        await crashed.join(owner.id, "busy")
        await crashed.join(newcomer.id, "online")
        await sees(s.a, owner.id, "busy")
        watcher = (await online(s.a.url, member))[member.id]
        assert await ready_on(s.a, member) == {owner.id: "busy", newcomer.id: "online"}
        # The newcomer also connects to B (before the crash, so no timing is involved), and stays
        # online when the crashed gateway's keys expire; the owner does not.
        on_b = (await online(s.b.url, newcomer))[newcomer.id]
        await crashed.close()  # stops refreshing; its keys stay until they expire
        await bus.close()

        gone = await watcher.wait_for("PRESENCE_UPDATE", timeout=10, check=lambda d: d["user_id"] == owner.id)
        assert gone["d"] == {"user_id": owner.id, "status": "offline"}
        await sees(s.b, owner.id, None)
        await fence(s.api, member, [watcher], "after the expiry")
        assert presences_of(watcher, owner.id) == ["offline"]  # one announcement, though both gateways saw it
        assert presences_of(watcher, newcomer.id) == []
        assert await ready_on(s.a, member) == {newcomer.id: "online"}  # B's keys are kept fresh
        assert announced == []
        await on_b.close()
        await watcher.close()


async def test_a_gateway_whose_key_expired_under_a_connected_user_writes_it_again(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    async with scene(tmp_path, nats_server) as s:
        owner, member = s.room.owner, s.room.member
        watcher = (await online(s.a.url, member))[member.id]
        on_b = (await online(s.b.url, owner))[owner.id]
        await watcher.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == owner.id)
        store = s.b.gateway.presence
        assert isinstance(store, NatsPresence)

        # As if NATS had been out of B's reach for longer than the TTL: B's key for the owner is gone.
        nc = await nats.connect(nats_server.url)
        kv = await nc.jetstream().key_value(presence.BUCKET)
        await kv.purge(f"{owner.id}.{store.node_id}")
        # B writes it again and announces the owner anew (another gateway may have announced them offline).
        await watcher.wait_for("PRESENCE_UPDATE", check=lambda d: d == {"user_id": owner.id, "status": "online"})
        assert (await kv.get(f"{owner.id}.{store.node_id}")).value
        await nc.close()
        await sees(s.a, owner.id, "online")
        assert await ready_on(s.a, member) == {owner.id: "online"}
        await on_b.close()
        await watcher.close()
