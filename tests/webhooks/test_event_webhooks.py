"""Outgoing event webhooks against a loopback receiver: signed deliveries, retries with backoff,
the delivery log, the address screen, and what a subscription may see."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from amityvox import permissions as P
from amityvox.client import RestClient, verify_delivery
from amityvox.db.schema import leases
from amityvox.db.upserts import upsert
from amityvox.ids import utcnow
from amityvox.services import event_webhooks
from examples import event_receiver
from tests.conftest import Server, _serve, make_settings
from tests.messages.helpers import API, Person, Room, error_code, overwrite, room, say


@pytest.fixture
async def server(tmp_path: Path, database_url: str) -> AsyncIterator[Server]:
    """SQLite, and PostgreSQL when configured. Loopback is a deliverable host here only. The test
    holds the delivery timer's lease, so the server's own timer stays idle and each test sends
    with `deliver` when it chooses."""
    settings = make_settings(tmp_path, database_url=database_url, event_webhook_allow_hosts=("127.0.0.1",))
    async for s in _serve(settings):
        async with s.ctx.db.begin() as conn:
            lease = {"name": event_webhooks.DELIVERY_LEASE, "holder": "tests", "expires_at": "9999-12-31T00:00:00Z"}
            await upsert(conn, leases, ("name",), lease, ("holder", "expires_at"))
        yield s


async def deliver(s: Server, later: float = 0) -> int:
    """Queue what the events so far asked for, then send what is due `later` seconds from now."""
    await s.settle()
    return await event_webhooks.deliver_due(s.ctx, utcnow() + timedelta(seconds=later))


@dataclass
class Receiver:
    """An HTTP endpoint on loopback that answers each POST with the next of `statuses` (then 200)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")[1:]
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status = self.statuses.pop(0) if self.statuses else 200
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            self.requests.append((headers, body))
        finally:
            writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    listener = await asyncio.start_server(r.handle, "127.0.0.1", 0)
    r.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield r


