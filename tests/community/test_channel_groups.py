"""Channel groups: create, rename, reorder, fill and delete (ManageChannels); members read."""

from __future__ import annotations

from amityvox.db.schema import channel_group_items, channel_groups
from tests.community.helpers import API, Perm, Room, error_code, grant, nothing_published, room, rows
from tests.conftest import Server


def _url(rm: Room, *parts: str) -> str:
    return "/".join([f"{API}/guilds/{rm.guild_id}/channel-groups", *parts])


async def _channel(server: Server, rm: Room, name: str) -> str:
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/channels", json={"name": name}, headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    channel_id: str = r.json()["data"]["id"]
    return channel_id


async def test_groups_lifecycle_and_refusals(server: Server) -> None:
    rm = await room(server)
    other = await _channel(server, rm, "other")
    await server.settle()
    server.recorder.clear()
    foreign = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

    r = await server.http.post(_url(rm), json={"name": "Fun"}, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert (await server.http.post(_url(rm), json={"name": "Fun"}, headers=rm.outsider.headers)).status_code == 404
    for body in ({"name": ""}, {"name": "x", "channel_ids": [foreign]}, {"name": "x", "position": -1},
                 {"name": "x", "channel_ids": [other, other]}):  # fmt: skip
        assert (await server.http.post(_url(rm), json=body, headers=rm.owner.headers)).status_code == 400, body
    assert await rows(server, channel_groups) == 0
    await nothing_published(server)

    await grant(server, rm, rm.member, Perm.ManageChannels)
    r = await server.http.post(_url(rm), json={"name": "Fun", "channel_ids": [other]}, headers=rm.member.headers)
    assert r.status_code == 201
    group = r.json()["data"]
    assert group["name"] == "Fun" and group["position"] == 0 and group["channel_ids"] == [other]
    await server.settle()
    assert server.recorder.of("CHANNEL_GROUP_CREATE") == [group]
    server.recorder.clear()
    assert (await server.http.get(_url(rm), headers=rm.owner.headers)).json()["data"] == [group]

    r = await server.http.patch(_url(rm, group["id"]), json={"name": "Play", "position": 3}, headers=rm.owner.headers)
    assert r.status_code == 200
    await server.settle()
    assert server.recorder.of("CHANNEL_GROUP_UPDATE") == [{**group, "name": "Play", "position": 3}]
    server.recorder.clear()

    items = _url(rm, group["id"], "channels")
    r = await server.http.put(items, json={"channel_ids": [foreign]}, headers=rm.owner.headers)
    assert r.status_code == 400 and error_code(r) == "unknown_channel"
    await nothing_published(server)
    r = await server.http.put(items, json={"channel_ids": [rm.channel_id, other]}, headers=rm.owner.headers)
    assert r.status_code == 200 and r.json()["data"]["channel_ids"] == [rm.channel_id, other]
    await server.settle()
    assert server.recorder.of("CHANNEL_GROUP_ITEMS_UPDATE") == [
        {"group_id": group["id"], "guild_id": rm.guild_id, "channel_ids": [rm.channel_id, other]}
    ]
    server.recorder.clear()

    # A deleted channel drops out of its group.
    assert (await server.http.delete(f"{API}/channels/{other}", headers=rm.owner.headers)).status_code in (200, 204)
    listed = (await server.http.get(_url(rm), headers=rm.member.headers)).json()["data"]
    assert listed[0]["channel_ids"] == [rm.channel_id]
    server.recorder.clear()

    # The plain outsider and a member without the permission cannot delete.
    r = await server.http.delete(_url(rm, group["id"]), headers=rm.outsider.headers)
    assert r.status_code == 404
    assert (await server.http.delete(_url(rm, group["id"]), headers=rm.owner.headers)).status_code == 204
    await server.settle()
    assert server.recorder.of("CHANNEL_GROUP_DELETE") == [{"id": group["id"], "guild_id": rm.guild_id}]
    assert await rows(server, channel_groups) == 0 and await rows(server, channel_group_items) == 0
    assert (
        await server.http.patch(_url(rm, group["id"]), json={"name": "x"}, headers=rm.owner.headers)
    ).status_code == 404
