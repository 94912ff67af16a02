"""Reports to the instance's administrators, the statistics and the instance audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.admin.helpers import ADMIN, API, cast
from tests.conftest import Server
from tests.messages.helpers import say
from tests.voice.helpers import error_code


async def test_reports_reach_the_admin_queue_and_are_resolved(server: Server) -> None:
    c = await cast(server)
    message = await say(server, c.room.member, c.room.channel_id, "spam spam")
    body = {"message_id": message["id"], "reason": "spam across the server"}
    r = await server.http.post(f"{API}/instance/reports", json=body, headers=c.room.outsider.headers)
    assert r.status_code == 404  # the outsider cannot see that message
    r = await server.http.post(f"{API}/instance/reports", json=body, headers=c.room.owner.headers)
    assert r.status_code == 201, r.text
    mine = r.json()["data"]
    assert mine["user_id"] == c.room.member.id and mine["status"] == "open" and "handled_by" not in mine
    r = await server.http.post(f"{API}/instance/reports", json=body, headers=c.room.owner.headers)
    assert r.status_code == 409 and error_code(r) == "already_reported"
    r = await server.http.post(
        f"{API}/instance/reports", json={"user_id": c.room.owner.id, "reason": "me"}, headers=c.room.owner.headers
    )
    assert r.status_code == 400 and error_code(r) == "cannot_target_self"

    queue = (await server.http.get(f"{ADMIN}/reports", params={"status": "open"}, headers=c.admin.headers)).json()
    assert [q["id"] for q in queue["data"]] == [mine["id"]]
    patch = {"status": "resolved", "resolution": "suspended the spammer"}
    r = await server.http.patch(f"{ADMIN}/reports/{mine['id']}", json=patch, headers=c.admin.headers)
    assert r.status_code == 200 and r.json()["data"]["handled_by"] == c.admin.id
    queue = (await server.http.get(f"{ADMIN}/reports", params={"status": "open"}, headers=c.admin.headers)).json()
    assert queue["data"] == []
    log = (await server.http.get(f"{ADMIN}/audit-log", headers=c.admin.headers)).json()["data"]
    assert log[0]["action"] == "REPORT_UPDATE" and log[0]["target_id"] == mine["id"]
    r = await server.http.get(f"{ADMIN}/audit-log", params={"action": "NOPE"}, headers=c.admin.headers)
    assert r.status_code == 400


async def test_statistics_count_users_guilds_and_messages(server: Server) -> None:
    c = await cast(server)
    for n in range(3):
        await say(server, c.room.member, c.room.channel_id, f"message {n}")
    s = (await server.http.get(f"{ADMIN}/stats", headers=c.admin.headers)).json()["data"]
    assert s["users"] == 4 and s["guilds"] == 1 and s["suspended_users"] == 0
    days = s["messages_per_day"]
    assert len(days) == 30 and days[-1] == {"date": datetime.now(UTC).date().isoformat(), "messages": 3}
    assert sum(d["messages"] for d in days) == 3
    assert s["events_routed"] >= 0 and s["gateway_sessions"] >= 0
