"""`Bus.claim`: the first claim of a key wins until its time is up, in one process or across many."""

from __future__ import annotations

import asyncio
from pathlib import Path

from amityvox.bus import MemoryBus
from amityvox.bus.nats import NatsBus
from tests.gateway.test_scale import cluster, online
from tests.messages.helpers import room
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)


async def test_the_in_process_bus_grants_a_key_once_per_window() -> None:
    bus = MemoryBus()
    assert await bus.claim("typing", "u.c", 60)
    assert not await bus.claim("typing", "u.c", 60)
    assert await bus.claim("typing", "u.other", 60)  # keys are independent
    assert await bus.claim("other", "u.c", 60)  # and so are namespaces
    assert await bus.claim("short", "u.c", 0.2)
    await asyncio.sleep(0.25)  # past its window (waiting longer changes nothing)
    assert await bus.claim("short", "u.c", 0.2)


@needs_nats
async def test_two_processes_on_nats_share_one_claim(nats_server: NatsServer) -> None:
    first, second = NatsBus(nats_server.url), NatsBus(nats_server.url)
    await first.start()
    await second.start()
    try:
        assert await first.claim("test", "u.c", 1)
        assert not await second.claim("test", "u.c", 1)
        assert not await first.claim("test", "u.c", 1)
        assert await second.claim("test", "u.d", 1)
        for _ in range(60):  # the entry expires with the bucket's TTL
            await asyncio.sleep(0.1)
            if await second.claim("test", "u.c", 1):
                break
        else:
            raise AssertionError("the claim never expired")
    finally:
        await first.close()
        await second.close()


@needs_nats
async def test_typing_from_two_gateways_is_throttled_once(
    tmp_path: Path, nats_server: NatsServer, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, nats_server) as c:
        api, one, two = await c.api(), await c.gateway("g1"), await c.gateway("g2")
        r = await room(api)
        on_one = await online(one.url, r.member, r.owner)
        on_two = await online(two.url, r.member)
        await on_one[r.member.id].send(8, {"channel_id": r.channel_id})
        await on_two[r.member.id].send(8, {"channel_id": r.channel_id})
        owner = on_one[r.owner.id]
        await owner.wait_for("TYPING_START", check=lambda d: d["user_id"] == r.member.id)
        rest = await owner.drain(0.5)
        assert [f for f in rest if f["t"] == "TYPING_START"] == []
