"""Guild create, read, edit, transfer, delete and leave."""

from __future__ import annotations

from sqlalchemy import select

from amityvox import permissions as P
from amityvox.db.schema import channels, guild_members, guilds
from tests.conftest import Server, auth
from tests.guilds.helpers import API, count, member_count, nothing_published, setup


async def test_create_guild_publishes_the_full_guild_to_the_creator(any_db_server: Server) -> None:
    s = any_db_server
    alice = await s.register("alice")
    r = await s.http.post(
        f"{API}/guilds", json={"name": "  Home  ", "description": "ours"}, headers=auth(alice["token"])
    )
    assert r.status_code == 201, r.text
    g = r.json()["data"]
    assert g["name"] == "Home" and g["description"] == "ours"
    assert g["owner_id"] == alice["user"]["id"]
    assert g["member_count"] == 1 and g["default_permissions"] == str(P.DEFAULT_EVERYONE)
    assert [(c["name"], c["channel_type"], c["position"]) for c in g["channels"]] == [("general", "text", 0)]
    assert g["roles"] == [] and g["emoji"] == []
    assert g["member"]["user_id"] == alice["user"]["id"] and g["member"]["roles"] == []
    await s.settle()
    assert s.recorder.names() == ["GUILD_CREATE"]
    assert s.recorder.of("GUILD_CREATE")[0] == g
    assert await member_count(s, g["id"]) == 1


async def test_create_guild_rejects_bad_names(server: Server) -> None:
    alice = await server.register("alice")
    server.recorder.clear()
    for body in ({"name": "   "}, {"name": "x" * 101}, {}, {"name": "ok", "extra": 1}):
        r = await server.http.post(f"{API}/guilds", json=body, headers=auth(alice["token"]))
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["code"] in ("validation_error", "invalid_body")
    assert await count(server, select(guilds)) == 0
    await nothing_published(server)
    r = await server.http.post(f"{API}/guilds", json={"name": "x"})
    assert r.status_code == 401


async def test_get_guild_and_channels_are_for_members_only(server: Server) -> None:
    (_alice, bob), g = await setup(server, "alice", "bob")
    carol = await server.register("carol")
    r = await server.http.get(f"{API}/guilds/{g['id']}", headers=auth(bob["token"]))
    assert r.status_code == 200 and r.json()["data"]["member_count"] == 2
    assert "channels" not in r.json()["data"]
    for path in (f"/guilds/{g['id']}", f"/guilds/{g['id']}/channels", "/guilds/01ARZ3NDEKTSV4RRFFQ69G5FAV"):
        r = await server.http.get(API + path, headers=auth(carol["token"]))
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_channel_list_hides_channels_the_member_cannot_view(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    h = auth(alice["token"])
    secret = (await server.http.post(f"{API}/guilds/{g['id']}/channels", json={"name": "secret"}, headers=h)).json()
    secret_id = secret["data"]["id"]
    r = await server.http.put(
        f"{API}/channels/{secret_id}/permissions/{g['id']}",
        json={"type": "role", "allow": 0, "deny": int(P.Perm.ViewChannel)},
        headers=h,
    )
    assert r.status_code == 200, r.text
    names = [c["name"] for c in (await server.http.get(f"{API}/guilds/{g['id']}/channels", headers=h)).json()["data"]]
    assert names == ["general", "secret"]
    r = await server.http.get(f"{API}/guilds/{g['id']}/channels", headers=auth(bob["token"]))
    assert [c["name"] for c in r.json()["data"]] == ["general"]


async def test_patch_guild_needs_manage_guild(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    r = await server.http.patch(f"{API}/guilds/{g['id']}", json={"name": "Mine"}, headers=auth(bob["token"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "missing_permission"
    await nothing_published(server)

    r = await server.http.patch(
        f"{API}/guilds/{g['id']}", json={"name": "Renamed", "nsfw": True}, headers=auth(alice["token"])
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["name"] == "Renamed" and r.json()["data"]["nsfw"] is True
    await server.settle()
    assert server.recorder.names() == ["GUILD_UPDATE"]
    assert server.recorder.of("GUILD_UPDATE")[0] == r.json()["data"]

    server.recorder.clear()
    r = await server.http.patch(f"{API}/guilds/{g['id']}", json={"name": "Renamed"}, headers=auth(alice["token"]))
    assert r.status_code == 200  # unchanged: nothing to publish
    r = await server.http.patch(f"{API}/guilds/{g['id']}", json={"name": ""}, headers=auth(alice["token"]))
    assert r.status_code == 400
    r = await server.http.patch(
        f"{API}/guilds/{g['id']}", json={"default_permissions": 1 << 62}, headers=auth(alice["token"])
    )
    assert r.status_code == 400
    await nothing_published(server)


async def test_ownership_transfer(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    carol = await server.register("carol")
    path = f"{API}/guilds/{g['id']}"
    r = await server.http.patch(path, json={"owner_id": alice["user"]["id"]}, headers=auth(bob["token"]))
    assert r.status_code == 403
    r = await server.http.patch(path, json={"owner_id": carol["user"]["id"]}, headers=auth(alice["token"]))
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_a_member"
    await nothing_published(server)

    r = await server.http.patch(path, json={"owner_id": bob["user"]["id"]}, headers=auth(alice["token"]))
    assert r.status_code == 200 and r.json()["data"]["owner_id"] == bob["user"]["id"]
    await server.settle()
    assert server.recorder.names() == ["GUILD_UPDATE"]
    assert server.recorder.of("GUILD_UPDATE")[0]["owner_id"] == bob["user"]["id"]
    # the old owner is now an ordinary member and may leave
    r = await server.http.post(f"{path}/leave", headers=auth(alice["token"]))
    assert r.status_code == 204


async def test_leave_guild(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    r = await server.http.post(f"{API}/guilds/{g['id']}/leave", headers=auth(alice["token"]))
    assert r.status_code == 400 and r.json()["error"]["code"] == "owner_cannot_leave"
    await nothing_published(server)

    r = await server.http.post(f"{API}/guilds/{g['id']}/leave", headers=auth(bob["token"]))
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.names() == ["GUILD_MEMBER_REMOVE"]
    assert server.recorder.of("GUILD_MEMBER_REMOVE")[0] == {"guild_id": g["id"], "user_id": bob["user"]["id"]}
    assert await member_count(server, g["id"]) == 1
    r = await server.http.post(f"{API}/guilds/{g['id']}/leave", headers=auth(bob["token"]))
    assert r.status_code == 404


async def test_delete_guild_is_for_the_owner(any_db_server: Server) -> None:
    s = any_db_server
    (alice, bob), g = await setup(s, "alice", "bob")
    r = await s.http.delete(f"{API}/guilds/{g['id']}", headers=auth(bob["token"]))
    assert r.status_code == 403
    await nothing_published(s)

    r = await s.http.delete(f"{API}/guilds/{g['id']}", headers=auth(alice["token"]))
    assert r.status_code == 204
    await s.settle()
    assert s.recorder.names() == ["GUILD_DELETE"] and s.recorder.of("GUILD_DELETE") == [{"id": g["id"]}]
    assert await count(s, select(guilds)) == 0
    assert await count(s, select(channels)) == 0
    assert await count(s, select(guild_members)) == 0
    r = await s.http.get(f"{API}/guilds/{g['id']}", headers=auth(alice["token"]))
    assert r.status_code == 404
