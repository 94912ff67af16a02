"""Activity catalog and sessions: start, join, leave, end and shared state."""

from __future__ import annotations

from typing import Any

from amityvox.db.schema import activities, activity_participants, activity_sessions
from amityvox.services import auth
from amityvox.services.activities import BUILTIN_ACTIVITIES
from tests.activities.helpers import API, data, events, hide, mute, refused, rows
from tests.conftest import Server
from tests.messages.helpers import Person, dm, person, room

SKETCH = BUILTIN_ACTIVITIES[0]["id"]  # participants may change the state
TRIVIA = BUILTIN_ACTIVITIES[1]["id"]  # only the host may
UNKNOWN = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def start(server: Server, who: Person, channel_id: str, activity_id: str = SKETCH) -> dict[str, Any]:
    r = await server.http.post(
        f"{API}/activities/{activity_id}/sessions", json={"channel_id": channel_id}, headers=who.headers
    )
    session: dict[str, Any] = data(r, 201)
    await server.settle()
    server.recorder.clear()
    return session


async def act(server: Server, who: Person, session_id: str, action: str) -> Any:
    return await server.http.post(f"{API}/activities/sessions/{session_id}/{action}", headers=who.headers)


async def patch_state(server: Server, who: Person, sid: str, state: Any) -> Any:
    return await server.http.patch(f"{API}/activities/sessions/{sid}/state", json={"state": state}, headers=who.headers)


async def test_catalog_lists_builtins_and_only_admins_add_to_it(server: Server) -> None:
    alice = await person(server, "alice")
    listed = data(await server.http.get(f"{API}/activities", headers=alice.headers))
    assert [a["id"] for a in listed] == [a["id"] for a in BUILTIN_ACTIVITIES]
    assert {a["state_updates"] for a in listed} == {"host", "participants"}
    assert all(a["builtin"] and a["max_participants"] > 0 for a in listed)

    body = {"name": "Chess", "max_participants": 2, "state_updates": "participants"}
    r = await server.http.post(f"{API}/activities", json=body, headers=alice.headers)
    await refused(server, r, 403, "missing_permission")
    await auth.set_admin(server.ctx, "alice")
    for bad in ({**body, "state_updates": "anyone"}, {**body, "max_participants": 0}, {**body, "name": "  "}):
        r = await server.http.post(f"{API}/activities", json=bad, headers=alice.headers)
        await refused(server, r, 400, "validation_error")
    assert await rows(server, activities) == 0

    added = data(await server.http.post(f"{API}/activities", json=body, headers=alice.headers), 201)
    assert added["name"] == "Chess" and not added["builtin"]
    assert data(await server.http.get(f"{API}/activities", headers=alice.headers))[-1] == added
    assert await events(server) == []  # the catalog has no event of its own


async def test_start_publishes_the_session_and_refuses_without_access(server: Server) -> None:
    rm = await room(server)
    url = f"{API}/activities/{SKETCH}/sessions"
    r = await server.http.post(url, json={"channel_id": rm.channel_id}, headers=rm.outsider.headers)
    await refused(server, r, 404, "not_found")
    r = await server.http.post(f"{API}/activities/{UNKNOWN}/sessions", json={"channel_id": rm.channel_id},
                               headers=rm.member.headers)  # fmt: skip
    await refused(server, r, 404, "not_found")
    await refused(server, await server.http.post(url, json={}, headers=rm.member.headers), 400, "validation_error")
    assert await rows(server, activity_sessions) == 0

    session = data(await server.http.post(url, json={"channel_id": rm.channel_id}, headers=rm.member.headers), 201)
    assert session["host_id"] == rm.member.id and session["participants"] == [rm.member.id]
    assert (session["status"], session["state"], session["guild_id"]) == ("active", {}, rm.guild_id)
    assert await events(server) == [("ACTIVITY_SESSION_START", session)]
    fetched = data(await server.http.get(f"{API}/activities/sessions/{session['id']}", headers=rm.owner.headers))
    assert fetched == session
    r = await server.http.get(f"{API}/activities/sessions/{session['id']}", headers=rm.outsider.headers)
    await refused(server, r, 404, "not_found")

    await mute(server, rm)
    r = await server.http.post(url, json={"channel_id": rm.channel_id}, headers=rm.member.headers)
    await refused(server, r, 403, "missing_permission")
    assert await rows(server, activity_sessions) == 1


