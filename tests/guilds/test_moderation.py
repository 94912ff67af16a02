"""Bans (timed and permanent, with the expiry sweep) and pruning."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from amityvox import permissions as P
from amityvox.db.schema import bans, guild_members
from amityvox.ids import iso, utcnow
from amityvox.services import moderation
from tests.conftest import Server, auth
from tests.guilds.helpers import API, count, member_count, nothing_published, setup


async def test_ban_removes_the_member_and_announces(any_db_server: Server) -> None:
    s = any_db_server
    (alice, bob), g = await setup(s, "alice", "bob")
    r = await s.http.put(
        f"{API}/guilds/{g['id']}/bans/{bob['user']['id']}", json={"reason": "spam"}, headers=auth(alice["token"])
    )
    assert r.status_code == 200, r.text
    ban = r.json()["data"]
    assert ban["user_id"] == bob["user"]["id"] and ban["reason"] == "spam" and ban["user"]["username"] == "bob"
    assert ban["banned_by"] == alice["user"]["id"] and "expires_at" not in ban
    await s.settle()
    assert s.recorder.names() == ["GUILD_BAN_ADD", "GUILD_MEMBER_REMOVE"]
    assert s.recorder.of("GUILD_BAN_ADD") == [{"guild_id": g["id"], "user_id": bob["user"]["id"], "reason": "spam"}]
    assert s.recorder.of("GUILD_MEMBER_REMOVE") == [{"guild_id": g["id"], "user_id": bob["user"]["id"]}]
    assert await member_count(s, g["id"]) == 1
    listed = await s.http.get(f"{API}/guilds/{g['id']}/bans", headers=auth(alice["token"]))
    assert listed.json()["data"] == [ban]

    s.recorder.clear()
    assert (
        await s.http.delete(f"{API}/guilds/{g['id']}/bans/{bob['user']['id']}", headers=auth(alice["token"]))
    ).status_code == 204
    await s.settle()
    assert s.recorder.of("GUILD_BAN_REMOVE") == [{"guild_id": g["id"], "user_id": bob["user"]["id"], "reason": "spam"}]
    assert await count(s, select(bans)) == 0
    r = await s.http.delete(f"{API}/guilds/{g['id']}/bans/{bob['user']['id']}", headers=auth(alice["token"]))
    assert r.status_code == 404


async def test_banning_a_non_member_publishes_only_the_ban(server: Server) -> None:
    (alice,), g = await setup(server, "alice")
    stranger = await server.register("stranger")
    server.recorder.clear()
    r = await server.http.put(f"{API}/guilds/{g['id']}/bans/{stranger['user']['id']}", headers=auth(alice["token"]))
    assert r.status_code == 200, r.text
    await server.settle()
    assert server.recorder.names() == ["GUILD_BAN_ADD"]
    assert await member_count(server, g["id"]) == 1


async def test_ban_permissions_and_bad_input(server: Server) -> None:
    (alice, bob, carol), g = await setup(server, "alice", "bob", "carol")
    path = f"{API}/guilds/{g['id']}/bans"
    assert (await server.http.put(f"{path}/{carol['user']['id']}", headers=auth(bob["token"]))).status_code == 403
    assert (await server.http.get(path, headers=auth(bob["token"]))).status_code == 403
    assert (await server.http.delete(f"{path}/{carol['user']['id']}", headers=auth(bob["token"]))).status_code == 403
    h = auth(alice["token"])
    assert (await server.http.put(f"{path}/{alice['user']['id']}", headers=h)).status_code == 400
    assert (await server.http.put(f"{path}/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=h)).status_code == 404
    past = iso(utcnow() - timedelta(minutes=1))
    for body in (
        {"expires_at": past},
        {"expires_at": "soon"},
        {"duration_seconds": 0},
        {"duration_seconds": 60, "expires_at": iso(utcnow() + timedelta(hours=1))},
        {"reason": "x" * 513},
    ):
        r = await server.http.put(f"{path}/{carol['user']['id']}", json=body, headers=h)
        assert r.status_code == 400, body
    assert await count(server, select(bans)) == 0
    assert await member_count(server, g["id"]) == 3
    await nothing_published(server)


async def test_ban_respects_the_hierarchy(server: Server) -> None:
    (alice, bob, carol), g = await setup(server, "alice", "bob", "carol")
    h = auth(alice["token"])
    mod = (
        await server.http.post(
            f"{API}/guilds/{g['id']}/roles",
            json={"name": "mod", "position": 3, "permissions_allow": int(P.Perm.BanMembers)},
            headers=h,
        )
    ).json()["data"]
    for user in (bob, carol):
        await server.http.put(f"{API}/guilds/{g['id']}/members/{user['user']['id']}/roles/{mod['id']}", headers=h)
    server.recorder.clear()
    path = f"{API}/guilds/{g['id']}/bans"
    assert (await server.http.put(f"{path}/{carol['user']['id']}", headers=auth(bob["token"]))).status_code == 403
    assert (await server.http.put(f"{path}/{alice['user']['id']}", headers=auth(bob["token"]))).status_code == 403
    await nothing_published(server)


async def test_timed_bans_are_lifted(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    r = await server.http.put(
        f"{API}/guilds/{g['id']}/bans/{bob['user']['id']}",
        json={"duration_seconds": 3600},
        headers=auth(alice["token"]),
    )
    assert r.status_code == 200 and "expires_at" in r.json()["data"]
    assert await moderation.lift_expired_bans(server.ctx) == 0
    server.recorder.clear()
    async with server.ctx.db.begin() as conn:
        await conn.execute(update(bans).values(expires_at=iso(utcnow() - timedelta(seconds=1))))
    assert await moderation.lift_expired_bans(server.ctx) == 1
    await server.settle()
    assert server.recorder.of("GUILD_BAN_REMOVE") == [{"guild_id": g["id"], "user_id": bob["user"]["id"]}]
    assert await count(server, select(bans)) == 0


async def test_prune_counts_then_removes_inactive_roleless_members(any_db_server: Server) -> None:
    s = any_db_server
    (alice, bob, carol, dave), g = await setup(s, "alice", "bob", "carol", "dave")
    role = (
        await s.http.post(f"{API}/guilds/{g['id']}/roles", json={"name": "kept"}, headers=auth(alice["token"]))
    ).json()["data"]
    await s.http.put(
        f"{API}/guilds/{g['id']}/members/{dave['user']['id']}/roles/{role['id']}", headers=auth(alice["token"])
    )
    old = iso(utcnow() - timedelta(days=10))
    async with s.ctx.db.begin() as conn:  # everyone but carol went quiet ten days ago
        await conn.execute(
            update(guild_members).where(guild_members.c.user_id != carol["user"]["id"]).values(last_active_at=old)
        )
    s.recorder.clear()
    path = f"{API}/guilds/{g['id']}/prune"
    assert (await s.http.get(path, params={"days": 7}, headers=auth(bob["token"]))).status_code == 403
    assert (await s.http.post(path, json={"days": 7}, headers=auth(bob["token"]))).status_code == 403
    for days in (0, 31):
        assert (await s.http.post(path, json={"days": days}, headers=auth(alice["token"]))).status_code == 400
    r = await s.http.get(path, params={"days": 7}, headers=auth(alice["token"]))
    assert r.status_code == 200 and r.json()["data"]["pruned"] == 1
    r = await s.http.get(path, params={"days": 11}, headers=auth(alice["token"]))
    assert r.json()["data"]["pruned"] == 0
    await nothing_published(s)

    r = await s.http.post(path, json={"days": 7}, headers=auth(alice["token"]))
    assert r.status_code == 200
    expected = {"guild_id": g["id"], "pruned": 1, "user_ids": [bob["user"]["id"]]}
    assert r.json()["data"] == expected
    await s.settle()
    assert s.recorder.names() == ["GUILD_MEMBERS_PRUNE"] and s.recorder.of("GUILD_MEMBERS_PRUNE") == [expected]
    assert await member_count(s, g["id"]) == 3
