"""`Bus.claim`: the first claim of a key wins until its time is up, in one process or across many."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest

from amityvox import ratelimit
from amityvox.bus import MemoryBus
from amityvox.bus.nats import NatsBus
from tests.gateway.test_scale import cluster, online
from tests.messages.helpers import room
from tests.natsutil import NatsServer, nats_server_fixture, needs_nats  # noqa: F401 (a fixture)


async def test_the_in_process_bus_grants_a_key_once_per_window(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(monotonic=lambda: now[0]))  # the windows' clock
    bus = MemoryBus()
    assert await bus.claim("typing", "u.c", 0.2)
    assert not await bus.claim("typing", "u.c", 0.2)
    assert await bus.claim("typing", "u.other", 0.2)  # keys are independent
    assert await bus.claim("other", "u.c", 0.2)  # and so are namespaces
    now[0] += 0.19
    assert not await bus.claim("typing", "u.c", 0.2)
    now[0] += 0.02  # past the window
    assert await bus.claim("typing", "u.c", 0.2)


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
