"""Raid protection: configuration, manual and automatic lockdown, what a lockdown refuses, expiry."""

from __future__ import annotations

from datetime import timedelta

from amityvox.db.schema import guild_members, raid_configs
from amityvox.ids import utcnow
from amityvox.services import raid
from tests.community.helpers import API, Room, error_code, join, nothing_published, person, post, room, rows
from tests.conftest import Server


def _url(rm: Room) -> str:
    return f"{API}/guilds/{rm.guild_id}/raid-config"


async def test_config_needs_manage_guild_and_valid_values(server: Server) -> None:
    rm = await room(server)
    r = await server.http.get(_url(rm), headers=rm.owner.headers)
    assert r.status_code == 200
    assert r.json()["data"] == {
        "guild_id": rm.guild_id,
        "join_threshold": 0,
        "window_seconds": 60,
        "lockdown_active": False,
        "lockdown_duration_seconds": 600,
    }
    assert (await server.http.get(_url(rm), headers=rm.member.headers)).status_code == 403
    assert (await server.http.get(_url(rm), headers=rm.outsider.headers)).status_code == 404
    r = await server.http.patch(_url(rm), json={"lockdown_active": True}, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    for body in ({"join_threshold": -1}, {"window_seconds": 0}, {"lockdown_duration_seconds": 10**9}, {"x": 1}):
        assert (await server.http.patch(_url(rm), json=body, headers=rm.owner.headers)).status_code == 400, body
    assert await rows(server, raid_configs) == 0
    await nothing_published(server)

    r = await server.http.patch(_url(rm), json={"join_threshold": 5, "window_seconds": 30}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["join_threshold"] == 5
    assert (await server.http.get(_url(rm), headers=rm.owner.headers)).json()["data"]["window_seconds"] == 30
    await nothing_published(server)  # settings alone publish nothing


async def test_manual_lockdown_refuses_invites_and_recent_joiners(server: Server) -> None:
    rm = await room(server)  # `member` joined moments ago
    r = await server.http.patch(
        _url(rm), json={"lockdown_active": True, "reason": "spam wave"}, headers=rm.owner.headers
    )
    assert r.status_code == 200 and r.json()["data"]["lockdown_active"] is True
    await server.settle()
    [event] = server.recorder.of("RAID_LOCKDOWN")
    assert event["guild_id"] == rm.guild_id and event["active"] is True and event["reason"] == "spam wave"
    assert event["triggered_by"] == rm.owner.id and "started_at" in event
    server.recorder.clear()

    r = await join(server, rm, rm.outsider)
    assert r.status_code == 403 and error_code(r) == "guild_locked"
    assert await rows(server, guild_members, user_id=rm.outsider.id) == 0
    r = await post(server, rm.member, rm.channel_id, "hi")
    assert r.status_code == 403 and error_code(r) == "guild_locked"
    assert (await post(server, rm.owner, rm.channel_id, "mods still talk")).status_code == 201
    await server.settle()
    assert "GUILD_MEMBER_ADD" not in server.recorder.names()
    server.recorder.clear()

    r = await server.http.patch(_url(rm), json={"lockdown_active": False}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["lockdown_active"] is False
    await server.settle()
    assert server.recorder.of("RAID_LOCKDOWN") == [
        {"guild_id": rm.guild_id, "active": False, "reason": "lifted by a moderator", "triggered_by": rm.owner.id}
    ]
    assert (await post(server, rm.member, rm.channel_id, "back")).status_code == 201
    assert (await join(server, rm, rm.outsider)).status_code == 200


async def test_too_many_joins_lock_the_guild_until_the_period_ends(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    r = await server.http.patch(
        _url(rm), json={"join_threshold": 2, "window_seconds": 60, "lockdown_duration_seconds": 300},
        headers=rm.owner.headers,
    )  # fmt: skip
    assert r.status_code == 200
    raiders = [await person(server, f"raider{i}") for i in range(3)]
    # The owner's and member's memberships also began within the window, so this third join trips it.
    assert (await join(server, rm, raiders[0])).status_code == 200
    await server.settle()
    [event] = server.recorder.of("RAID_LOCKDOWN")
    assert event == {
        "guild_id": rm.guild_id,
        "active": True,
        "reason": "more than 2 members joined within 60 seconds",
        "started_at": event["started_at"],
    }
    r = await join(server, rm, raiders[1])
    assert r.status_code == 403 and error_code(r) == "guild_locked"
    r = await post(server, raiders[0], rm.channel_id, "raid!")
    assert r.status_code == 403 and error_code(r) == "guild_locked"
    server.recorder.clear()

    assert await raid.lift_expired(server.ctx, utcnow() + timedelta(seconds=100)) == 0
    assert await raid.lift_expired(server.ctx, utcnow() + timedelta(seconds=301)) == 1
    await server.settle()
    assert server.recorder.of("RAID_LOCKDOWN") == [
        {"guild_id": rm.guild_id, "active": False, "reason": "the lockdown period ended"}
    ]
    cfg = (await server.http.get(_url(rm), headers=rm.owner.headers)).json()["data"]
    assert cfg["lockdown_active"] is False and cfg["join_threshold"] == 2
