"""Guild channels: create, edit, delete, and permission overwrites."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from amityvox import permissions as P
from amityvox.db.schema import channel_recipients, channels, permission_overwrites
from amityvox.ids import new_id, now_iso
from amityvox.services.channels import normalize_name
from tests.conftest import Server, auth
from tests.guilds.helpers import API, count, nothing_published, setup

VIEW = int(P.Perm.ViewChannel)


async def _create(server: Server, token: str, guild_id: str, **body: Any) -> dict[str, Any]:
    r = await server.http.post(f"{API}/guilds/{guild_id}/channels", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def test_create_channel_in_a_category(any_db_server: Server) -> None:
    s = any_db_server
    (alice,), g = await setup(s, "alice")
    cat = await _create(s, alice["token"], g["id"], name="Text", channel_type="category")
    ch = await _create(s, alice["token"], g["id"], name="talk", topic="chat", category_id=cat["id"], slowmode_seconds=5)
    assert ch["category_id"] == cat["id"] and ch["topic"] == "chat" and ch["slowmode_seconds"] == 5
    assert ch["guild_id"] == g["id"] and ch["position"] == 2 and ch["permission_overwrites"] == []
    await s.settle()
    assert s.recorder.names() == ["CHANNEL_CREATE", "CHANNEL_CREATE"]
    assert s.recorder.of("CHANNEL_CREATE")[1] == ch


async def test_create_channel_needs_permission_and_valid_input(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    path = f"{API}/guilds/{g['id']}/channels"
    r = await server.http.post(path, json={"name": "mine"}, headers=auth(bob["token"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "missing_permission"
    text = (await server.http.get(f"{API}/guilds/{g['id']}/channels", headers=auth(alice["token"]))).json()["data"][0]
    (zed,), other = await setup(server, "zed")
    other_cat = await _create(server, zed["token"], other["id"], name="c", channel_type="category")
    server.recorder.clear()
    bad = [
        {"name": ""},
        {"name": "x" * 101},
        {"name": "dm", "channel_type": "dm"},
        {"name": "s", "slowmode_seconds": 21601},
        {"name": "c", "category_id": text["id"]},
        {"name": "c", "category_id": other_cat["id"]},
        {"name": "c", "channel_type": "category", "category_id": other_cat["id"]},
    ]
    for body in bad:
        r = await server.http.post(path, json=body, headers=auth(alice["token"]))
        assert r.status_code == 400, (body, r.text)
    assert await count(server, select(channels).where(channels.c.guild_id == g["id"])) == 1
    await nothing_published(server)


# The same cases run against the web client's copy of the rule (tests/web/js/channel-name.test.mjs).
NAME_CASES = json.loads(Path(__file__).with_name("channel_names.json").read_text("utf-8"))


@pytest.mark.parametrize(("typed", "kind", "stored"), NAME_CASES["cases"])
def test_names_are_normalised_like_discord(typed: str, kind: str, stored: str) -> None:
    assert normalize_name(typed, kind) == stored


async def test_text_channel_names_are_stored_normalised(server: Server) -> None:
    (alice,), g = await setup(server, "alice")
    text = await _create(server, alice["token"], g["id"], name="Random Stuff")
    assert text["name"] == "random-stuff"
    voice = await _create(server, alice["token"], g["id"], name="Chill Zone", channel_type="voice")
    assert voice["name"] == "Chill Zone"
    r = await server.http.post(f"{API}/guilds/{g['id']}/channels", json={"name": "?!"}, headers=auth(alice["token"]))
    assert r.status_code == 400 and "letters, digits" in r.json()["error"]["message"]
    owner = auth(alice["token"])
    r = await server.http.patch(f"{API}/channels/{text['id']}", json={"name": "Even More"}, headers=owner)
    assert r.json()["data"]["name"] == "even-more"
    r = await server.http.patch(f"{API}/channels/{voice['id']}", json={"name": "Loud Zone"}, headers=owner)
    assert r.json()["data"]["name"] == "Loud Zone"


async def test_patch_channel_publishes_the_whole_channel(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    general = g["channels"][0]
    cat = await _create(server, alice["token"], g["id"], name="Cat", channel_type="category")
    server.recorder.clear()
    r = await server.http.patch(f"{API}/channels/{general['id']}", json={"topic": "x"}, headers=auth(bob["token"]))
    assert r.status_code == 403
    for body in ({"slowmode_seconds": -1}, {"name": ""}, {"category_id": general["id"]}, {"bogus": 1}):
        r = await server.http.patch(f"{API}/channels/{general['id']}", json=body, headers=auth(alice["token"]))
        assert r.status_code == 400, body
    await nothing_published(server)

    body = {
        "name": "lobby",
        "topic": "hi",
        "slowmode_seconds": 21600,
        "nsfw": True,
        "locked": True,
        "category_id": cat["id"],
        "position": 7,
    }
    r = await server.http.patch(f"{API}/channels/{general['id']}", json=body, headers=auth(alice["token"]))
    assert r.status_code == 200, r.text
    ch = r.json()["data"]
    assert {k: ch[k] for k in body} == body
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_UPDATE"] and server.recorder.of("CHANNEL_UPDATE")[0] == ch
    got = await server.http.get(f"{API}/channels/{general['id']}", headers=auth(bob["token"]))
    assert got.json()["data"] == ch


async def test_delete_channel_and_category(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    cat = await _create(server, alice["token"], g["id"], name="Cat", channel_type="category")
    child = await _create(server, alice["token"], g["id"], name="kid", category_id=cat["id"])
    server.recorder.clear()
    assert (await server.http.delete(f"{API}/channels/{cat['id']}", headers=auth(bob["token"]))).status_code == 403
    await nothing_published(server)

    assert (await server.http.delete(f"{API}/channels/{cat['id']}", headers=auth(alice["token"]))).status_code == 204
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_DELETE", "CHANNEL_UPDATE"]
    assert server.recorder.of("CHANNEL_DELETE") == [{"id": cat["id"], "guild_id": g["id"]}]
    moved = server.recorder.of("CHANNEL_UPDATE")[0]
    assert moved["id"] == child["id"] and "category_id" not in moved
    assert (await server.http.get(f"{API}/channels/{cat['id']}", headers=auth(alice["token"]))).status_code == 404


async def test_overwrites(server: Server) -> None:
    (alice, bob), g = await setup(server, "alice", "bob")
    ch = g["channels"][0]
    path = f"{API}/channels/{ch['id']}/permissions"
    r = await server.http.put(
        f"{path}/{bob['user']['id']}", json={"type": "user", "deny": VIEW}, headers=auth(bob["token"])
    )
    assert r.status_code == 403
    await nothing_published(server)

    r = await server.http.put(
        f"{path}/{bob['user']['id']}", json={"type": "user", "deny": VIEW}, headers=auth(alice["token"])
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["permission_overwrites"] == [
        {"id": bob["user"]["id"], "type": "user", "allow": "0", "deny": str(VIEW)}
    ]
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_UPDATE"]
    assert server.recorder.of("CHANNEL_UPDATE")[0] == r.json()["data"]
    assert (await server.http.get(f"{API}/channels/{ch['id']}", headers=auth(bob["token"]))).status_code == 404

    server.recorder.clear()
    assert (await server.http.delete(f"{path}/{bob['user']['id']}", headers=auth(alice["token"]))).status_code == 204
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_UPDATE"]
    assert server.recorder.of("CHANNEL_UPDATE")[0]["permission_overwrites"] == []
    assert (await server.http.get(f"{API}/channels/{ch['id']}", headers=auth(bob["token"]))).status_code == 200


async def test_bad_overwrites_change_nothing(server: Server) -> None:
    (alice, _bob), g = await setup(server, "alice", "bob")
    stranger = await server.register("stranger")
    ch = g["channels"][0]
    path = f"{API}/channels/{ch['id']}/permissions"
    h = auth(alice["token"])
    cases = [
        (stranger["user"]["id"], {"type": "user", "deny": VIEW}, 404),
        (new_id(), {"type": "role", "deny": VIEW}, 404),
        (g["id"], {"type": "member", "deny": VIEW}, 400),
        (g["id"], {"type": "role", "allow": VIEW, "deny": VIEW}, 400),
        (g["id"], {"type": "role", "allow": 1 << 50}, 400),
    ]
    for target, body, status in cases:
        r = await server.http.put(f"{path}/{target}", json=body, headers=h)
        assert r.status_code == status, (body, r.text)
    assert (await server.http.delete(f"{path}/{g['id']}", headers=h)).status_code == 404
    assert await count(server, select(permission_overwrites)) == 0
    await nothing_published(server)


async def test_private_channels_are_refused(server: Server) -> None:
    (alice,), _ = await setup(server, "alice")
    dm_id = new_id()
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            channels.insert().values(
                id=dm_id,
                channel_type="dm",
                position=0,
                slowmode_seconds=0,
                nsfw=False,
                locked=False,
                archived=False,
                created_at=now_iso(),
            )
        )
        await conn.execute(channel_recipients.insert().values(channel_id=dm_id, user_id=alice["user"]["id"]))
    h = auth(alice["token"])
    assert (await server.http.get(f"{API}/channels/{dm_id}", headers=h)).status_code == 200
    r = await server.http.patch(f"{API}/channels/{dm_id}", json={"topic": "x"}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_a_guild_channel"
    assert (await server.http.delete(f"{API}/channels/{dm_id}", headers=h)).status_code == 400
    r = await server.http.put(f"{API}/channels/{dm_id}/permissions/{dm_id}", json={"type": "role"}, headers=h)
    assert r.status_code == 400
    await nothing_published(server)
