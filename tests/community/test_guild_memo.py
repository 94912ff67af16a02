"""Reactions remember a guild's automod rules and event webhooks between its events; every
change to them still applies to the very next message (event webhooks: tests/webhooks)."""

from __future__ import annotations

import asyncio
from typing import Any

from amityvox.bus import MemoryBus
from amityvox.bus.base import Envelope
from amityvox.events import catalog
from amityvox.guild_memo import GuildMemo
from tests.community.helpers import API, post, room
from tests.conftest import Server

WORD = {"name": "no swearing", "rule_type": "word", "config": {"words": ["darn"]}, "actions": ["delete"]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Loader:
    def __init__(self, answer: Any) -> None:
        self.answer, self.loads = answer, 0

    async def __call__(self) -> Any:
        self.loads += 1
        return self.answer


def _audited(guild_id: str) -> Envelope:
    entry = {"guild_id": guild_id, "action": "AUTO_MODERATION_RULE_CREATE"}
    return Envelope("GUILD_AUDIT_LOG_ENTRY_CREATE", catalog.get("GUILD_AUDIT_LOG_ENTRY_CREATE").subject, entry)


async def test_answers_are_kept_for_the_ttl_and_dropped_by_a_change_of_their_guild() -> None:
    clock = Clock()
    memo = GuildMemo(ttl=5, clock=clock)
    g1, g2 = Loader([]), Loader(["rule"])
    assert await memo.get("automod", "G1", g1) == [] and await memo.get("automod", "G1", g1) == []
    assert await memo.get("automod", "G2", g2) == ["rule"]
    assert g1.loads == 1 and len(memo) == 2
    memo.observe([_audited("G1"), Envelope("MESSAGE_CREATE", "s", {"guild_id": "G2"})])
    await memo.get("automod", "G1", g1)
    await memo.get("automod", "G2", g2)
    assert (g1.loads, g2.loads) == (2, 1)  # only the changed guild is read again
    memo.observe([Envelope("GUILD_DELETE", "s", {"id": "G2"})])
    await memo.get("automod", "G2", g2)
    assert g2.loads == 2
    clock.now += 5.5
    await memo.get("automod", "G1", g1)
    assert g1.loads == 3  # older than the TTL


async def test_a_load_that_overlapped_a_change_is_used_once_and_not_kept() -> None:
    memo = GuildMemo()
    started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> list[str]:
        started.set()
        await release.wait()
        return ["as it was"]

    loading = asyncio.create_task(memo.get("automod", "G", slow))
    await started.wait()
    memo.observe([_audited("G")])  # committed while the old answer was being read
    release.set()
    assert await loading == ["as it was"]
    fresh = Loader(["as it is"])
    assert await memo.get("automod", "G", fresh) == ["as it is"] and fresh.loads == 1


async def test_changes_committed_by_another_process_arrive_from_the_bus() -> None:
    bus = MemoryBus()
    await bus.start()
    try:
        memo = GuildMemo()
        await memo.follow(bus)
        loader = Loader([])
        await memo.get("event-webhooks", "G", loader)
        await bus.publish([_audited("G")])
        await bus.flush()
        await memo.get("event-webhooks", "G", loader)
        assert loader.loads == 2
    finally:
        await bus.close()


async def test_a_rule_made_or_disabled_after_messages_applies_to_the_next_one(server: Server) -> None:
    rm = await room(server)
    rules = f"{API}/guilds/{rm.guild_id}/automod/rules"
    assert (await post(server, rm.member, rm.channel_id, "darn, nothing checks this")).status_code == 201
    await server.settle()  # the guild's "no rules" is remembered now
    r = await server.http.post(rules, json=WORD, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    rule_id = r.json()["data"]["id"]
    caught = (await post(server, rm.member, rm.channel_id, "darn")).json()["data"]["id"]
    await server.settle()
    assert [a["message_id"] for a in server.recorder.of("AUTOMOD_ACTION")] == [caught]
    r = await server.http.patch(f"{rules}/{rule_id}", json={"enabled": False}, headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    server.recorder.clear()
    assert (await post(server, rm.member, rm.channel_id, "darn again")).status_code == 201
    await server.settle()
    assert server.recorder.of("AUTOMOD_ACTION") == []
