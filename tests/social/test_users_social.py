"""GET /users/@me/guilds and PUT /users/@me/activity."""

from __future__ import annotations

from sqlalchemy import insert

from amityvox.db.schema import guild_members, guilds
from amityvox.ids import new_id, now_iso
from tests.conftest import Server
from tests.social.helpers import API, people


async def _guild(server: Server, owner_id: str, name: str, *member_ids: str) -> str:
    guild_id = new_id()
    now = now_iso()
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            insert(guilds).values(
                id=guild_id,
                owner_id=owner_id,
                name=name,
                default_permissions=0,
                flags=0,
                nsfw=False,
                discoverable=False,
                member_count=1 + len(member_ids),
                created_at=now,
            )
        )
        for user_id in (owner_id, *member_ids):
            await conn.execute(
                insert(guild_members).values(
                    guild_id=guild_id, user_id=user_id, joined_at=now, last_active_at=now, deaf=False, mute=False
                )
            )
    return guild_id


async def test_my_guilds_lists_only_guilds_i_belong_to(server: Server) -> None:
    alice, bob = await people(server, "alice", "bob")
    first = await _guild(server, alice.id, "First", bob.id)
    second = await _guild(server, bob.id, "Second")
    third = await _guild(server, alice.id, "Third")

    r = await server.http.get(f"{API}/users/@me/guilds", headers=alice.h)
    assert r.status_code == 200, r.text
    listed = r.json()["data"]
    assert [g["id"] for g in listed] == [first, third]
    assert listed[0] == {
        "id": first,
        "owner_id": alice.id,
        "name": "First",
        "default_permissions": "0",
        "flags": 0,
        "nsfw": False,
        "discoverable": False,
        "member_count": 2,
        "created_at": listed[0]["created_at"],
    }
    bobs = (await server.http.get(f"{API}/users/@me/guilds", headers=bob.h)).json()["data"]
    assert [g["id"] for g in bobs] == [first, second]
    assert (await server.http.get(f"{API}/users/@me/guilds")).status_code == 401


async def test_activity_is_published_as_presence(server: Server) -> None:
    (alice,) = await people(server, "alice")
    server.recorder.clear()

    r = await server.http.put(
        f"{API}/users/@me/activity", headers=alice.h, json={"activity": {"type": "playing", "name": " Chess "}}
    )
    assert r.status_code == 200, r.text
    expected = {"user_id": alice.id, "status": "online", "activity": {"type": "playing", "name": "Chess"}}
    assert r.json()["data"] == expected
    await server.settle()
    assert server.recorder.names() == ["PRESENCE_UPDATE"]
    assert server.recorder.of("PRESENCE_UPDATE") == [expected]

    server.recorder.clear()
    r = await server.http.put(f"{API}/users/@me/activity", headers=alice.h, json={"activity": None})
    assert r.status_code == 200
    await server.settle()
    assert server.recorder.of("PRESENCE_UPDATE") == [{"user_id": alice.id, "status": "online"}]


async def test_activity_of_a_busy_or_invisible_user(server: Server) -> None:
    (alice,) = await people(server, "alice")
    body = {"activity": {"type": "competing", "name": "Regional finals"}}

    await server.http.patch(f"{API}/users/@me", headers=alice.h, json={"status_presence": "busy"})
    server.recorder.clear()
    assert (await server.http.put(f"{API}/users/@me/activity", headers=alice.h, json=body)).status_code == 200
    await server.settle()
    assert server.recorder.of("PRESENCE_UPDATE") == [{"user_id": alice.id, "status": "busy", **body}]

    # Invisible users show as offline, and their activity would give them away.
    await server.http.patch(f"{API}/users/@me", headers=alice.h, json={"status_presence": "invisible"})
    server.recorder.clear()
    assert (await server.http.put(f"{API}/users/@me/activity", headers=alice.h, json=body)).status_code == 200
    await server.settle()
    assert server.recorder.of("PRESENCE_UPDATE") == [{"user_id": alice.id, "status": "offline"}]


async def test_bad_activity_is_refused_and_publishes_nothing(server: Server) -> None:
    (alice,) = await people(server, "alice")
    server.recorder.clear()
    for body in (
        {},
        {"activity": {"type": "sleeping", "name": "zzz"}},
        {"activity": {"type": "playing", "name": ""}},
        {"activity": {"type": "playing", "name": "   "}},
        {"activity": {"type": "playing", "name": "x" * 129}},
        {"activity": {"type": "playing"}},
        {"activity": {"type": "playing", "name": "Chess", "details": "extra"}},
    ):
        r = await server.http.put(f"{API}/users/@me/activity", headers=alice.h, json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["code"] == "validation_error", (body, r.text)
    assert (await server.http.put(f"{API}/users/@me/activity", json={"activity": None})).status_code == 401
    await server.settle()
    assert server.recorder.names() == []
