"""Location sharing: one-off and live shares, moving, stopping, and the expiry sweep."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from amityvox.db.schema import location_shares
from amityvox.services import locations
from tests.conftest import Server
from tests.experimental.helpers import SEND, created, deny, exp, rows
from tests.messages.helpers import dm, error_code, nothing_published, room


async def test_share_move_list_and_stop_publish_their_events(server: Server) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/location")
    pin = created(
        await server.http.post(
            url,
            json={"latitude": 48.8584, "longitude": 2.2945, "label": " Tower ", "live": False},
            headers=rm.member.headers,
        )
    )
    live = created(
        await server.http.post(
            url,
            json={"latitude": -33.86, "longitude": 151.21, "accuracy": 12.5, "live": True, "duration_seconds": 600},
            headers=rm.member.headers,
        )
    )
    await server.settle()
    assert server.recorder.names() == ["LOCATION_SHARE_CREATE"] * 2
    assert server.recorder.of("LOCATION_SHARE_CREATE") == [pin, live]
    assert pin == {
        "id": pin["id"],
        "user_id": rm.member.id,
        "channel_id": rm.channel_id,
        "latitude": 48.8584,
        "longitude": 2.2945,
        "label": "Tower",
        "live": False,
    }
    assert live["live"] is True and live["accuracy"] == 12.5 and "expires_at" in live and "label" not in live

    server.recorder.clear()
    moved = created(
        await server.http.patch(
            f"{url}/{live['id']}",
            json={"latitude": -33.87, "longitude": 151.2, "accuracy": None},
            headers=rm.member.headers,
        ),
        200,
    )
    await server.settle()
    assert server.recorder.of("LOCATION_SHARE_UPDATE") == [moved]
    assert (moved["latitude"], moved["longitude"], moved["expires_at"]) == (-33.87, 151.2, live["expires_at"])
    assert "accuracy" not in moved  # null clears it

    listed = created(await server.http.get(exp(rm.channel_id, "/locations"), headers=rm.owner.headers), 200)
    assert listed == [moved, pin]  # newest first

    server.recorder.clear()
    r = await server.http.delete(f"{url}/{pin['id']}", headers=rm.member.headers)
    assert r.status_code == 204
    # The owner moderates: ManageMessages stops anyone's share.
    assert (await server.http.delete(f"{url}/{live['id']}", headers=rm.owner.headers)).status_code == 204
    await server.settle()
    assert server.recorder.names() == ["LOCATION_SHARE_STOP"] * 2
    assert server.recorder.of("LOCATION_SHARE_STOP") == [
        {"id": pin["id"], "user_id": rm.member.id, "channel_id": rm.channel_id},
        {"id": live["id"], "user_id": rm.member.id, "channel_id": rm.channel_id},
    ]
    assert await rows(server, location_shares) == 0


async def test_only_the_sharer_moves_and_stops_a_share_and_only_live_ones_move(server: Server) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/location")
    pin = created(
        await server.http.post(url, json={"latitude": 1, "longitude": 2, "live": False}, headers=rm.owner.headers)
    )
    live = created(
        await server.http.post(
            url, json={"latitude": 1, "longitude": 2, "live": True, "duration_seconds": 60}, headers=rm.owner.headers
        )
    )
    await server.settle()
    server.recorder.clear()
    move = {"latitude": 3, "longitude": 4}
    r = await server.http.patch(f"{url}/{live['id']}", json=move, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.delete(f"{url}/{live['id']}", headers=rm.member.headers)  # no ManageMessages
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.patch(f"{url}/{pin['id']}", json=move, headers=rm.owner.headers)
    assert r.status_code == 400 and error_code(r) == "not_live"
    r = await server.http.post(
        url, json={"latitude": 0, "longitude": 0, "live": True, "duration_seconds": 60}, headers=rm.owner.headers
    )
    assert r.status_code == 409 and error_code(r) == "already_sharing"
    assert r.json()["error"]["share_id"] == live["id"]
    for body in ({}, {"latitude": 5}, {"latitude": None, "longitude": None}, {"label": "x" * 101}):
        r = await server.http.patch(f"{url}/{live['id']}", json=body, headers=rm.owner.headers)
        assert r.status_code == 400, body
    r = await server.http.patch(f"{url}/01ARZ3NDEKTSV4RRFFQ69G5FAV", json=move, headers=rm.owner.headers)
    assert r.status_code == 404
    r = await server.http.get(exp(rm.channel_id, "/locations"), headers=rm.outsider.headers)
    assert r.status_code == 404
    await nothing_published(server)
    assert await rows(server, location_shares) == 2


async def test_bad_input_and_missing_permissions_write_nothing(server: Server) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/location")
    bad = [
        {"latitude": 90.5, "longitude": 0, "live": False},
        {"latitude": 0, "longitude": -180.01, "live": False},
        {"latitude": 0, "longitude": 0},  # live is required
        {"latitude": 0, "longitude": 0, "live": True},  # a live share needs a duration
        {"latitude": 0, "longitude": 0, "live": True, "duration_seconds": 59},
        {"latitude": 0, "longitude": 0, "live": True, "duration_seconds": 8 * 3600 + 1},
        {"latitude": 0, "longitude": 0, "live": False, "duration_seconds": 600},
        {"latitude": 0, "longitude": 0, "live": False, "accuracy": -1},
        {"latitude": 0, "longitude": 0, "live": False, "label": "x" * 101},
        {"latitude": 0, "longitude": 0, "live": False, "altitude": 3},
    ]
    for body in bad:
        r = await server.http.post(url, json=body, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == "validation_error", (body, r.text)
    ok = {"latitude": 0, "longitude": 0, "live": False}
    assert (await server.http.post(url, json=ok, headers=rm.outsider.headers)).status_code == 404
    await deny(server, rm, rm.member, SEND)
    r = await server.http.post(url, json=ok, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    await nothing_published(server)
    assert await rows(server, location_shares) == 0


async def _expire(server: Server, share_id: str) -> None:
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            update(location_shares)
            .where(location_shares.c.id == share_id)
            .values(expires_at="2000-01-01T00:00:00.000000Z")
        )


async def test_expired_live_shares_end_with_a_stop_from_the_sweep(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep = locations.stop_expired_shares

    async def paused(ctx: object) -> int:
        return 0

    # The server's own sweep waits while this test looks at an expired, not yet swept share.
    monkeypatch.setattr(locations, "stop_expired_shares", paused)
    rm = await room(server)
    url = exp(rm.channel_id, "/location")
    body = {"latitude": 10, "longitude": 20, "live": True, "duration_seconds": 3600}
    live = created(await server.http.post(url, json=body, headers=rm.member.headers))
    pin = created(
        await server.http.post(url, json={**body, "live": False, "duration_seconds": None}, headers=rm.member.headers)
    )
    await _expire(server, live["id"])
    await server.settle()
    server.recorder.clear()
    # Until the sweep runs, an expired share is already gone from the list and cannot move.
    listed = created(await server.http.get(exp(rm.channel_id, "/locations"), headers=rm.member.headers), 200)
    assert [s["id"] for s in listed] == [pin["id"]]
    r = await server.http.patch(f"{url}/{live['id']}", json={"latitude": 1, "longitude": 1}, headers=rm.member.headers)
    assert r.status_code == 409 and error_code(r) == "share_expired"
    # An expired live share does not block a new one.
    again = created(await server.http.post(url, json=body, headers=rm.member.headers))
    await server.settle()
    server.recorder.clear()

    assert await sweep(server.ctx) == 1
    assert await sweep(server.ctx) == 0
    await server.settle()
    assert server.recorder.names() == ["LOCATION_SHARE_STOP"]
    stop = {"id": live["id"], "user_id": rm.member.id, "channel_id": rm.channel_id}
    assert server.recorder.of("LOCATION_SHARE_STOP") == [stop]
    listed = created(await server.http.get(exp(rm.channel_id, "/locations"), headers=rm.member.headers), 200)
    assert [s["id"] for s in listed] == [again["id"], pin["id"]]

    # The background loop does the same on its own.
    server.recorder.clear()
    monkeypatch.setattr(locations, "stop_expired_shares", sweep)
    monkeypatch.setattr(locations, "SWEEP_SECONDS", 0.02)
    await _expire(server, again["id"])
    loop = asyncio.create_task(locations.sweep_forever(server.ctx))
    try:
        for _ in range(300):
            await server.settle()
            if server.recorder.of("LOCATION_SHARE_STOP"):
                break
            await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    await server.settle()
    assert server.recorder.of("LOCATION_SHARE_STOP") == [{**stop, "id": again["id"]}]


async def test_dm_recipients_share_and_stop_only_their_own(server: Server) -> None:
    rm = await room(server)
    channel_id = await dm(server, rm.owner, rm.member)
    url = exp(channel_id, "/location")
    share = created(
        await server.http.post(
            url, json={"latitude": 1, "longitude": 1, "live": True, "duration_seconds": 60}, headers=rm.member.headers
        )
    )
    # DM recipients hold no ManageMessages: only the sharer stops a share.
    assert (await server.http.delete(f"{url}/{share['id']}", headers=rm.owner.headers)).status_code == 403
    assert (await server.http.get(exp(channel_id, "/locations"), headers=rm.outsider.headers)).status_code == 404
    assert (await server.http.delete(f"{url}/{share['id']}", headers=rm.member.headers)).status_code == 204
    await server.settle()
    assert server.recorder.names() == ["LOCATION_SHARE_CREATE", "LOCATION_SHARE_STOP"]
    assert server.recorder.of("LOCATION_SHARE_STOP") == [
        {"id": share["id"], "user_id": rm.member.id, "channel_id": channel_id}
    ]
