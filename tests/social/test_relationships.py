"""Friend requests, friendships and blocks: rows, responses and one event per side."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import Server
from tests.social.helpers import API, Person, befriend, count_rows, people


def _by_user(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["user_id"]: e for e in events}


async def _types(server: Server, p: Person) -> dict[str, str]:
    r = await server.http.get(f"{API}/users/@me/relationships", headers=p.h)
    assert r.status_code == 200, r.text
    return {rel["target_id"]: rel["type"] for rel in r.json()["data"]}


async def test_request_then_accept_sends_each_side_its_own_view(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    server.recorder.clear()

    r = await server.http.put(f"{API}/users/{bob.id}/friend", headers=alice.h)
    assert r.status_code == 201, r.text
    mine = r.json()["data"]
    assert (mine["user_id"], mine["target_id"], mine["type"]) == (alice.id, bob.id, "pending_outgoing")
    assert mine["user"]["id"] == bob.id and "email" not in mine["user"]
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_ADD", "RELATIONSHIP_ADD"]
    adds = _by_user(server.recorder.of("RELATIONSHIP_ADD"))
    assert adds[alice.id]["target_id"] == bob.id and adds[alice.id]["type"] == "pending_outgoing"
    assert adds[alice.id]["user"]["id"] == bob.id
    assert adds[bob.id]["target_id"] == alice.id and adds[bob.id]["type"] == "pending_incoming"
    assert adds[bob.id]["user"]["id"] == alice.id

    # Asking again changes nothing.
    server.recorder.clear()
    r = await server.http.put(f"{API}/users/{bob.id}/friend", headers=alice.h)
    assert r.status_code == 200 and r.json()["data"]["type"] == "pending_outgoing"
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == []

    # Bob accepts by asking back: both rows become friend.
    r = await server.http.put(f"{API}/users/{alice.id}/friend", headers=bob.h)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["type"] == "friend" and r.json()["data"]["user"]["id"] == alice.id
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_UPDATE", "RELATIONSHIP_UPDATE"]
    ups = _by_user(server.recorder.of("RELATIONSHIP_UPDATE"))
    assert ups[alice.id]["target_id"] == bob.id and ups[alice.id]["type"] == "friend"
    assert ups[bob.id]["target_id"] == alice.id and ups[bob.id]["type"] == "friend"
    assert ups[alice.id]["user"]["id"] == bob.id and ups[bob.id]["user"]["id"] == alice.id

    # Already friends: 200, nothing published.
    server.recorder.clear()
    r = await server.http.put(f"{API}/users/{alice.id}/friend", headers=bob.h)
    assert r.status_code == 200 and r.json()["data"]["type"] == "friend"
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == []
    assert await _types(server, alice) == {bob.id: "friend"}
    assert await _types(server, bob) == {alice.id: "friend"}


async def test_friend_requests_by_username_say_why_nothing_changed(server: Server) -> None:
    alice, bob, carol = await people(server, "alice", "Bob.B", "carol")
    url = f"{API}/users/@me/relationships"

    async def ask(who: Person, username: str) -> tuple[int, dict[str, Any]]:
        r = await server.http.post(url, json={"username": username}, headers=who.h)
        body: dict[str, Any] = r.json()
        return r.status_code, body.get("data") or body["error"]

    status, rel = await ask(alice, " @bob.b ")  # any case, a leading @
    assert status == 201 and (rel["target_id"], rel["type"]) == (bob.id, "pending_outgoing")
    server.recorder.clear()
    status, err = await ask(alice, "Bob.B")
    assert (status, err["code"]) == (409, "request_pending") and "Bob.B" in err["message"]
    status, rel = await ask(bob, "alice")  # asking back accepts
    assert status == 200 and rel["type"] == "friend"
    server.recorder.clear()
    status, err = await ask(alice, "bob.b")
    assert (status, err["code"]) == (409, "already_friends") and "Bob.B" in err["message"]
    status, err = await ask(alice, "nobody-here")
    assert (status, err["code"]) == (404, "unknown_user") and "nobody-here" in err["message"]
    status, err = await ask(alice, "alice")
    assert (status, err["code"]) == (400, "invalid_target")
    assert (await server.http.put(f"{API}/users/{alice.id}/block", headers=carol.h)).status_code == 201
    server.recorder.clear()
    status, err = await ask(alice, "carol")
    assert (status, err["code"]) == (403, "blocked")
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == []
    assert await _types(server, alice) == {bob.id: "friend"}


async def test_relationship_list_carries_target_profiles(server: Server) -> None:
    alice, bob, carol = await people(server, "alice", "bob", "carol")
    await server.http.put(f"{API}/users/{bob.id}/friend", headers=alice.h)
    await server.http.put(f"{API}/users/{carol.id}/block", headers=alice.h)
    r = await server.http.get(f"{API}/users/@me/relationships", headers=alice.h)
    assert r.status_code == 200, r.text
    rels = r.json()["data"]
    assert [(x["target_id"], x["type"], x["user"]["username"]) for x in rels] == [
        (bob.id, "pending_outgoing", "bob"),
        (carol.id, "blocked", "carol"),
    ]
    assert all(x["user_id"] == alice.id and x["created_at"] for x in rels)
    r = await server.http.get(f"{API}/users/@me/relationships", headers=carol.h)
    assert r.json()["data"] == []  # carol is not told she is blocked
    assert (await server.http.get(f"{API}/users/@me/relationships")).status_code == 401


async def test_unfriend_decline_and_cancel_remove_both_rows(server: Server) -> None:
    alice, bob, carol, dave = await people(server, "alice", "bob", "carol", "dave")
    await befriend(server, alice, bob)
    await server.http.put(f"{API}/users/{carol.id}/friend", headers=alice.h)
    await server.http.put(f"{API}/users/{alice.id}/friend", headers=dave.h)

    cases = [
        (alice, bob),  # unfriend
        (carol, alice),  # decline alice's request
        (dave, alice),  # cancel dave's own request
    ]
    for actor, other in cases:
        server.recorder.clear()
        r = await server.http.delete(f"{API}/users/{other.id}/friend", headers=actor.h)
        assert r.status_code == 204, r.text
        await server.settle()
        assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_REMOVE", "RELATIONSHIP_REMOVE"]
        assert sorted((e["user_id"], e["target_id"]) for e in server.recorder.of("RELATIONSHIP_REMOVE")) == sorted(
            [(actor.id, other.id), (other.id, actor.id)]
        )
    assert await count_rows(server) == (0, 0, 0)


async def test_refused_relationship_changes_write_and_publish_nothing(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    await server.http.put(f"{API}/users/{bob.id}/block", headers=alice.h)
    before = await count_rows(server)
    server.recorder.clear()
    cases = [
        ("put", f"/users/{alice.id}/friend", 400, "invalid_target"),
        ("put", "/users/@me/friend", 400, "invalid_target"),
        ("put", f"/users/{alice.id}/block", 400, "invalid_target"),
        ("delete", f"/users/{alice.id}/friend", 400, "invalid_target"),
        ("put", "/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/friend", 404, "not_found"),
        ("put", "/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/block", 404, "not_found"),
        ("delete", f"/users/{bob.id}/friend", 404, "not_found"),  # a block is not a friendship
        ("delete", f"/users/{alice.id}/block", 404, "not_found"),  # bob never blocked alice
    ]
    for method, path, status, code in cases:
        actor = bob if "block" in path and method == "delete" else alice
        r = await server.http.request(method.upper(), API + path, headers=actor.h)
        assert r.status_code == status, (method, path, r.text)
        assert r.json()["error"]["code"] == code, (method, path, r.text)
    # A block either way stops friend requests.
    for actor, other in ((alice, bob), (bob, alice)):
        r = await server.http.put(f"{API}/users/{other.id}/friend", headers=actor.h)
        assert r.status_code == 403 and r.json()["error"]["code"] == "blocked", r.text
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == []
    assert await count_rows(server) == before


async def test_blocking_a_friend_updates_us_and_removes_them(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    await befriend(server, alice, bob)
    server.recorder.clear()

    r = await server.http.put(f"{API}/users/{bob.id}/block", headers=alice.h)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["type"] == "blocked"
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_UPDATE", "RELATIONSHIP_REMOVE"]
    (upd,) = server.recorder.of("RELATIONSHIP_UPDATE")
    assert (upd["user_id"], upd["target_id"], upd["type"]) == (alice.id, bob.id, "blocked")
    assert server.recorder.of("RELATIONSHIP_REMOVE") == [{"user_id": bob.id, "target_id": alice.id}]
    assert await _types(server, alice) == {bob.id: "blocked"}
    assert await _types(server, bob) == {}

    # Blocking again: nothing new.
    server.recorder.clear()
    r = await server.http.put(f"{API}/users/{bob.id}/block", headers=alice.h)
    assert r.status_code == 200
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == []

    # Bob blocks back: his own new row; alice's block stays untouched.
    r = await server.http.put(f"{API}/users/{alice.id}/block", headers=bob.h)
    assert r.status_code == 201
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_ADD"]
    (add,) = server.recorder.of("RELATIONSHIP_ADD")
    assert (add["user_id"], add["target_id"], add["type"]) == (bob.id, alice.id, "blocked")
    assert await _types(server, alice) == {bob.id: "blocked"}


async def test_blocking_a_stranger_and_unblocking(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    await server.http.put(f"{API}/users/{alice.id}/friend", headers=bob.h)  # bob's pending request
    server.recorder.clear()

    r = await server.http.put(f"{API}/users/{bob.id}/block", headers=alice.h)
    assert r.status_code == 200  # alice had a pending_incoming row, now blocked
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_UPDATE", "RELATIONSHIP_REMOVE"]
    assert server.recorder.of("RELATIONSHIP_REMOVE") == [{"user_id": bob.id, "target_id": alice.id}]

    server.recorder.clear()
    r = await server.http.delete(f"{API}/users/{bob.id}/block", headers=alice.h)
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_REMOVE"]
    assert server.recorder.of("RELATIONSHIP_REMOVE") == [{"user_id": alice.id, "target_id": bob.id}]
    assert await count_rows(server) == (0, 0, 0)

    # With no prior row, a block is an ADD to the blocker only.
    server.recorder.clear()
    r = await server.http.put(f"{API}/users/{bob.id}/block", headers=alice.h)
    assert r.status_code == 201
    await server.settle()
    assert server.recorder.names(ignore="NOTIFICATION_") == ["RELATIONSHIP_ADD"]
    assert server.recorder.of("RELATIONSHIP_ADD")[0]["user_id"] == alice.id


async def test_crossing_requests_end_as_friends(any_db_server: Server) -> None:
    """Two users asking each other at once: one request, one acceptance, never an error."""
    s = any_db_server
    alice, bob = await people(s, "alice", "bob")
    r1, r2 = await asyncio.gather(
        s.http.put(f"{API}/users/{bob.id}/friend", headers=alice.h),
        s.http.put(f"{API}/users/{alice.id}/friend", headers=bob.h),
    )
    assert sorted([r1.status_code, r2.status_code]) == [200, 201], (r1.text, r2.text)
    assert await _types(s, alice) == {bob.id: "friend"}
    assert await _types(s, bob) == {alice.id: "friend"}
