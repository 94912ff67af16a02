"""Members: listing, nicknames, roles, timeouts, voice flags and kicks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from amityvox import permissions as P
from amityvox.ids import iso, utcnow
from tests.conftest import Server, auth
from tests.guilds.helpers import API, member_count, nothing_published, setup


async def _role(server: Server, token: str, guild_id: str, **body: Any) -> dict[str, Any]:
    r = await server.http.post(f"{API}/guilds/{guild_id}/roles", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def test_member_list_pages_by_user_id(server: Server) -> None:
    people, g = await setup(server, "alice", "bob", "carol", "dave", "erin")
    h = auth(people[1]["token"])
    ids = sorted(p["user"]["id"] for p in people)
    r = await server.http.get(f"{API}/guilds/{g['id']}/members", params={"limit": 2}, headers=h)
    first = r.json()["data"]
    assert [m["user_id"] for m in first] == ids[:2]
    assert first[0]["user"]["id"] == ids[0] and first[0]["roles"] == []
    r = await server.http.get(f"{API}/guilds/{g['id']}/members", params={"after": ids[1], "limit": 1000}, headers=h)
    assert [m["user_id"] for m in r.json()["data"]] == ids[2:]
    for bad in ({"limit": 0}, {"limit": 1001}, {"limit": "x"}):
        r = await server.http.get(f"{API}/guilds/{g['id']}/members", params=bad, headers=h)
        assert r.status_code == 400, bad
    stranger = await server.register("stranger")
    r = await server.http.get(f"{API}/guilds/{g['id']}/members", headers=auth(stranger["token"]))
    assert r.status_code == 404
    r = await server.http.get(f"{API}/guilds/{g['id']}/members/{stranger['user']['id']}", headers=h)
    assert r.status_code == 404


async def test_nicknames(server: Server) -> None:
    (alice, bob, carol), g = await setup(server, "alice", "bob", "carol")
    path = f"{API}/guilds/{g['id']}/members"
    r = await server.http.patch(f"{path}/{carol['user']['id']}", json={"nickname": "c"}, headers=auth(bob["token"]))
    assert r.status_code == 403
    r = await server.http.patch(f"{path}/{bob['user']['id']}", json={"nickname": "x" * 33}, headers=auth(bob["token"]))
    assert r.status_code == 400
    await nothing_published(server)

    r = await server.http.patch(f"{path}/{bob['user']['id']}", json={"nickname": "Bobby"}, headers=auth(bob["token"]))
    assert r.status_code == 200 and r.json()["data"]["nickname"] == "Bobby"
    r = await server.http.patch(f"{path}/{carol['user']['id']}", json={"nickname": "Cee"}, headers=auth(alice["token"]))
    assert r.status_code == 200
    await server.settle()
    updates = server.recorder.of("GUILD_MEMBER_UPDATE")
    assert server.recorder.names() == ["GUILD_MEMBER_UPDATE"] * 2
    assert updates[0]["nickname"] == "Bobby" and updates[1]["nickname"] == "Cee"
    assert updates[1]["user"]["username"] == "carol"


async def test_roles_through_patch_and_single_role_endpoints(any_db_server: Server) -> None:
    s = any_db_server
    (alice, bob), g = await setup(s, "alice", "bob")
    r1 = await _role(s, alice["token"], g["id"], name="one")
    r2 = await _role(s, alice["token"], g["id"], name="two")
    s.recorder.clear()
    member_path = f"{API}/guilds/{g['id']}/members/{bob['user']['id']}"
    r = await s.http.put(f"{member_path}/roles/{r1['id']}", headers=auth(bob["token"]))
    assert r.status_code == 403
    r = await s.http.patch(member_path, json={"roles": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}, headers=auth(alice["token"]))
    assert r.status_code == 404
    await nothing_published(s)

    r = await s.http.patch(member_path, json={"roles": [r1["id"], r2["id"]]}, headers=auth(alice["token"]))
    assert r.status_code == 200 and r.json()["data"]["roles"] == sorted([r1["id"], r2["id"]])
    r = await s.http.delete(f"{member_path}/roles/{r1['id']}", headers=auth(alice["token"]))
    assert r.status_code == 200 and r.json()["data"]["roles"] == [r2["id"]]
    # already absent: nothing changes, nothing is published
    r = await s.http.delete(f"{member_path}/roles/{r1['id']}", headers=auth(alice["token"]))
    assert r.status_code == 200
    r = await s.http.put(f"{member_path}/roles/{r1['id']}", headers=auth(alice["token"]))
    assert r.status_code == 200 and r.json()["data"]["roles"] == sorted([r1["id"], r2["id"]])
    await s.settle()
    assert s.recorder.names() == ["GUILD_MEMBER_UPDATE"] * 3
    assert [e["roles"] for e in s.recorder.of("GUILD_MEMBER_UPDATE")] == [
        sorted([r1["id"], r2["id"]]),
        [r2["id"]],
        sorted([r1["id"], r2["id"]]),
    ]


async def test_assigning_roles_respects_the_hierarchy(server: Server) -> None:
    (alice, bob, carol), g = await setup(server, "alice", "bob", "carol")
    helper = await _role(
        server, alice["token"], g["id"], name="helper", position=4, permissions_allow=int(P.Perm.AssignRoles)
    )
    equal = await _role(server, alice["token"], g["id"], name="equal", position=4)
    low = await _role(server, alice["token"], g["id"], name="low", position=2)
    r = await server.http.put(
        f"{API}/guilds/{g['id']}/members/{bob['user']['id']}/roles/{helper['id']}", headers=auth(alice["token"])
    )
    assert r.status_code == 200
    server.recorder.clear()
    carol_path = f"{API}/guilds/{g['id']}/members/{carol['user']['id']}"
    r = await server.http.put(f"{carol_path}/roles/{equal['id']}", headers=auth(bob["token"]))
    assert r.status_code == 403
    r = await server.http.patch(f"{carol_path}", json={"roles": [equal["id"]]}, headers=auth(bob["token"]))
    assert r.status_code == 403
    await nothing_published(server)
    r = await server.http.put(f"{carol_path}/roles/{low['id']}", headers=auth(bob["token"]))
    assert r.status_code == 200 and r.json()["data"]["roles"] == [low["id"]]


async def test_timeout_and_voice_flags(server: Server) -> None:
    (alice, bob, carol), g = await setup(server, "alice", "bob", "carol")
    path = f"{API}/guilds/{g['id']}/members/{bob['user']['id']}"
    until = iso(utcnow() + timedelta(hours=1))
    r = await server.http.patch(path, json={"timeout_until": until}, headers=auth(carol["token"]))
    assert r.status_code == 403
    r = await server.http.patch(path, json={"mute": True}, headers=auth(carol["token"]))
    assert r.status_code == 403
    for bad in (iso(utcnow() - timedelta(minutes=1)), iso(utcnow() + timedelta(days=29)), "tomorrow"):
        r = await server.http.patch(path, json={"timeout_until": bad}, headers=auth(alice["token"]))
        assert r.status_code == 400, bad
    r = await server.http.patch(
        f"{API}/guilds/{g['id']}/members/{alice['user']['id']}",
        json={"timeout_until": until},
        headers=auth(alice["token"]),
    )
    assert r.status_code == 400
    await nothing_published(server)

    r = await server.http.patch(
        path, json={"timeout_until": until, "mute": True, "deaf": True}, headers=auth(alice["token"])
    )
    assert r.status_code == 200, r.text
    m = r.json()["data"]
    assert m["timeout_until"] == until and m["mute"] is True and m["deaf"] is True
    await server.settle()
    assert server.recorder.of("GUILD_MEMBER_UPDATE") == [m]
    # a member in timeout cannot create invites
    r = await server.http.post(f"{API}/guilds/{g['id']}/invites", json={}, headers=auth(bob["token"]))
    assert r.status_code == 403
    server.recorder.clear()
    r = await server.http.patch(path, json={"timeout_until": None}, headers=auth(alice["token"]))
    assert r.status_code == 200 and "timeout_until" not in r.json()["data"]
    await server.settle()
    assert "timeout_until" not in server.recorder.of("GUILD_MEMBER_UPDATE")[0]


async def test_kick(any_db_server: Server) -> None:
    s = any_db_server
    (alice, bob, carol), g = await setup(s, "alice", "bob", "carol")
    kicker = await _role(
        s, alice["token"], g["id"], name="kicker", position=3, permissions_allow=int(P.Perm.KickMembers)
    )
    r = await s.http.put(
        f"{API}/guilds/{g['id']}/members/{bob['user']['id']}/roles/{kicker['id']}", headers=auth(alice["token"])
    )
    assert r.status_code == 200
    s.recorder.clear()
    path = f"{API}/guilds/{g['id']}/members"
    assert (await s.http.delete(f"{path}/{bob['user']['id']}", headers=auth(carol["token"]))).status_code == 403
    assert (await s.http.delete(f"{path}/{alice['user']['id']}", headers=auth(bob["token"]))).status_code == 403
    assert (await s.http.delete(f"{path}/{bob['user']['id']}", headers=auth(bob["token"]))).status_code == 400
    await nothing_published(s)

    assert (await s.http.delete(f"{path}/{carol['user']['id']}", headers=auth(bob["token"]))).status_code == 204
    await s.settle()
    assert s.recorder.names() == ["GUILD_MEMBER_REMOVE"]
    assert s.recorder.of("GUILD_MEMBER_REMOVE") == [{"guild_id": g["id"], "user_id": carol["user"]["id"]}]
    assert await member_count(s, g["id"]) == 2
    assert (await s.http.get(f"{API}/guilds/{g['id']}", headers=auth(carol["token"]))).status_code == 404
    assert (await s.http.delete(f"{path}/{carol['user']['id']}", headers=auth(bob["token"]))).status_code == 404
