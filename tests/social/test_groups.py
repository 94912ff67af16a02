"""Group DMs: creation among friends, recipients added and removed, ownership, renaming."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.social.helpers import API, Person, befriend, count_rows, ids, people


async def _group(server: Server, owner: Person, *others: Person, name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"recipient_ids": [o.id for o in others]}
    if name is not None:
        body["name"] = name
    r = await server.http.post(f"{API}/users/@me/group-dms", headers=owner.h, json=body)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def test_create_group_announces_to_every_recipient(server: Server) -> None:
    alice, bob, carol = await people(server, "alice", "bob", "carol")
    await befriend(server, alice, bob)
    await befriend(server, alice, carol)
    server.recorder.clear()

    group = await _group(server, alice, bob, carol, bob, name="  weekend plans ")
    assert group["channel_type"] == "group" and group["owner_id"] == alice.id
    assert group["name"] == "weekend plans"
    assert ids(group["recipients"]) == sorted([alice.id, bob.id, carol.id])
    await server.settle()
    # One CHANNEL_CREATE, routed from its recipients to all three (creator included).
    assert server.recorder.names() == ["CHANNEL_CREATE"]
    assert server.recorder.of("CHANNEL_CREATE") == [group]
    assert [c["id"] for c in (await server.http.get(f"{API}/users/@me/dms", headers=bob.h)).json()["data"]] == [
        group["id"]
    ]


async def test_create_group_refusals_write_and_publish_nothing(server: Server) -> None:
    alice, bob, carol = await people(server, "alice", "bob", "carol")
    await befriend(server, alice, bob)
    await server.http.put(f"{API}/users/{carol.id}/friend", headers=alice.h)  # only a pending request
    await server.settle()  # the friend request's notification is written by a subscriber
    before = await count_rows(server)
    server.recorder.clear()
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    cases: list[tuple[Any, int, str]] = [
        ({"recipient_ids": [bob.id, carol.id]}, 403, "not_friends"),
        ({"recipient_ids": [carol.id]}, 403, "not_friends"),
        ({"recipient_ids": [bob.id, unknown]}, 404, "not_found"),
        ({"recipient_ids": [alice.id, bob.id]}, 400, "invalid_target"),
        ({"recipient_ids": []}, 400, "validation_error"),
        ({"recipient_ids": [bob.id] * 10}, 400, "validation_error"),
        ({"recipient_ids": [bob.id], "name": "x" * 101}, 400, "validation_error"),
        ({"recipient_ids": [bob.id], "topic": "extra"}, 400, "validation_error"),
        ({}, 400, "validation_error"),
    ]
    for body, status, code in cases:
        r = await server.http.post(f"{API}/users/@me/group-dms", headers=alice.h, json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["code"] == code, (body, r.text)
    await server.settle()
    assert server.recorder.names() == []
    assert await count_rows(server) == before


async def test_owner_adds_a_friend_with_channel_update(server: Server) -> None:
    alice, bob, carol, dave = await people(server, "alice", "bob", "carol", "dave")
    await befriend(server, alice, bob)
    await befriend(server, alice, carol)
    group = await _group(server, alice, bob)
    server.recorder.clear()

    r = await server.http.put(f"{API}/channels/{group['id']}/recipients/{carol.id}", headers=alice.h)
    assert r.status_code == 200, r.text
    updated = r.json()["data"]
    assert ids(updated["recipients"]) == sorted([alice.id, bob.id, carol.id])
    await server.settle()
    # CHANNEL_UPDATE only: the gateway derives carol's CHANNEL_CREATE from the recipient change.
    assert server.recorder.names() == ["CHANNEL_UPDATE"]
    assert server.recorder.of("CHANNEL_UPDATE") == [updated]

    # Adding someone already there changes nothing.
    server.recorder.clear()
    r = await server.http.put(f"{API}/channels/{group['id']}/recipients/{carol.id}", headers=alice.h)
    assert r.status_code == 200 and r.json()["data"] == updated
    await server.settle()
    assert server.recorder.names() == []

    # Refusals: a non-owner, a non-friend of the owner, an outsider, unknown users and a 1:1 DM.
    await befriend(server, bob, dave)
    dm = (await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)).json()["data"]
    before = await count_rows(server)
    server.recorder.clear()
    cases = [
        (bob, group["id"], dave.id, 403, "missing_permission"),
        (alice, group["id"], dave.id, 403, "not_friends"),
        (dave, group["id"], dave.id, 404, "not_found"),
        (alice, group["id"], "01ARZ3NDEKTSV4RRFFQ69G5FAV", 404, "not_found"),
        (alice, "01ARZ3NDEKTSV4RRFFQ69G5FAV", bob.id, 404, "not_found"),
        (alice, dm["id"], carol.id, 400, "not_group_dm"),
    ]
    for actor, channel_id, user_id, status, code in cases:
        r = await server.http.put(f"{API}/channels/{channel_id}/recipients/{user_id}", headers=actor.h)
        assert r.status_code == status, (channel_id, user_id, r.text)
        assert r.json()["error"]["code"] == code, (channel_id, user_id, r.text)
    await server.settle()
    assert server.recorder.names() == []
    assert await count_rows(server) == before


async def test_a_group_holds_at_most_ten(server: Server) -> None:
    owner, *friends = await people(server, *[f"user{i}" for i in range(11)])
    for f in friends:
        await befriend(server, owner, f)
    group = await _group(server, owner, *friends[:9])
    assert len(group["recipients"]) == 10
    before = await count_rows(server)
    server.recorder.clear()
    r = await server.http.put(f"{API}/channels/{group['id']}/recipients/{friends[9].id}", headers=owner.h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "group_full", r.text
    await server.settle()
    assert server.recorder.names() == []
    assert await count_rows(server) == before


async def test_remove_leave_and_ownership_passing(server: Server) -> None:
    # carol registers first, so her id sorts before bob's: ownership must follow the order
    # of joining, not the order of ids.
    carol, alice, bob, dave = await people(server, "carol", "alice", "bob", "dave")
    for f in (bob, carol, dave):
        await befriend(server, alice, f)
    group = await _group(server, alice, bob)
    for f in (carol, dave):
        assert (await server.http.put(f"{API}/channels/{group['id']}/recipients/{f.id}", headers=alice.h)).is_success
    url = f"{API}/channels/{group['id']}/recipients"

    # Non-owners cannot remove others; outsiders and absent recipients are not found.
    (eve,) = await people(server, "eve")
    before = await count_rows(server)
    server.recorder.clear()
    for actor, target, status, code in (
        (bob, carol.id, 403, "missing_permission"),
        (eve, eve.id, 404, "not_found"),
        (alice, eve.id, 404, "not_found"),
    ):
        r = await server.http.delete(f"{url}/{target}", headers=actor.h)
        assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    await server.settle()
    assert server.recorder.names() == []
    assert await count_rows(server) == before

    # The owner removes dave.
    r = await server.http.delete(f"{url}/{dave.id}", headers=alice.h)
    assert r.status_code == 204, r.text
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_UPDATE"]
    (upd,) = server.recorder.of("CHANNEL_UPDATE")
    assert ids(upd["recipients"]) == sorted([alice.id, bob.id, carol.id]) and upd["owner_id"] == alice.id

    # The owner leaves: bob, added before carol, becomes owner.
    server.recorder.clear()
    r = await server.http.delete(f"{url}/@me", headers=alice.h)
    assert r.status_code == 204, r.text
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_UPDATE"]
    (upd,) = server.recorder.of("CHANNEL_UPDATE")
    assert ids(upd["recipients"]) == sorted([bob.id, carol.id]) and upd["owner_id"] == bob.id
    assert (await server.http.get(f"{API}/users/@me/dms", headers=alice.h)).json()["data"] == []

    # A recipient leaves by naming themself.
    server.recorder.clear()
    assert (await server.http.delete(f"{url}/{carol.id}", headers=carol.h)).status_code == 204
    await server.settle()
    (upd,) = server.recorder.of("CHANNEL_UPDATE")
    assert ids(upd["recipients"]) == [bob.id] and upd["owner_id"] == bob.id

    # The last one out deletes the group.
    server.recorder.clear()
    assert (await server.http.delete(f"{url}/@me", headers=bob.h)).status_code == 204
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_DELETE"]
    assert server.recorder.of("CHANNEL_DELETE") == [{"id": group["id"]}]
    assert (await count_rows(server))[:2] == (0, 0)


async def test_remove_recipient_from_a_dm_is_refused(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    dm = (await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)).json()["data"]
    server.recorder.clear()
    r = await server.http.delete(f"{API}/channels/{dm['id']}/recipients/@me", headers=alice.h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_group_dm"
    await server.settle()
    assert server.recorder.names() == []
    assert await count_rows(server) == (1, 2, 0)


async def test_owner_renames_the_group(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    await befriend(server, alice, bob)
    group = await _group(server, alice, bob)
    assert "name" not in group
    url = f"{API}/users/@me/group-dms/{group['id']}"
    server.recorder.clear()

    r = await server.http.patch(url, headers=alice.h, json={"name": "Book club"})
    assert r.status_code == 200, r.text
    renamed = r.json()["data"]
    assert renamed["name"] == "Book club" and ids(renamed["recipients"]) == sorted([alice.id, bob.id])
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_UPDATE"]
    assert server.recorder.of("CHANNEL_UPDATE") == [renamed]

    server.recorder.clear()
    dm = (await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)).json()["data"]
    server.recorder.clear()
    for actor, target, body, status, code in (
        (bob, group["id"], {"name": "Mine now"}, 403, "missing_permission"),
        (alice, dm["id"], {"name": "Pair"}, 400, "not_group_dm"),
        (alice, group["id"], {}, 400, "validation_error"),
        (alice, group["id"], {"name": "x" * 101}, 400, "validation_error"),
        (alice, "01ARZ3NDEKTSV4RRFFQ69G5FAV", {"name": "Ghost"}, 404, "not_found"),
    ):
        r = await server.http.patch(f"{API}/users/@me/group-dms/{target}", headers=actor.h, json=body)
        assert r.status_code == status and r.json()["error"]["code"] == code, (body, r.text)
    await server.settle()
    assert server.recorder.names() == []

    # null clears the name.
    r = await server.http.patch(url, headers=alice.h, json={"name": None})
    assert r.status_code == 200 and "name" not in r.json()["data"]
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_UPDATE"]
