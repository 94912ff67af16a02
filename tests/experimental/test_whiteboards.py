"""Whiteboards: creation without an event, versioned edits, stale edits refused with 409."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from amityvox.db.schema import whiteboards
from amityvox.services import whiteboards as whiteboards_service
from tests.conftest import Server
from tests.experimental.helpers import SEND, created, deny, exp, rows
from tests.messages.helpers import dm, error_code, nothing_published, room


async def test_create_list_get_and_edit(server: Server) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/whiteboards")
    board = created(
        await server.http.post(url, json={"name": " Plan ", "state": {"shapes": []}}, headers=rm.member.headers)
    )
    assert (board["name"], board["state"], board["version"], board["creator_id"]) == (
        "Plan",
        {"shapes": []},
        0,
        rm.member.id,
    )
    await nothing_published(server)  # the catalog has no creation event
    listed = created(await server.http.get(url, headers=rm.owner.headers), 200)
    assert [(b["id"], b["version"], "state" in b) for b in listed] == [(board["id"], 0, False)]

    state = {"shapes": [{"kind": "rect", "x": 1, "y": 2}]}
    edited = created(
        await server.http.patch(f"{url}/{board['id']}", json={"state": state, "version": 0}, headers=rm.owner.headers),
        200,
    )
    await server.settle()
    assert server.recorder.of("WHITEBOARD_UPDATE") == [
        {
            "whiteboard_id": board["id"],
            "channel_id": rm.channel_id,
            "user_id": rm.owner.id,
            "state": state,
            "version": 1,
        }
    ]
    assert (edited["version"], edited["state"], edited["updated_by"]) == (1, state, rm.owner.id)
    fetched = created(await server.http.get(f"{url}/{board['id']}", headers=rm.member.headers), 200)
    assert fetched == edited


async def test_a_stale_edit_is_refused_with_the_current_version_and_publishes_nothing(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    url = exp(rm.channel_id, "/whiteboards")
    board = created(await server.http.post(url, json={"name": "Race"}, headers=rm.member.headers))
    edit = f"{url}/{board['id']}"
    # Two edits based on version 0 race: exactly one wins.
    results = await asyncio.gather(
        server.http.patch(edit, json={"state": {"by": "owner"}, "version": 0}, headers=rm.owner.headers),
        server.http.patch(edit, json={"state": {"by": "member"}, "version": 0}, headers=rm.member.headers),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert error_code(loser) == "version_conflict" and loser.json()["error"]["current_version"] == 1
    await server.settle()
    assert [e["version"] for e in server.recorder.of("WHITEBOARD_UPDATE")] == [1]
    winner = server.recorder.of("WHITEBOARD_UPDATE")[0]["state"]
    server.recorder.clear()

    r = await server.http.patch(edit, json={"state": {"late": True}, "version": 0}, headers=rm.member.headers)
    assert r.status_code == 409 and r.json()["error"]["current_version"] == 1
    r = await server.http.patch(edit, json={"state": {"ahead": True}, "version": 7}, headers=rm.member.headers)
    assert r.status_code == 409 and r.json()["error"]["current_version"] == 1
    await nothing_published(server)
    async with server.ctx.db.read() as conn:
        stored = (await conn.execute(select(whiteboards.c.state, whiteboards.c.version))).one()
    assert (stored.state, stored.version) == (winner, 1)


async def test_bad_input_and_missing_permissions_change_nothing(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/whiteboards")
    board = created(await server.http.post(url, json={"name": "Keep", "state": {"a": 1}}, headers=rm.owner.headers))
    edit = f"{url}/{board['id']}"
    huge = {"blob": "x" * (256 * 1024)}
    r = await server.http.post(url, json={"name": "Big", "state": huge}, headers=rm.member.headers)
    assert r.status_code == 413 and error_code(r) == "payload_too_large"
    r = await server.http.patch(edit, json={"state": huge, "version": 0}, headers=rm.member.headers)
    assert r.status_code == 413 and error_code(r) == "payload_too_large"
    bad_new: list[dict[str, Any]] = [{"name": "  "}, {"name": "x" * 101}, {"name": "ok", "state": [1, 2]}]
    for body in bad_new:
        r = await server.http.post(url, json=body, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == "validation_error", body
    bad_edits: list[dict[str, Any]] = [{"state": {}}, {"state": {}, "version": -1}, {"state": "x", "version": 0}]
    for body in bad_edits:
        r = await server.http.patch(edit, json=body, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == "validation_error", body
    assert (await server.http.get(f"{url}/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=rm.member.headers)).status_code == 404
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", url, None),
        ("GET", edit, None),
        ("PATCH", edit, {"state": {}, "version": 0}),
    ]
    for method, target, attempt in attempts:
        r = await server.http.request(method, target, json=attempt, headers=rm.outsider.headers)
        assert r.status_code == 404, (method, target)
    # A board is reached only through its own channel.
    other = await dm(server, rm.owner, rm.member)
    assert (
        await server.http.get(exp(other, f"/whiteboards/{board['id']}"), headers=rm.owner.headers)
    ).status_code == 404
    monkeypatch.setattr(whiteboards_service, "MAX_PER_CHANNEL", 1)
    r = await server.http.post(url, json={"name": "Second"}, headers=rm.member.headers)
    assert r.status_code == 400 and error_code(r) == "limit_reached"
    await deny(server, rm, rm.member, SEND)
    r = await server.http.patch(edit, json={"state": {}, "version": 0}, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.post(url, json={"name": "Nope"}, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert (await server.http.get(edit, headers=rm.member.headers)).status_code == 200  # viewing is enough to read
    await nothing_published(server)
    assert await rows(server, whiteboards) == 1
    assert created(await server.http.get(edit, headers=rm.owner.headers), 200)["state"] == {"a": 1}
