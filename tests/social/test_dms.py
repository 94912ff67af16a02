"""1:1 DMs: one channel per pair, CHANNEL_CREATE only when it is made, blocks respected."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from amityvox.db.schema import channels
from tests.conftest import Server, erase_account
from tests.social.helpers import API, befriend, count_rows, ids, people


async def test_open_dm_is_idempotent_and_announced_once(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    server.recorder.clear()

    r = await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)
    assert r.status_code == 201, r.text
    dm = r.json()["data"]
    assert dm["channel_type"] == "dm" and "guild_id" not in dm and "owner_id" not in dm
    assert ids(dm["recipients"]) == sorted([alice.id, bob.id])
    assert dm["permission_overwrites"] == []
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_CREATE"]
    assert server.recorder.of("CHANNEL_CREATE") == [dm]

    server.recorder.clear()
    again = await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)
    back = await server.http.post(f"{API}/users/{alice.id}/dm", headers=bob.h)
    assert again.status_code == 200 and back.status_code == 200
    assert again.json()["data"] == dm and back.json()["data"]["id"] == dm["id"]
    await server.settle()
    assert server.recorder.names() == []
    assert await count_rows(server) == (1, 2, 0)


async def test_dm_refusals_write_and_publish_nothing(server: Server) -> None:
    alice, bob, carol, dave = await people(server, "alice", "bob", "carol", "dave")
    await server.http.put(f"{API}/users/{bob.id}/block", headers=alice.h)  # alice blocks bob
    await server.http.put(f"{API}/users/{alice.id}/block", headers=carol.h)  # carol blocks alice
    await erase_account(server, dave.h)
    before = await count_rows(server)
    server.recorder.clear()

    cases = [
        (alice, f"/users/{alice.id}/dm", 400, "invalid_target"),
        (alice, "/users/@me/dm", 400, "invalid_target"),
        (alice, "/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/dm", 404, "not_found"),
        (alice, f"/users/{dave.id}/dm", 404, "not_found"),  # deleted account
        (alice, f"/users/{bob.id}/dm", 403, "blocked"),  # alice blocked bob
        (bob, f"/users/{alice.id}/dm", 403, "blocked"),  # ... so bob cannot DM alice either
        (alice, f"/users/{carol.id}/dm", 403, "blocked"),  # carol blocked alice
    ]
    for actor, path, status, code in cases:
        r = await server.http.post(API + path, headers=actor.h)
        assert r.status_code == status, (path, r.text)
        assert r.json()["error"]["code"] == code, (path, r.text)
    assert (await server.http.post(f"{API}/users/{bob.id}/dm")).status_code == 401
    await server.settle()
    assert server.recorder.names() == []
    assert await count_rows(server) == before


async def test_existing_dm_cannot_be_reopened_across_a_new_block(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    assert (await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)).status_code == 201
    await server.http.put(f"{API}/users/{alice.id}/block", headers=bob.h)
    server.recorder.clear()
    r = await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)
    assert r.status_code == 403 and r.json()["error"]["code"] == "blocked"
    await server.settle()
    assert server.recorder.names() == []


async def test_simultaneous_first_dms_make_one_channel(any_db_server: Server) -> None:
    s = any_db_server
    alice, bob = await people(s, "alice", "bob")
    s.recorder.clear()
    replies = await asyncio.gather(
        *(s.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h) for _ in range(3)),
        *(s.http.post(f"{API}/users/{alice.id}/dm", headers=bob.h) for _ in range(3)),
    )
    assert sorted(r.status_code for r in replies) == [200] * 5 + [201], [r.text for r in replies]
    assert len({r.json()["data"]["id"] for r in replies}) == 1
    await s.settle()
    assert s.recorder.names() == ["CHANNEL_CREATE"]
    assert await count_rows(s) == (1, 2, 0)


async def test_list_dms_most_recent_activity_first(server: Server) -> None:
    alice, bob, carol, dave = await people(server, "alice", "bob", "carol", "dave")
    await befriend(server, alice, carol)
    await befriend(server, alice, dave)
    dm_bob = (await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)).json()["data"]
    dm_carol = (await server.http.post(f"{API}/users/{carol.id}/dm", headers=alice.h)).json()["data"]
    body = {"recipient_ids": [carol.id, dave.id]}
    group = (await server.http.post(f"{API}/users/@me/group-dms", headers=alice.h, json=body)).json()["data"]
    # Without messages, the newest channel comes first.
    r = await server.http.get(f"{API}/users/@me/dms", headers=alice.h)
    assert r.status_code == 200, r.text
    assert [c["id"] for c in r.json()["data"]] == [group["id"], dm_carol["id"], dm_bob["id"]]
    assert r.json()["data"][0] == group  # whole channels, recipients included

    # A message in the oldest DM moves it to the top (last_message_id is a newer ULID).
    async with server.ctx.db.begin() as conn:
        await conn.execute(update(channels).where(channels.c.id == dm_bob["id"]).values(last_message_id="7" * 26))
    listed = (await server.http.get(f"{API}/users/@me/dms", headers=alice.h)).json()["data"]
    assert [c["id"] for c in listed] == [dm_bob["id"], group["id"], dm_carol["id"]]
    assert listed[0]["last_message_id"] == "7" * 26

    bobs = (await server.http.get(f"{API}/users/@me/dms", headers=bob.h)).json()["data"]
    assert [c["id"] for c in bobs] == [dm_bob["id"]]
    assert ids(bobs[0]["recipients"]) == sorted([alice.id, bob.id])


async def test_user_routes_are_not_shadowed_by_the_profile_route(server: Server) -> None:
    (alice,) = await people(server, "alice")
    for path in ("/users/@me/dms", "/users/@me/relationships", "/users/@me/guilds"):
        r = await server.http.get(API + path, headers=alice.h)
        assert r.status_code == 200 and r.json()["data"] == [], (path, r.text)
    # The profile route still answers for real ids.
    r = await server.http.get(f"{API}/users/{alice.id}", headers=alice.h)
    assert r.status_code == 200 and r.json()["data"]["id"] == alice.id


async def test_recipients_of_a_deleted_account_stay_listed(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    dm = (await server.http.post(f"{API}/users/{bob.id}/dm", headers=alice.h)).json()["data"]
    await erase_account(server, bob.h)
    (listed,) = (await server.http.get(f"{API}/users/@me/dms", headers=alice.h)).json()["data"]
    assert listed["id"] == dm["id"]
    assert {u["id"]: u["username"] for u in listed["recipients"]}[bob.id].startswith("deleted-")
