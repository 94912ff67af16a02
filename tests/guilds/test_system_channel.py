"""A guild's system channel: chosen by its managers among its text channels, it receives a join
message for every member who joins; deleting it leaves the guild without one."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.guilds.helpers import API, invite_code, make_guild, setup


async def _channel(server: Server, token: str, guild_id: str, name: str, kind: str = "text") -> str:
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels", json={"name": name, "channel_type": kind}, headers=auth(token)
    )
    assert r.status_code == 201, r.text
    channel_id: str = r.json()["data"]["id"]
    return channel_id


async def _set(server: Server, token: str, guild_id: str, channel_id: str | None) -> Any:
    return await server.http.patch(
        f"{API}/guilds/{guild_id}", json={"system_channel_id": channel_id}, headers=auth(token)
    )


async def test_managers_choose_a_text_channel_of_the_guild(any_db_server: Server) -> None:
    s = any_db_server
    (owner, member), guild = await setup(s, "owner", "member")
    gid, token = guild["id"], owner["token"]
    welcome = await _channel(s, token, gid, "welcome")
    voice = await _channel(s, token, gid, "lounge", "voice")
    elsewhere = (await make_guild(s, member["token"], "Elsewhere"))["channels"][0]["id"]
    await s.settle()
    s.recorder.clear()

    # Refused: another guild's channel, a voice channel, an unknown id, a member without Manage Server.
    for channel_id, code in (
        (elsewhere, "unknown_channel"),
        (voice, "invalid_channel_type"),
        ("0" * 26, "unknown_channel"),
    ):
        r = await _set(s, token, gid, channel_id)
        assert r.status_code == 400 and r.json()["error"]["code"] == code, r.text
    r = await _set(s, member["token"], gid, welcome)
    assert r.status_code == 403, r.text
    await s.settle()
    assert s.recorder.names() == []

    r = await _set(s, token, gid, welcome.lower())
    assert r.status_code == 200 and r.json()["data"]["system_channel_id"] == welcome, r.text
    await s.settle()
    assert [g["system_channel_id"] for g in s.recorder.of("GUILD_UPDATE")] == [welcome]
    got = await s.http.get(f"{API}/guilds/{gid}", headers=auth(member["token"]))
    assert got.json()["data"]["system_channel_id"] == welcome

    # null: no system channel (the field is omitted, as every null field of a Guild is).
    s.recorder.clear()
    r = await _set(s, token, gid, None)
    assert r.status_code == 200 and "system_channel_id" not in r.json()["data"], r.text
    await s.settle()
    assert ["system_channel_id" in g for g in s.recorder.of("GUILD_UPDATE")] == [False]


async def test_a_joiner_gets_a_join_message_in_the_system_channel(any_db_server: Server) -> None:
    s = any_db_server
    (owner, member), guild = await setup(s, "owner", "member")
    gid, token = guild["id"], owner["token"]
    general = guild["channels"][0]["id"]
    code = await invite_code(s, token, gid)

    # Without a system channel, joining posts nothing.
    quiet = await s.register("quiet")
    r = await s.http.post(f"{API}/invites/{code}", headers=auth(quiet["token"]))
    assert r.status_code == 200, r.text
    await s.settle()
    assert "MESSAGE_CREATE" not in s.recorder.names()

    assert (await _set(s, token, gid, general)).status_code == 200
    await s.settle()
    s.recorder.clear()
    newcomer = await s.register("newcomer")
    r = await s.http.post(f"{API}/invites/{code}", headers=auth(newcomer["token"]))
    assert r.status_code == 200, r.text
    await s.settle()
    assert s.recorder.names() == ["GUILD_MEMBER_ADD", "GUILD_CREATE", "MESSAGE_CREATE"]
    message = s.recorder.of("MESSAGE_CREATE")[0]
    assert message["channel_id"] == general and message["guild_id"] == gid
    assert (message["message_type"], message["author_id"], message["content"]) == (
        "guild_member_join",
        newcomer["user"]["id"],
        "",
    )
    assert message["author"]["username"] == "newcomer"
    history = await s.http.get(f"{API}/channels/{general}/messages", headers=auth(member["token"]))
    assert [m["id"] for m in history.json()["data"] if m["message_type"] == "guild_member_join"] == [message["id"]]

    # Nobody can edit it, its author included; joining again as a member posts nothing more.
    r = await s.http.patch(
        f"{API}/channels/{general}/messages/{message['id']}", json={"content": "hi"}, headers=auth(newcomer["token"])
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "system_message", r.text
    s.recorder.clear()
    r = await s.http.post(f"{API}/invites/{code}", headers=auth(newcomer["token"]))
    assert r.status_code == 200, r.text
    await s.settle()
    assert s.recorder.names() == []


async def test_deleting_the_system_channel_leaves_none(any_db_server: Server) -> None:
    s = any_db_server
    (owner,), guild = await setup(s, "owner")
    gid, token = guild["id"], owner["token"]
    welcome = await _channel(s, token, gid, "welcome")
    assert (await _set(s, token, gid, welcome)).status_code == 200
    await s.settle()
    s.recorder.clear()

    r = await s.http.delete(f"{API}/channels/{welcome}", headers=auth(token))
    assert r.status_code == 204, r.text
    await s.settle()
    assert s.recorder.names() == ["CHANNEL_DELETE", "GUILD_UPDATE"]
    assert "system_channel_id" not in s.recorder.of("GUILD_UPDATE")[0]
    s.recorder.clear()
    later = await s.register("later")
    r = await s.http.post(f"{API}/invites/{await invite_code(s, token, gid)}", headers=auth(later["token"]))
    assert r.status_code == 200, r.text
    await s.settle()
    assert "MESSAGE_CREATE" not in s.recorder.names()
