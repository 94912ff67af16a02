"""Roles: create, edit, delete, and the role hierarchy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from amityvox import permissions as P
from amityvox.db.schema import member_roles, permission_overwrites, roles
from tests.conftest import Server, auth
from tests.guilds.helpers import API, count, nothing_published, setup

MANAGE_ROLES = int(P.Perm.ManageRoles)


async def _role(server: Server, token: str, guild_id: str, **body: Any) -> dict[str, Any]:
    r = await server.http.post(f"{API}/guilds/{guild_id}/roles", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def _give(server: Server, token: str, guild_id: str, user_id: str, role_id: str) -> None:
    r = await server.http.put(f"{API}/guilds/{guild_id}/members/{user_id}/roles/{role_id}", headers=auth(token))
    assert r.status_code == 200, r.text


async def test_create_update_list_roles(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    role = await _role(server, alice["token"], g["id"], name="Mods", color="#FF8800", hoist=True, position=3)
    assert role["color"] == "#ff8800" and role["hoist"] is True and role["position"] == 3
    assert role["permissions_allow"] == "0" and role["mentionable"] is False
    await server.settle()
    assert server.recorder.names() == ["GUILD_ROLE_CREATE"] and server.recorder.of("GUILD_ROLE_CREATE")[0] == role

    server.recorder.clear()
    r = await server.http.patch(
        f"{API}/guilds/{g['id']}/roles/{role['id']}",
        json={"name": "Moderators", "color": None, "permissions_allow": int(P.Perm.KickMembers)},
        headers=auth(alice["token"]),
    )
    assert r.status_code == 200, r.text
    updated = r.json()["data"]
    assert updated["name"] == "Moderators" and "color" not in updated
    await server.settle()
    assert server.recorder.names() == ["GUILD_ROLE_UPDATE"] and server.recorder.of("GUILD_ROLE_UPDATE")[0] == updated
    listed = await server.http.get(f"{API}/guilds/{g['id']}/roles", headers=auth(bob["token"]))
    assert listed.json()["data"] == [updated]


async def test_role_writes_need_manage_roles_and_valid_input(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    path = f"{API}/guilds/{g['id']}/roles"
    r = await server.http.post(path, json={"name": "x"}, headers=auth(bob["token"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "missing_permission"
    for body in ({"name": ""}, {"color": "orange"}, {"color": 1 << 24}, {"position": 0}, {"permissions_allow": -1}):
        r = await server.http.post(path, json=body, headers=auth(alice["token"]))
        assert r.status_code == 400, (body, r.text)
    assert await count(server, select(roles)) == 0
    await nothing_published(server)


async def test_hierarchy_limits_role_managers(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    a = alice["token"]
    manager = await _role(server, a, g["id"], name="manager", position=5, permissions_allow=MANAGE_ROLES)
    higher = await _role(server, a, g["id"], name="higher", position=9)
    await _give(server, a, g["id"], bob["user"]["id"], manager["id"])
    server.recorder.clear()
    b = auth(bob["token"])
    path = f"{API}/guilds/{g['id']}/roles"
    refused = [
        server.http.post(path, json={"name": "same", "position": 5}, headers=b),
        server.http.post(
            path, json={"name": "grant", "position": 2, "permissions_allow": int(P.Perm.BanMembers)}, headers=b
        ),
        server.http.patch(f"{path}/{higher['id']}", json={"name": "mine"}, headers=b),
        server.http.patch(f"{path}/{manager['id']}", json={"name": "mine"}, headers=b),
        server.http.delete(f"{path}/{higher['id']}", headers=b),
    ]
    for call in refused:
        r = await call
        assert r.status_code == 403, r.text
    await nothing_published(server)

    low = await _role(server, bob["token"], g["id"], name="low", position=2, permissions_allow=MANAGE_ROLES)
    r = await server.http.patch(f"{path}/{low['id']}", json={"position": 5}, headers=b)
    assert r.status_code == 403
    r = await server.http.patch(f"{path}/{low['id']}", json={"position": 4}, headers=b)
    assert r.status_code == 200 and r.json()["data"]["position"] == 4


async def test_delete_role_strips_members_and_overwrites(any_db_server: Server) -> None:
    s = any_db_server
    (alice, bob), g = await setup(s, "alice", "bob")
    role = await _role(s, alice["token"], g["id"], name="gone")
    await _give(s, alice["token"], g["id"], bob["user"]["id"], role["id"])
    ch = g["channels"][0]
    r = await s.http.put(
        f"{API}/channels/{ch['id']}/permissions/{role['id']}",
        json={"type": "role", "allow": int(P.Perm.ManageMessages)},
        headers=auth(alice["token"]),
    )
    assert r.status_code == 200, r.text
    await s.settle()
    s.recorder.clear()
    r = await s.http.delete(f"{API}/guilds/{g['id']}/roles/{role['id']}", headers=auth(bob["token"]))
    assert r.status_code == 403
    await nothing_published(s)

    r = await s.http.delete(f"{API}/guilds/{g['id']}/roles/{role['id']}", headers=auth(alice["token"]))
    assert r.status_code == 204
    await s.settle()
    assert s.recorder.names() == ["GUILD_ROLE_DELETE", "CHANNEL_UPDATE"]
    assert s.recorder.of("GUILD_ROLE_DELETE") == [{"guild_id": g["id"], "role_id": role["id"]}]
    assert s.recorder.of("CHANNEL_UPDATE")[0]["permission_overwrites"] == []
    assert await count(s, select(member_roles)) == 0
    assert await count(s, select(permission_overwrites)) == 0
    member = await s.http.get(f"{API}/guilds/{g['id']}/members/{bob['user']['id']}", headers=auth(bob["token"]))
    assert member.json()["data"]["roles"] == []
    r = await s.http.delete(f"{API}/guilds/{g['id']}/roles/{role['id']}", headers=auth(alice["token"]))
    assert r.status_code == 404