async def test_join_leave_and_the_last_leave_ends_the_session(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    session = await start(server, rm.owner, rm.channel_id)
    sid = session["id"]
    await refused(server, await act(server, rm.member, sid, "leave"), 409, "not_a_participant")
    await refused(server, await act(server, rm.outsider, sid, "leave"), 404, "not_found")
    await refused(server, await act(server, rm.outsider, sid, "join"), 404, "not_found")
    await refused(server, await act(server, rm.member, UNKNOWN, "join"), 404, "not_found")

    joined = data(await act(server, rm.member, sid, "join"))
    assert joined["participants"] == [rm.owner.id, rm.member.id]
    expect = {"session_id": sid, "user_id": rm.member.id, "channel_id": rm.channel_id}
    assert await events(server) == [("ACTIVITY_PARTICIPANT_JOIN", expect)]
    data(await act(server, rm.member, sid, "join"))  # already in: nothing changes
    assert await events(server) == []

    # The host leaves: the earliest remaining participant hosts.
    left = data(await act(server, rm.owner, sid, "leave"))
    assert (left["host_id"], left["participants"], left["status"]) == (rm.member.id, [rm.member.id], "active")
    assert await events(server) == [("ACTIVITY_PARTICIPANT_LEAVE", {**expect, "user_id": rm.owner.id})]

    ended = data(await act(server, rm.member, sid, "leave"))
    assert (ended["status"], ended["participants"]) == ("ended", [])
    assert await events(server) == [("ACTIVITY_PARTICIPANT_LEAVE", expect), ("ACTIVITY_SESSION_END", ended)]
    await refused(server, await act(server, rm.owner, sid, "join"), 409, "session_ended")
    await refused(server, await patch_state(server, rm.member, sid, {"a": 1}), 409, "session_ended")


async def test_join_is_refused_when_full_muted_or_hidden(server: Server) -> None:
    rm = await room(server)
    await auth.set_admin(server.ctx, "owner")
    body = {"name": "Duel", "max_participants": 1, "state_updates": "host"}
    duel = data(await server.http.post(f"{API}/activities", json=body, headers=rm.owner.headers), 201)
    session = await start(server, rm.owner, rm.channel_id, duel["id"])
    await refused(server, await act(server, rm.member, session["id"], "join"), 409, "session_full")
    open_session = await start(server, rm.owner, rm.channel_id)
    await mute(server, rm)
    await refused(server, await act(server, rm.member, open_session["id"], "join"), 403, "missing_permission")
    await hide(server, rm)
    await refused(server, await act(server, rm.member, open_session["id"], "join"), 404, "not_found")
    assert await rows(server, activity_participants) == 2  # the two hosts


async def test_end_is_for_the_host_or_a_moderator(server: Server) -> None:
    rm = await room(server)
    session = await start(server, rm.member, rm.channel_id)
    data(await act(server, rm.owner, session["id"], "join"))
    another = await start(server, rm.owner, rm.channel_id)
    await refused(server, await act(server, rm.member, another["id"], "end"), 403, "not_host")
    await refused(server, await act(server, rm.outsider, another["id"], "end"), 404, "not_found")

    ended = data(await act(server, rm.member, session["id"], "end"))
    assert ended["status"] == "ended" and ended["participants"] == [rm.member.id, rm.owner.id]
    assert await events(server) == [("ACTIVITY_SESSION_END", ended)]
    await refused(server, await act(server, rm.member, session["id"], "end"), 409, "session_ended")
    # The guild owner moderates the channel and may end someone else's session.
    member_session = await start(server, rm.member, rm.channel_id)
    assert data(await act(server, rm.owner, member_session["id"], "end"))["status"] == "ended"
    assert [n for n, _ in await events(server)] == ["ACTIVITY_SESSION_END"]


async def test_state_follows_the_activity_rule_and_bad_state_changes_nothing(server: Server) -> None:
    rm = await room(server)
    shared = await start(server, rm.owner, rm.channel_id, SKETCH)
    await refused(server, await patch_state(server, rm.member, shared["id"], {"x": 1}), 403, "not_a_participant")
    await refused(server, await patch_state(server, rm.outsider, shared["id"], {"a": 1}), 404, "not_found")
    r = await patch_state(server, rm.owner, shared["id"], {"blob": "x" * 70_000})
    await refused(server, r, 413, "payload_too_large")
    await refused(server, await patch_state(server, rm.owner, shared["id"], [1, 2]), 400, "validation_error")
    get = await server.http.get(f"{API}/activities/sessions/{shared['id']}", headers=rm.owner.headers)
    assert data(get)["state"] == {}

    data(await act(server, rm.member, shared["id"], "join"))
    server.recorder.clear()
    updated = data(await patch_state(server, rm.member, shared["id"], {"strokes": [[0, 0, 5, 5]]}))
    assert updated["state"] == {"strokes": [[0, 0, 5, 5]]}
    expect = {"session_id": shared["id"], "state": {"strokes": [[0, 0, 5, 5]]}, "channel_id": rm.channel_id}
    assert await events(server) == [("ACTIVITY_STATE_UPDATE", expect)]

    hosted = await start(server, rm.owner, rm.channel_id, TRIVIA)
    data(await act(server, rm.member, hosted["id"], "join"))
    server.recorder.clear()
    await refused(server, await patch_state(server, rm.member, hosted["id"], {"q": 1}), 403, "not_host")
    data(await patch_state(server, rm.owner, hosted["id"], {"q": 1}))
    assert [n for n, _ in await events(server)] == ["ACTIVITY_STATE_UPDATE"]

    # Direct messages host sessions too; only their recipients see them.
    channel_id = await dm(server, rm.owner, rm.outsider)
    in_dm = await start(server, rm.owner, channel_id)
    assert "guild_id" not in in_dm
    data(await act(server, rm.outsider, in_dm["id"], "join"))
    assert [n for n, _ in await events(server)] == ["ACTIVITY_PARTICIPANT_JOIN"]
    await refused(server, await act(server, rm.member, in_dm["id"], "join"), 404, "not_found")
