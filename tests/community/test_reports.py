"""Reports go from members to the guild's moderators, who work the queue; warnings go from
moderators to members. The reporter learns the status of their report and nothing more."""

from __future__ import annotations

from amityvox.permissions import Perm
from tests.community.helpers import API, error_code, grant, join, person, room, say
from tests.conftest import Server


async def test_a_member_reports_a_message_and_the_moderators_are_told(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    mod = await person(server, "mod")
    assert (await join(server, rm, mod)).status_code == 200
    await grant(server, rm, mod, Perm.ManageMessages)
    message = await say(server, rm.owner, rm.channel_id, "something rude")
    r = await server.http.post(
        f"{API}/guilds/{rm.guild_id}/reports", json={"message_id": message["id"], "reason": "rude"},
        headers=rm.member.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    mine = r.json()["data"]
    assert mine["status"] == "open" and mine["user_id"] == rm.owner.id and mine["channel_id"] == rm.channel_id
    assert "handled_by" not in mine and "resolution" not in mine
    await server.settle()
    assert server.recorder.names() == ["GUILD_REPORT_CREATE"]
    assert server.recorder.of("GUILD_REPORT_CREATE") == [mine]  # nothing private in it yet

    # The same report twice is refused while the first is open.
    again = await server.http.post(
        f"{API}/guilds/{rm.guild_id}/reports", json={"message_id": message["id"], "reason": "still rude"},
        headers=rm.member.headers,
    )  # fmt: skip
    assert again.status_code == 409 and error_code(again) == "already_reported"

    # The moderator (ManageMessages) sees the queue, resolves it; the reporter sees only the status.
    queue = await server.http.get(f"{API}/guilds/{rm.guild_id}/reports?status=open", headers=mod.headers)
    assert [x["id"] for x in queue.json()["data"]] == [mine["id"]]
    server.recorder.clear()
    r = await server.http.patch(
        f"{API}/reports/{mine['id']}", json={"status": "resolved", "resolution": "deleted it"}, headers=mod.headers
    )
    assert r.status_code == 200, r.text
    handled = r.json()["data"]
    assert handled["handled_by"] == mod.id and handled["resolution"] == "deleted it"
    await server.settle()
    assert server.recorder.of("GUILD_REPORT_UPDATE") == [handled]
    seen = (await server.http.get(f"{API}/reports/{mine['id']}", headers=rm.member.headers)).json()["data"]
    assert seen["status"] == "resolved" and "handled_by" not in seen and "resolution" not in seen
    assert (await server.http.get(f"{API}/guilds/{rm.guild_id}/reports?status=open", headers=mod.headers)).json()[
        "data"
    ] == []
    resolved = await server.http.get(f"{API}/guilds/{rm.guild_id}/reports?status=resolved", headers=mod.headers)
    assert [x["id"] for x in resolved.json()["data"]] == [mine["id"]]


async def test_reports_are_checked_and_the_queue_is_for_moderators(server: Server) -> None:
    rm = await room(server)
    path = f"{API}/guilds/{rm.guild_id}/reports"
    h = rm.member.headers
    for body, status in (
        ({"reason": "x"}, 400),  # neither a message nor a member
        ({"reason": "x", "user_id": rm.owner.id, "message_id": rm.owner.id}, 400),  # both
        ({"reason": "  ", "user_id": rm.owner.id}, 400),
        ({"reason": "x" * 513, "user_id": rm.owner.id}, 400),
        ({"reason": "x", "user_id": rm.member.id}, 400),  # oneself
        ({"reason": "x", "user_id": rm.outsider.id}, 404),  # not a member
        ({"reason": "x", "message_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, 404),
    ):
        r = await server.http.post(path, json=body, headers=h)
        assert r.status_code == status, (body, r.text)
    r = await server.http.post(path, json={"reason": "x", "user_id": rm.owner.id}, headers=rm.outsider.headers)
    assert r.status_code == 404
    # A message in a channel the reporter cannot see is as unknown as a missing one.
    hidden = await server.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": "staff"},
                                    headers=rm.owner.headers)  # fmt: skip
    channel = hidden.json()["data"]["id"]
    r = await server.http.put(f"{API}/channels/{channel}/permissions/{rm.guild_id}",
                              json={"type": "role", "allow": "0", "deny": str(int(Perm.ViewChannel))},
                              headers=rm.owner.headers)  # fmt: skip
    assert r.status_code == 200
    secret = await say(server, rm.owner, channel, "staff only")
    r = await server.http.post(path, json={"reason": "x", "message_id": secret["id"]}, headers=h)
    assert r.status_code == 404
    await server.settle()
    server.recorder.clear()

    r = await server.http.post(path, json={"reason": "spam", "user_id": rm.owner.id}, headers=h)
    report = r.json()["data"]
    for method, url, body in (
        ("GET", path, None),
        ("PATCH", f"{API}/reports/{report['id']}", {"status": "dismissed"}),
    ):
        r = await server.http.request(method, url, json=body, headers=h)
        assert r.status_code == 403 and error_code(r) == "missing_permission", r.text
    r = await server.http.get(f"{API}/reports/{report['id']}", headers=rm.outsider.headers)
    assert r.status_code == 404
    owner = rm.owner.headers
    assert (await server.http.get(f"{path}?status=closed", headers=owner)).status_code == 400
    r = await server.http.patch(f"{API}/reports/{report['id']}", json={"status": "done"}, headers=owner)
    assert r.status_code == 400
    await server.settle()
    assert server.recorder.names() == ["GUILD_REPORT_CREATE"]


async def test_moderators_warn_members_who_see_their_own_warnings(server: Server) -> None:
    rm = await room(server)
    mod = await person(server, "mod")
    assert (await join(server, rm, mod)).status_code == 200
    await grant(server, rm, mod, Perm.KickMembers, position=2)
    path = f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}/warnings"
    r = await server.http.post(path, json={"reason": "keep it civil"}, headers=mod.headers)
    assert r.status_code == 201, r.text
    warning = r.json()["data"]
    assert warning["moderator_id"] == mod.id and warning["user_id"] == rm.member.id
    await server.settle()
    told = server.recorder.of("GUILD_MEMBER_WARNING_CREATE")
    assert told == [{k: v for k, v in warning.items() if k != "moderator_id"}]
    assert server.recorder.of("GUILD_AUDIT_LOG_ENTRY_CREATE")[0]["action"] == "MEMBER_WARNING_CREATE"

    own = (await server.http.get(path, headers=rm.member.headers)).json()["data"]
    assert own == told
    assert (await server.http.get(path, headers=mod.headers)).json()["data"] == [warning]

    # Not by members without a moderator bit, not about others' warnings, not above one's rank.
    third = await person(server, "third")
    assert (await join(server, rm, third)).status_code == 200
    assert (await server.http.get(path, headers=third.headers)).status_code == 403
    r = await server.http.post(path, json={"reason": "x"}, headers=third.headers)
    assert r.status_code == 403
    owner_path = f"{API}/guilds/{rm.guild_id}/members/{rm.owner.id}/warnings"
    assert (await server.http.post(owner_path, json={"reason": "x"}, headers=mod.headers)).status_code == 403
    own_path = f"{API}/guilds/{rm.guild_id}/members/{mod.id}/warnings"
    assert (await server.http.post(own_path, json={"reason": "x"}, headers=mod.headers)).status_code == 400
    assert (await server.http.post(path, json={"reason": ""}, headers=mod.headers)).status_code == 400
