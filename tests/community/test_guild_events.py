"""Scheduled guild events: create, edit, delete, RSVP, and the scheduler on a fake clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from amityvox.db.schema import guild_event_rsvps, guild_events
from amityvox.ids import iso, parse_iso, utcnow
from amityvox.services.guild_events import AUTO_CANCEL_AFTER, run_scheduler
from tests.community.helpers import API, Room, error_code, nothing_published, room, rows
from tests.conftest import Server


def _url(rm: Room, *parts: str) -> str:
    return "/".join([f"{API}/guilds/{rm.guild_id}/events", *parts])


def _in(minutes: float) -> str:
    return iso(utcnow() + timedelta(minutes=minutes))


async def _event(server: Server, rm: Room, **body: Any) -> dict[str, Any]:
    r = await server.http.post(_url(rm), json={"name": "Game night", "scheduled_start": _in(60), **body},
                               headers=rm.owner.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    await server.settle()
    server.recorder.clear()
    data: dict[str, Any] = r.json()["data"]
    return data


async def test_create_read_and_refusals(server: Server) -> None:
    rm = await room(server)
    start, end = _in(60), _in(120)
    body = {"name": "Game night", "scheduled_start": start, "scheduled_end": end, "channel_id": rm.channel_id,
            "location": "voice"}  # fmt: skip
    r = await server.http.post(_url(rm), json=body, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert (await server.http.post(_url(rm), json=body, headers=rm.outsider.headers)).status_code == 404
    bad = [
        {**body, "scheduled_start": _in(-5)},
        {**body, "scheduled_end": _in(30)},
        {**body, "scheduled_start": "tomorrow"},
        {**body, "name": "  "},
        {**body, "channel_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
        {**body, "status": "active"},
    ]
    for b in bad:
        assert (await server.http.post(_url(rm), json=b, headers=rm.owner.headers)).status_code == 400, b
    assert await rows(server, guild_events) == 0
    await nothing_published(server)

    r = await server.http.post(_url(rm), json=body, headers=rm.owner.headers)
    assert r.status_code == 201
    event = r.json()["data"]
    assert event["status"] == "scheduled" and event["interested_count"] == 0 and event["creator_id"] == rm.owner.id
    assert parse_iso(event["scheduled_start"]) == parse_iso(start) and event["channel_id"] == rm.channel_id
    await server.settle()
    assert server.recorder.of("GUILD_EVENT_CREATE") == [event]
    assert (await server.http.get(_url(rm), headers=rm.member.headers)).json()["data"] == [event]
    assert (await server.http.get(_url(rm, event["id"]), headers=rm.member.headers)).json()["data"] == event
    assert (await server.http.get(_url(rm, event["id"]), headers=rm.outsider.headers)).status_code == 404


async def test_edit_rsvp_and_delete(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    event = await _event(server, rm)
    path = _url(rm, event["id"])
    r = await server.http.patch(path, json={"name": "Mine now"}, headers=rm.member.headers)
    assert r.status_code == 403
    for body in ({"status": "completed"}, {"status": "nope"}, {"scheduled_end": _in(10)}):
        assert (await server.http.patch(path, json=body, headers=rm.owner.headers)).status_code == 400, body
    await nothing_published(server)
    r = await server.http.patch(path, json={"name": "Board games", "description": "bring snacks"},
                                headers=rm.owner.headers)  # fmt: skip
    assert r.status_code == 200 and r.json()["data"]["description"] == "bring snacks"
    await server.settle()
    assert server.recorder.of("GUILD_EVENT_UPDATE") == [r.json()["data"]]
    server.recorder.clear()

    r = await server.http.post(_url(rm, event["id"], "rsvp"), headers=rm.member.headers)
    assert r.status_code == 200 and r.json()["data"]["interested_count"] == 1
    assert (await server.http.post(_url(rm, event["id"], "rsvp"), headers=rm.member.headers)).status_code == 200
    assert (await server.http.post(_url(rm, event["id"], "rsvp"), headers=rm.outsider.headers)).status_code == 404
    await server.settle()
    assert [e["interested_count"] for e in server.recorder.of("GUILD_EVENT_UPDATE")] == [1]  # once: idempotent
    server.recorder.clear()
    r = await server.http.delete(_url(rm, event["id"], "rsvp"), headers=rm.member.headers)
    assert r.status_code == 200 and r.json()["data"]["interested_count"] == 0
    await server.settle()
    assert [e["interested_count"] for e in server.recorder.of("GUILD_EVENT_UPDATE")] == [0]
    server.recorder.clear()

    r = await server.http.patch(path, json={"status": "cancelled"}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["status"] == "cancelled"
    r = await server.http.patch(path, json={"name": "again"}, headers=rm.owner.headers)
    assert r.status_code == 409 and error_code(r) == "event_ended"
    r = await server.http.post(_url(rm, event["id"], "rsvp"), headers=rm.member.headers)
    assert r.status_code == 409
    server.recorder.clear()
    assert (await server.http.delete(path, headers=rm.member.headers)).status_code == 403
    await nothing_published(server)
    assert (await server.http.delete(path, headers=rm.owner.headers)).status_code == 204
    await server.settle()
    assert server.recorder.of("GUILD_EVENT_DELETE") == [{"id": event["id"], "guild_id": rm.guild_id}]
    assert await rows(server, guild_events) == 0 and await rows(server, guild_event_rsvps) == 0


async def test_scheduler_starts_completes_and_cancels(server: Server) -> None:
    rm = await room(server)
    timed = await _event(server, rm, name="timed", scheduled_start=_in(10), scheduled_end=_in(70))
    open_ended = await _event(server, rm, name="open", scheduled_start=_in(20))
    start = parse_iso(timed["scheduled_start"])

    async def step(at: Any) -> list[tuple[str, str]]:
        server.recorder.clear()
        await run_scheduler(server.ctx, at)
        await server.settle()
        return [(e["name"], e["status"]) for e in server.recorder.of("GUILD_EVENT_UPDATE")]

    assert await step(start - timedelta(minutes=1)) == []
    assert await step(start) == [("timed", "active")]
    # `open` was never started and is past the grace period: cancelled, not started.
    assert await step(start + timedelta(minutes=10) + AUTO_CANCEL_AFTER + timedelta(seconds=1)) == [
        ("open", "cancelled")
    ]
    assert await step(parse_iso(timed["scheduled_end"])) == [("timed", "completed")]
    assert await step(start + timedelta(hours=5)) == []

    # Without an end, an active event completes two hours after its start.
    third = await _event(server, rm, name="third", scheduled_start=_in(5))
    s3 = parse_iso(third["scheduled_start"])
    assert await step(s3) == [("third", "active")]
    assert await step(s3 + timedelta(hours=1)) == []
    assert await step(s3 + timedelta(hours=2)) == [("third", "completed")]
    assert open_ended["id"] != third["id"]
