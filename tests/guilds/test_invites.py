"""Invites: create, list, preview, revoke, and joining a guild by accepting one."""

from __future__ import annotations

from sqlalchemy import select, update

from amityvox import permissions as P
from amityvox.db.schema import guild_members, invites
from amityvox.ids import iso, utcnow
from tests.conftest import Server, auth
from tests.gateway.wsclient import Raw
from tests.guilds.helpers import API, count, invite_code, member_count, nothing_published, setup


async def test_create_and_list_invites(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    r = await server.http.post(
        f"{API}/guilds/{g['id']}/invites", json={"max_uses": 3, "max_age_seconds": 60}, headers=auth(bob["token"])
    )
    assert r.status_code == 201, r.text
    inv = r.json()["data"]
    assert len(inv["code"]) == 8 and inv["max_uses"] == 3 and inv["uses"] == 0
    assert inv["inviter_id"] == bob["user"]["id"] and inv["expires_at"] > inv["created_at"]
    listed = (await server.http.get(f"{API}/guilds/{g['id']}/invites", headers=auth(alice["token"]))).json()["data"]
    assert inv in listed
    await nothing_published(server)


async def test_invite_creation_rules(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    carol = await server.register("carol")
    path = f"{API}/guilds/{g['id']}/invites"
    before = await count(server, select(invites))
    r = await server.http.post(path, json={}, headers=auth(carol["token"]))
    assert r.status_code == 404
    for body in ({"max_uses": -1}, {"max_age_seconds": 0}, {"max_uses": "many"}):
        r = await server.http.post(path, json=body, headers=auth(alice["token"]))
        assert r.status_code == 400, body
    # without CreateInvites for @everyone, bob may not invite
    r = await server.http.patch(
        f"{API}/guilds/{g['id']}",
        json={"default_permissions": P.DEFAULT_EVERYONE & ~int(P.Perm.CreateInvites)},
        headers=auth(alice["token"]),
    )
    assert r.status_code == 200
    server.recorder.clear()
    r = await server.http.post(path, json={}, headers=auth(bob["token"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "missing_permission"
    assert await count(server, select(invites)) == before + 0
    await nothing_published(server)


async def test_accept_joins_and_announces(any_db_server: Server) -> None:
    s = any_db_server
    (alice,), g = await setup(s, "alice")
    bob = await s.register("bob")
    code = await invite_code(s, alice["token"], g["id"])
    preview = await s.http.get(f"{API}/invites/{code}", headers=auth(bob["token"]))
    assert preview.status_code == 200
    assert preview.json()["data"]["guild"] == {"id": g["id"], "name": "Home", "member_count": 1}
    s.recorder.clear()

    r = await s.http.post(f"{API}/invites/{code}", headers=auth(bob["token"]))
    assert r.status_code == 200, r.text
    joined = r.json()["data"]
    assert joined["id"] == g["id"] and joined["member"]["user_id"] == bob["user"]["id"]
    assert joined["member_count"] == 2
    await s.settle()
    assert s.recorder.names() == ["GUILD_MEMBER_ADD", "GUILD_CREATE"]
    assert s.recorder.of("GUILD_MEMBER_ADD")[0] == joined["member"]
    assert s.recorder.of("GUILD_CREATE")[0] == joined
    assert await member_count(s, g["id"]) == 2

    # accepting again changes nothing and publishes nothing
    s.recorder.clear()
    r = await s.http.post(f"{API}/invites/{code}", headers=auth(bob["token"]))
    assert r.status_code == 200 and r.json()["data"]["member_count"] == 2
    await nothing_published(s)
    async with s.ctx.db.read() as conn:
        assert await conn.scalar(select(invites.c.uses).where(invites.c.code == code)) == 1
    async with s.ctx.db.read() as conn:
        last_active = await conn.scalar(
            select(guild_members.c.last_active_at).where(guild_members.c.user_id == bob["user"]["id"])
        )
    assert last_active is not None


async def test_joiner_sees_only_viewable_channels(server: Server) -> None:
    (alice,), g = await setup(server, "alice")
    h = auth(alice["token"])
    secret = (await server.http.post(f"{API}/guilds/{g['id']}/channels", json={"name": "staff"}, headers=h)).json()
    await server.http.put(
        f"{API}/channels/{secret['data']['id']}/permissions/{g['id']}",
        json={"type": "role", "deny": int(P.Perm.ViewChannel)},
        headers=h,
    )
    bob = await server.register("bob")
    code = await invite_code(server, alice["token"], g["id"])
    server.recorder.clear()
    r = await server.http.post(f"{API}/invites/{code}", headers=auth(bob["token"]))
    assert [c["name"] for c in r.json()["data"]["channels"]] == ["general"]
    await server.settle()
    assert [c["name"] for c in server.recorder.of("GUILD_CREATE")[0]["channels"]] == ["general"]


async def test_used_up_expired_and_unknown_invites(server: Server) -> None:
    (alice,), g = await setup(server, "alice")
    bob, carol = await server.register("bob"), await server.register("carol")
    once = await invite_code(server, alice["token"], g["id"], max_uses=1)
    assert (await server.http.post(f"{API}/invites/{once}", headers=auth(bob["token"]))).status_code == 200
    server.recorder.clear()
    r = await server.http.post(f"{API}/invites/{once}", headers=auth(carol["token"]))
    assert r.status_code == 410 and r.json()["error"]["code"] == "invite_used_up"

    stale = await invite_code(server, alice["token"], g["id"], max_age_seconds=60)
    async with server.ctx.db.begin() as conn:
        await conn.execute(update(invites).where(invites.c.code == stale).values(expires_at=iso(utcnow())))
    r = await server.http.post(f"{API}/invites/{stale}", headers=auth(carol["token"]))
    assert r.status_code == 410 and r.json()["error"]["code"] == "invite_expired"
    assert (await server.http.get(f"{API}/invites/{stale}", headers=auth(carol["token"]))).status_code == 410

    r = await server.http.post(f"{API}/invites/nosuchcd", headers=auth(carol["token"]))
    assert r.status_code == 404
    assert await member_count(server, g["id"]) == 2
    await nothing_published(server)


async def test_banned_user_cannot_accept(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    r = await server.http.put(f"{API}/guilds/{g['id']}/bans/{bob['user']['id']}", json={}, headers=auth(alice["token"]))
    assert r.status_code == 200, r.text
    code = await invite_code(server, alice["token"], g["id"])
    server.recorder.clear()
    r = await server.http.post(f"{API}/invites/{code}", headers=auth(bob["token"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "banned"
    assert await member_count(server, g["id"]) == 1
    await nothing_published(server)


async def test_delete_invite(server: Server) -> None:
    (alice, bob, carol), g = await setup(server, "alice", "bob", "carol")
    code = await invite_code(server, bob["token"], g["id"])
    r = await server.http.delete(f"{API}/invites/{code}", headers=auth(carol["token"]))
    assert r.status_code == 403
    assert (await server.http.delete(f"{API}/invites/{code}", headers=auth(bob["token"]))).status_code == 204
    assert (await server.http.get(f"{API}/invites/{code}", headers=auth(bob["token"]))).status_code == 404
    other = await invite_code(server, bob["token"], g["id"])
    assert (await server.http.delete(f"{API}/invites/{other}", headers=auth(alice["token"]))).status_code == 204
    await nothing_published(server)


async def test_channel_invites_and_public_preview(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    _, other = await setup(server, "zed")
    path = f"{API}/guilds/{g['id']}/invites"
    general = g["channels"][0]["id"]
    r = await server.http.post(path, json={"channel_id": other["channels"][0]["id"]}, headers=auth(alice["token"]))
    assert r.status_code == 404
    await server.http.put(
        f"{API}/channels/{general}/permissions/{bob['user']['id']}",
        json={"type": "user", "deny": int(P.Perm.CreateInvites)},
        headers=auth(alice["token"]),
    )
    server.recorder.clear()
    r = await server.http.post(path, json={"channel_id": general}, headers=auth(bob["token"]))
    assert r.status_code == 403
    r = await server.http.post(path, json={"channel_id": general}, headers=auth(alice["token"]))
    assert r.status_code == 201 and r.json()["data"]["channel_id"] == general
    preview = await server.http.get(f"{API}/invites/{r.json()['data']['code']}")
    assert preview.status_code == 200 and preview.json()["data"]["guild"]["name"] == "Home"
    await nothing_published(server)


async def test_preview_with_counts_says_how_many_are_members_and_online(server: Server) -> None:
    (alice, bob, _carol), g = await setup(server, "alice", "bob", "carol")  # carol never connects
    code = await invite_code(server, alice["token"], g["id"])
    plain = (await server.http.get(f"{API}/invites/{code}")).json()["data"]
    assert "approximate_member_count" not in plain and "approximate_presence_count" not in plain

    async def counts() -> tuple[int, int]:
        r = await server.http.get(f"{API}/invites/{code}", params={"with_counts": "true"})  # signed out
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        return data["approximate_member_count"], data["approximate_presence_count"]

    assert await counts() == (3, 0)
    alice_ws, bob_ws = await Raw.connect(server.url), await Raw.connect(server.url)
    await alice_ws.identify(alice["token"])
    await bob_ws.identify(bob["token"])
    assert await counts() == (3, 2)
    await bob_ws.send(3, {"status": "invisible"})  # op 3: invisible members are not counted
    await alice_ws.wait_for("PRESENCE_UPDATE")
    assert await counts() == (3, 1)
    await alice_ws.close()
    await bob_ws.close()