async def _subscribe(s: Server, who: Person, guild_id: str, url: str, events: list[str]) -> dict[str, Any]:
    """Subscribe once the worker has seen every earlier event (those must not be queued)."""
    await s.settle()
    r = await s.http.post(
        f"{API}/guilds/{guild_id}/event-webhooks", json={"url": url, "events": events}, headers=who.headers
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def _log(s: Server, rm: Room, hook_id: str) -> list[dict[str, Any]]:
    r = await s.http.get(f"{API}/event-webhooks/{hook_id}/deliveries", headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    log: list[dict[str, Any]] = r.json()["data"]
    return log


async def test_a_delivery_is_signed_and_logged(server: Server, receiver: Receiver) -> None:
    s = server
    rm = await room(s)
    hook = await _subscribe(s, rm.owner, rm.guild_id, receiver.url, ["MESSAGE_CREATE"])
    assert len(hook["secret"]) == 64 and hook["events"] == ["MESSAGE_CREATE"]
    listed = (await s.http.get(f"{API}/guilds/{rm.guild_id}/event-webhooks", headers=rm.owner.headers)).json()
    assert [h["id"] for h in listed["data"]] == [hook["id"]] and "secret" not in listed["data"][0]

    message = await say(s, rm.member, rm.channel_id, "ship it")
    assert await deliver(s) == 1
    headers, body = receiver.requests[0]
    expected = hmac.new(hook["secret"].encode(), f"{headers['x-amityvox-timestamp']}.".encode() + body, hashlib.sha256)
    assert headers["x-amityvox-signature"] == f"sha256={expected.hexdigest()}"
    # What a receiver does with the SDK's helper: genuine and fresh passes; tampered, stale or
    # signed with another secret fails.
    assert verify_delivery(hook["secret"], headers, body)
    assert not verify_delivery(hook["secret"], headers, body.replace(b"ship it", b"ship no"))
    assert not verify_delivery("0" * 64, headers, body)
    assert not verify_delivery(hook["secret"], headers, body, now=int(headers["x-amityvox-timestamp"]) + 301)
    assert headers["x-amityvox-event"] == "MESSAGE_CREATE" and headers["content-type"] == "application/json"
    sent = orjson.loads(body)
    assert sent["type"] == "MESSAGE_CREATE" and sent["guild_id"] == rm.guild_id
    assert sent["data"]["id"] == message["id"] and sent["data"]["content"] == "ship it"

    [entry] = await _log(s, rm, hook["id"])
    assert entry["status"] == "delivered" and entry["attempts"] == 1 and entry["response_status"] == 200
    assert entry["event"] == "MESSAGE_CREATE" and entry["event_id"] == sent["id"]
    assert entry["id"] == headers["x-amityvox-delivery"] and "error" not in entry


async def test_a_failed_delivery_is_retried_until_it_succeeds(server: Server, receiver: Receiver) -> None:
    s = server
    rm = await room(s)
    receiver.statuses = [500, 503]
    hook = await _subscribe(s, rm.owner, rm.guild_id, receiver.url, ["MESSAGE_CREATE"])
    await say(s, rm.member, rm.channel_id, "flaky")
    assert await deliver(s) == 1
    [entry] = await _log(s, rm, hook["id"])
    assert entry["status"] == "pending" and entry["attempts"] == 1 and entry["response_status"] == 500
    assert entry["error"] == "answered 500"
    assert await deliver(s) == 0  # not due yet: it waits its backoff (30 s)
    assert await deliver(s, later=31) == 1
    [entry] = await _log(s, rm, hook["id"])
    assert entry["attempts"] == 2 and entry["response_status"] == 503
    assert await deliver(s, later=31 + 59) == 0  # the wait doubled: 60 s after the second attempt
    assert await deliver(s, later=31 + 61) == 1
    [entry] = await _log(s, rm, hook["id"])
    assert entry["status"] == "delivered" and entry["attempts"] == 3 and entry["response_status"] == 200
    assert "next_attempt_at" not in entry and "error" not in entry
    # The same event each time, the same body: one delivery, retried.
    assert len({body for _, body in receiver.requests}) == 1
    assert len({h["x-amityvox-delivery"] for h, _ in receiver.requests}) == 1


async def test_private_addresses_are_refused_at_delivery(server: Server) -> None:
    s = server
    rm = await room(s)
    hook = await _subscribe(s, rm.owner, rm.guild_id, "https://127.0.0.2:9/hook", ["MESSAGE_CREATE"])
    await say(s, rm.member, rm.channel_id, "hello")
    assert await deliver(s) == 1
    [entry] = await _log(s, rm, hook["id"])
    assert (
        entry["status"] == "pending"
        and entry["attempts"] == 1
        and "BlockedAddress" in entry["error"]
        and "response_status" not in entry
    )


async def test_only_managers_subscribe_https_endpoints_to_guild_events(server: Server) -> None:
    s = server
    rm = await room(s)
    path = f"{API}/guilds/{rm.guild_id}/event-webhooks"
    body = {"url": "https://example.org/hook", "events": ["MESSAGE_CREATE"]}
    assert error_code(await s.http.post(path, json=body, headers=rm.member.headers)) == "missing_permission"
    assert (await s.http.post(path, json=body, headers=rm.outsider.headers)).status_code == 404
    r = await s.http.post(path, json={**body, "url": "http://example.org/hook"}, headers=rm.owner.headers)
    assert r.status_code == 400 and "https" in r.json()["error"]["message"]
    r = await s.http.post(path, json={**body, "events": ["USER_UPDATE"]}, headers=rm.owner.headers)
    assert r.status_code == 400 and error_code(r) == "unknown_event"
    events = (await s.http.get(f"{API}/event-webhooks/events", headers=rm.owner.headers)).json()["data"]
    assert "MESSAGE_CREATE" in events and "GUILD_BAN_ADD" in events and "USER_UPDATE" not in events
    hook = (await s.http.post(path, json=body, headers=rm.owner.headers)).json()["data"]
    r = await s.http.patch(f"{API}/event-webhooks/{hook['id']}", json={"enabled": False}, headers=rm.member.headers)
    assert r.status_code == 403
    r = await s.http.patch(f"{API}/event-webhooks/{hook['id']}", json={"enabled": False}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["enabled"] is False
    assert (await s.http.delete(f"{API}/event-webhooks/{hook['id']}", headers=rm.owner.headers)).status_code == 204
    r = await s.http.get(f"{API}/event-webhooks/{hook['id']}/deliveries", headers=rm.owner.headers)
    assert r.status_code == 404


async def test_a_subscription_sees_no_more_than_its_creator(server: Server, receiver: Receiver) -> None:
    s = server
    rm = await room(s)
    r = await s.http.post(
        f"{API}/guilds/{rm.guild_id}/roles",
        json={"name": "managers", "permissions_allow": str(int(P.Perm.ManageGuild))},
        headers=rm.owner.headers,
    )
    role_id = r.json()["data"]["id"]
    r = await s.http.put(f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{role_id}", headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    r = await s.http.post(
        f"{API}/guilds/{rm.guild_id}/channels", json={"name": "staff", "channel_type": "text"}, headers=rm.owner.headers
    )
    staff = r.json()["data"]["id"]
    hidden = Room(rm.owner, rm.member, rm.outsider, rm.guild_id, staff)
    await overwrite(s, hidden, rm.member.id, "user", deny=int(P.Perm.ViewChannel))
    hook = await _subscribe(s, rm.member, rm.guild_id, receiver.url, ["MESSAGE_CREATE"])

    await say(s, rm.owner, staff, "staff only")
    await say(s, rm.owner, rm.channel_id, "for everyone")
    assert await deliver(s) == 1
    assert [orjson.loads(b)["data"]["content"] for _, b in receiver.requests] == ["for everyone"]
    assert [e["status"] for e in await _log(s, rm, hook["id"])] == ["delivered"]


async def test_audit_log_entries_reach_only_endpoints_whose_creator_may_read_the_log(
    server: Server, receiver: Receiver
) -> None:
    s = server
    rm = await room(s)
    r = await s.http.post(
        f"{API}/guilds/{rm.guild_id}/roles",
        json={"name": "managers", "permissions_allow": str(int(P.Perm.ManageGuild))},
        headers=rm.owner.headers,
    )
    role_id = r.json()["data"]["id"]
    r = await s.http.put(f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/roles/{role_id}", headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    events = ["GUILD_AUDIT_LOG_ENTRY_CREATE"]
    owners = await _subscribe(s, rm.owner, rm.guild_id, receiver.url, events)
    members = await _subscribe(s, rm.member, rm.guild_id, receiver.url + "?member", events)
    await deliver(s)  # adding an endpoint is audited too: the owner's endpoint hears of the member's
    assert {orjson.loads(body)["data"]["action"] for _, body in receiver.requests} == {"EVENT_WEBHOOK_CREATE"}
    receiver.requests.clear()
    r = await s.http.patch(f"{API}/guilds/{rm.guild_id}", json={"name": "Renamed"}, headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    assert await deliver(s) == 1
    [(_, body)] = receiver.requests
    sent = orjson.loads(body)
    assert sent["type"] == "GUILD_AUDIT_LOG_ENTRY_CREATE" and sent["data"]["action"] == "GUILD_UPDATE"
    assert {e["status"] for e in await _log(s, rm, owners["id"])} == {"delivered"}
    assert await _log(s, rm, members["id"]) == []


async def test_a_delivery_that_failed_for_good_can_be_sent_again_and_old_ones_are_forgotten(
    server: Server, receiver: Receiver
) -> None:
    s = server
    rm = await room(s)
    receiver.statuses = [500] * event_webhooks.MAX_ATTEMPTS
    hook = await _subscribe(s, rm.owner, rm.guild_id, receiver.url, ["MESSAGE_CREATE"])
    await say(s, rm.member, rm.channel_id, "down")
    for attempt in range(1, event_webhooks.MAX_ATTEMPTS + 1):  # each wait is at most an hour
        assert await deliver(s, later=attempt * 4000) == 1
    [entry] = await _log(s, rm, hook["id"])
    assert entry["status"] == "failed" and entry["attempts"] == event_webhooks.MAX_ATTEMPTS
    assert await deliver(s, later=10**6) == 0  # given up

    r = await s.http.post(
        f"{API}/event-webhooks/{hook['id']}/deliveries/{entry['id']}/redeliver", headers=rm.owner.headers
    )
    assert r.status_code == 200 and r.json()["data"]["status"] == "pending" and r.json()["data"]["attempts"] == 0
    assert await deliver(s) == 1
    [entry] = await _log(s, rm, hook["id"])
    assert entry["status"] == "delivered" and entry["attempts"] == 1
    assert len({h["x-amityvox-delivery"] for h, _ in receiver.requests}) == 1  # the same delivery throughout

    assert await event_webhooks.prune(s.ctx, utcnow() + timedelta(days=event_webhooks.LOG_KEEP_DAYS - 1)) == 0
    assert await event_webhooks.prune(s.ctx, utcnow() + timedelta(days=event_webhooks.LOG_KEEP_DAYS + 1)) == 1
    assert await _log(s, rm, hook["id"]) == []


async def test_the_sdk_manages_endpoints_and_reads_their_log(server: Server, receiver: Receiver) -> None:
    s = server
    rm = await room(s)
    async with RestClient(s.url, rm.owner.token) as rest:
        assert "MESSAGE_CREATE" in await rest.subscribable_events()
        hook = await rest.create_event_webhook(rm.guild_id, receiver.url, ["MESSAGE_CREATE"])
        assert [h["id"] for h in await rest.event_webhooks(rm.guild_id)] == [hook["id"]]
        await say(s, rm.member, rm.channel_id, "via the sdk")
        assert await deliver(s) == 1
        [entry] = await rest.event_webhook_deliveries(hook["id"])
        assert entry["status"] == "delivered"
        [(headers, body)] = receiver.requests
        assert verify_delivery(hook["secret"], headers, body)
        assert (await rest.modify_event_webhook(hook["id"], enabled=False))["enabled"] is False
        await say(s, rm.member, rm.channel_id, "while off")
        assert await deliver(s) == 0  # a disabled endpoint queues nothing new
        await rest.delete_event_webhook(hook["id"])
        assert await rest.event_webhooks(rm.guild_id) == []


async def test_the_example_receiver_takes_genuine_deliveries_once(server: Server) -> None:
    s = server
    rm = await room(s)
    handled: list[dict[str, Any]] = []

    async def handle(event: dict[str, Any]) -> None:
        handled.append(event)

    receiver = Receiver()  # only for its port: the example listens there
    example = event_receiver.Receiver("", handle)
    listener = await example.serve(port=0)
    receiver.port = listener.sockets[0].getsockname()[1]
    async with listener:
        hook = await _subscribe(s, rm.owner, rm.guild_id, receiver.url, ["MESSAGE_CREATE"])
        example.secret = hook["secret"]
        await say(s, rm.member, rm.channel_id, "to the example")
        assert await deliver(s) == 1
        assert [e["data"]["content"] for e in handled] == ["to the example"]
        [entry] = await _log(s, rm, hook["id"])
        assert entry["status"] == "delivered" and entry["response_status"] == 204
        # Sent again (a redelivery): answered, but handled once. A forged one is refused.
        await s.http.post(
            f"{API}/event-webhooks/{hook['id']}/deliveries/{entry['id']}/redeliver", headers=rm.owner.headers
        )
        assert await deliver(s) == 1
        assert len(handled) == 1
        forged = await s.http.post(receiver.url, content=b"{}", headers={"X-AmityVox-Signature": "sha256=00"})
        assert forged.status_code == 401 and len(handled) == 1


async def test_an_event_webhook_made_after_messages_gets_the_next_one(server: Server) -> None:
    """Reactions remember a guild's endpoints between its events (guild_memo.py): the audit
    entry of a new endpoint is what makes them look again."""
    rm = await room(server)
    await say(server, rm.member, rm.channel_id, "before")  # the guild's "no endpoints" is remembered now
    hooks = f"{API}/guilds/{rm.guild_id}/event-webhooks"
    body = {"url": "http://127.0.0.1:9/in", "events": ["MESSAGE_CREATE"]}
    r = await server.http.post(hooks, json=body, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    hook_id = r.json()["data"]["id"]
    await server.settle()
    [entry] = [e for e in server.recorder.of("GUILD_AUDIT_LOG_ENTRY_CREATE") if e["target_id"] == hook_id]
    assert entry["action"] == "EVENT_WEBHOOK_CREATE" and "secret" not in str(entry["changes"])
    await say(server, rm.member, rm.channel_id, "after")
    log = await server.http.get(f"{API}/event-webhooks/{hook_id}/deliveries", headers=rm.owner.headers)
    assert log.status_code == 200, log.text
    assert [d["event"] for d in log.json()["data"]] == ["MESSAGE_CREATE"]
