"""Administrators list, delete and transfer guilds; members learn of it as from the owner."""

from __future__ import annotations

from tests.admin.helpers import ADMIN, cast, entries
from tests.conftest import Server
from tests.security.test_sessions import online
from tests.voice.helpers import error_code


async def test_deleting_a_guild_reaches_its_members(server: Server) -> None:
    c = await cast(server)
    h = c.admin.headers
    r = await server.http.get(f"{ADMIN}/guilds", params={"q": "hom"}, headers=h)
    assert [g["id"] for g in r.json()["data"]] == [c.room.guild_id]
    assert (await server.http.get(f"{ADMIN}/guilds", params={"q": "nothing"}, headers=h)).json()["data"] == []
    shown = (await server.http.get(f"{ADMIN}/guilds/{c.room.guild_id}", headers=h)).json()["data"]
    assert shown["owner"]["id"] == c.room.owner.id and shown["member_count"] == 2 and shown["channel_count"] >= 1
    ws = await online(server, c.room.member.token)
    assert (await server.http.delete(f"{ADMIN}/guilds/{c.room.guild_id}", headers=h)).status_code == 204
    frame = await ws.wait_for("GUILD_DELETE")
    assert frame["d"]["id"] == c.room.guild_id
    assert (await server.http.get(f"{ADMIN}/guilds/{c.room.guild_id}", headers=h)).status_code == 404
    [entry] = await entries(server, "GUILD_DELETE")
    assert entry["target_id"] == c.room.guild_id and entry["changes"][0]["old"] == "Home"


async def test_transferring_a_guild_to_a_member(server: Server) -> None:
    c = await cast(server)
    h, path = c.admin.headers, f"{ADMIN}/guilds/{c.room.guild_id}/transfer"
    r = await server.http.post(path, json={"owner_id": c.room.outsider.id}, headers=h)
    assert r.status_code == 400 and error_code(r) == "not_a_member"
    ws = await online(server, c.room.member.token)
    r = await server.http.post(path, json={"owner_id": c.room.member.id}, headers=h)
    assert r.status_code == 200 and r.json()["data"]["owner_id"] == c.room.member.id
    frame = await ws.wait_for("GUILD_UPDATE")
    assert frame["d"]["owner_id"] == c.room.member.id
    [entry] = await entries(server, "GUILD_OWNER_TRANSFER")
    assert entry["changes"] == [{"key": "owner_id", "old": c.room.owner.id, "new": c.room.member.id}]
    # The old owner is now free to delete their account.
    assert (await server.http.delete(f"{ADMIN}/users/{c.room.owner.id}", headers=h)).status_code == 204
