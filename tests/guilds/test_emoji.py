"""Custom emoji: add, rename, delete, limits and name rules."""

from __future__ import annotations

from sqlalchemy import select

from amityvox.db.schema import custom_emoji
from amityvox.ids import new_id, now_iso
from amityvox.services import emoji
from tests.conftest import Server, auth
from tests.guilds.helpers import API, count, nothing_published, setup


async def test_emoji_lifecycle(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    path = f"{API}/guilds/{g['id']}/emoji"
    r = await server.http.post(path, json={"name": "party_parrot", "animated": True}, headers=auth(alice["token"]))
    assert r.status_code == 201, r.text
    e = r.json()["data"]
    assert e["name"] == "party_parrot" and e["animated"] is True and e["creator_id"] == alice["user"]["id"]
    await server.settle()
    assert server.recorder.of("GUILD_EMOJI_UPDATE") == [e]
    assert (await server.http.get(path, headers=auth(bob["token"]))).json()["data"] == [e]

    server.recorder.clear()
    r = await server.http.patch(f"{path}/{e['id']}", json={"name": "parrot"}, headers=auth(alice["token"]))
    assert r.status_code == 200 and r.json()["data"]["name"] == "parrot"
    assert (await server.http.delete(f"{path}/{e['id']}", headers=auth(alice["token"]))).status_code == 204
    await server.settle()
    assert server.recorder.names() == ["GUILD_EMOJI_UPDATE", "GUILD_EMOJI_DELETE"]
    assert server.recorder.of("GUILD_EMOJI_UPDATE")[0] == r.json()["data"]
    assert server.recorder.of("GUILD_EMOJI_DELETE") == [{"id": e["id"], "guild_id": g["id"]}]
    assert (await server.http.delete(f"{path}/{e['id']}", headers=auth(alice["token"]))).status_code == 404


async def test_emoji_rules(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    path = f"{API}/guilds/{g['id']}/emoji"
    first = (await server.http.post(path, json={"name": "ok_1"}, headers=auth(alice["token"]))).json()["data"]
    second = (await server.http.post(path, json={"name": "ok_2"}, headers=auth(alice["token"]))).json()["data"]
    server.recorder.clear()
    assert (await server.http.post(path, json={"name": "mine"}, headers=auth(bob["token"]))).status_code == 403
    r = await server.http.patch(f"{path}/{first['id']}", json={"name": "x2"}, headers=auth(bob["token"]))
    assert r.status_code == 403
    assert (await server.http.delete(f"{path}/{first['id']}", headers=auth(bob["token"]))).status_code == 403
    for name in ("a", "x" * 33, "has-dash", "spa ce"):
        r = await server.http.post(path, json={"name": name}, headers=auth(alice["token"]))
        assert r.status_code == 400, name
    r = await server.http.post(path, json={"name": "ok_1"}, headers=auth(alice["token"]))
    assert r.status_code == 409
    r = await server.http.patch(f"{path}/{second['id']}", json={"name": "ok_1"}, headers=auth(alice["token"]))
    assert r.status_code == 409
    assert await count(server, select(custom_emoji)) == 2
    await nothing_published(server)


async def test_emoji_limit(server: Server) -> None:
    (alice,), g = await setup(server, "alice")
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            custom_emoji.insert(),
            [
                {"id": new_id(), "guild_id": g["id"], "name": f"e{i:03d}", "animated": False, "created_at": now_iso()}
                for i in range(emoji.MAX_PER_GUILD)
            ],
        )
    r = await server.http.post(f"{API}/guilds/{g['id']}/emoji", json={"name": "one_more"}, headers=auth(alice["token"]))
    assert r.status_code == 400 and r.json()["error"]["code"] == "limit_reached"
    assert await count(server, select(custom_emoji)) == emoji.MAX_PER_GUILD
    await nothing_published(server)
