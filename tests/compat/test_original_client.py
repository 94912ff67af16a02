"""What AmityVox's original web client sends and reads, checked against this server.

Each test follows one of its flows and asserts the fields it reads, in the shape it reads them.
"""

from __future__ import annotations

from urllib.parse import quote

from amityvox.permissions import ALL, Perm
from tests.community.helpers import grant
from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.messages.helpers import dm, room, say

API = "/api/v1"


async def test_my_permissions_are_a_decimal_string(server: Server) -> None:
    rm = await room(server)
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/members/@me/permissions", headers=rm.owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"permissions": str(ALL)}  # above 2^53: a number would lose bits in JavaScript
    await grant(server, rm, rm.member, Perm.ManageChannels)
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/members/@me/permissions", headers=rm.member.headers)
    perms = int(r.json()["data"]["permissions"])
    assert perms & Perm.ManageChannels and not perms & Perm.Administrator
    r = await server.http.get(
        f"{API}/guilds/{rm.guild_id}/members/@me/permissions",
        params={"channel_id": rm.channel_id},
        headers=rm.member.headers,
    )
    assert int(r.json()["data"]["permissions"]) & Perm.ViewChannel
    r = await server.http.get(f"{API}/guilds/{rm.guild_id}/members/@me/permissions", headers=rm.outsider.headers)
    assert r.status_code == 404


async def test_reaction_events_carry_the_whole_list(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    watcher = await Raw.connect(server.url)
    await watcher.identify(rm.owner.token)
    url = f"{API}/channels/{rm.channel_id}/messages/{msg['id']}/reactions"
    for emoji, who in (("👍", rm.owner), ("🎉", rm.member), ("👍", rm.member)):
        assert (await server.http.put(f"{url}/{quote(emoji)}", headers=who.headers)).status_code == 204
    frames = [await watcher.wait_for("MESSAGE_REACTION_ADD") for _ in range(3)]
    assert frames[-1]["d"]["reactions"] == [{"emoji": "👍", "count": 2}, {"emoji": "🎉", "count": 1}]
    assert (await server.http.delete(f"{url}/{quote('🎉')}", headers=rm.member.headers)).status_code == 204
    removed = await watcher.wait_for("MESSAGE_REACTION_REMOVE")
    assert removed["d"]["reactions"] == [{"emoji": "👍", "count": 2}]
    await watcher.close()


async def test_dnd_is_busy_over_rest_and_the_gateway(server: Server) -> None:
    rm = await room(server)
    r = await server.http.patch(f"{API}/users/@me", json={"status_presence": "dnd"}, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status_presence"] == "busy"
    watcher = await Raw.connect(server.url)
    await watcher.identify(rm.owner.token)
    member = await Raw.connect(server.url)
    await member.identify(rm.member.token)
    await member.send(3, {"status": "dnd"})
    update = await watcher.wait_for("PRESENCE_UPDATE", check=lambda d: d["user_id"] == rm.member.id)
    assert update["d"]["status"] == "busy"
    await member.send(3, {"status": "sleepy"})
    assert await member.closed_with() == 4002
    await watcher.close()


async def test_invite_preview_has_the_guild_at_the_top_level_too(server: Server) -> None:
    rm = await room(server)
    r = await server.http.post(f"{API}/guilds/{rm.guild_id}/invites", json={}, headers=rm.owner.headers)
    code = r.json()["data"]["code"]
    preview = (await server.http.get(f"{API}/invites/{code}", headers=rm.outsider.headers)).json()["data"]
    assert preview["guild_id"] == rm.guild_id
    assert preview["guild_name"] == preview["guild"]["name"] == "Home"
    assert preview["member_count"] == preview["guild"]["member_count"] == 2
    assert preview["creator_id"] == preview["inviter_id"] == rm.owner.id


async def test_permission_bitfields_are_decimal_strings_in_rest_and_events(server: Server) -> None:
    rm = await room(server)
    watcher = await Raw.connect(server.url)
    await watcher.identify(rm.member.token)
    admin = str(int(Perm.Administrator))  # 2^63: a JSON number would lose it in JavaScript
    r = await server.http.post(
        f"{API}/guilds/{rm.guild_id}/roles",
        json={"name": "admins", "permissions_allow": admin},
        headers=rm.owner.headers,
    )
    assert r.status_code == 201, r.text
    role = r.json()["data"]
    assert (role["permissions_allow"], role["permissions_deny"]) == (admin, "0")
    created = await watcher.wait_for("GUILD_ROLE_CREATE")
    assert created["d"]["permissions_allow"] == admin
    r = await server.http.put(
        f"{API}/channels/{rm.channel_id}/permissions/{role['id']}",
        json={"type": "role", "allow": "0", "deny": str(int(Perm.AddReactions))},
        headers=rm.owner.headers,
    )
    assert r.status_code == 200, r.text
    [overwrite] = r.json()["data"]["permission_overwrites"]
    assert overwrite["deny"] == str(int(Perm.AddReactions)) and overwrite["allow"] == "0"
    updated = await watcher.wait_for("CHANNEL_UPDATE")
    assert updated["d"]["permission_overwrites"] == [overwrite]
    guild = (await server.http.get(f"{API}/guilds/{rm.guild_id}", headers=rm.member.headers)).json()["data"]
    assert isinstance(guild["default_permissions"], str) and int(guild["default_permissions"]) & Perm.ViewChannel
    await watcher.close()


async def test_startup_lists_answer_in_the_shapes_it_reads(server: Server) -> None:
    """What it loads after READY: blocked users, hidden threads, profile links, channel mutes."""
    rm = await room(server)
    assert (await server.http.put(f"{API}/users/{rm.outsider.id}/block", headers=rm.member.headers)).status_code == 201
    blocked = (await server.http.get(f"{API}/users/@me/blocked", headers=rm.member.headers)).json()["data"]
    assert [(b["target_id"], b["type"]) for b in blocked] == [(rm.outsider.id, "blocked")]
    assert (await server.http.get(f"{API}/users/@me/blocked", headers=rm.owner.headers)).json()["data"] == []
    for path in ("/users/@me/hidden-threads", "/users/@me/links", f"/users/{rm.owner.id}/links"):
        r = await server.http.get(f"{API}{path}", headers=rm.member.headers)
        assert r.status_code == 200 and r.json()["data"] == [], (path, r.text)
    nobody = f"{API}/users/01J0000000000000000000NONE/links"
    assert (await server.http.get(nobody, headers=rm.member.headers)).status_code == 404
    mutes = (await server.http.get(f"{API}/notifications/preferences/channels", headers=rm.member.headers)).json()
    assert mutes["data"] == []


async def test_onboarding_status_and_completion_by_prompt(server: Server) -> None:
    rm = await room(server)
    url = f"{API}/guilds/{rm.guild_id}/onboarding"
    status = await server.http.get(f"{url}/status", headers=rm.member.headers)
    assert status.status_code == 200 and status.json()["data"]["completed"] is False
    assert (await server.http.get(f"{url}/status", headers=rm.outsider.headers)).status_code == 404
    config = {"enabled": True, "prompts": [{"title": "Why?", "options": [{"label": "fun", "role_ids": []}]}]}
    saved = (await server.http.put(url, json=config, headers=rm.owner.headers)).json()["data"]
    prompt = saved["prompts"][0]
    body = {"prompt_responses": {prompt["id"]: [prompt["options"][0]["id"]]}}
    r = await server.http.post(f"{url}/complete", json=body, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    assert (await server.http.get(f"{url}/status", headers=rm.member.headers)).json()["data"]["completed"] is True
    both = {"option_ids": [], "prompt_responses": {}}
    assert (await server.http.post(f"{url}/complete", json=both, headers=rm.member.headers)).status_code == 400


async def test_voice_states_carry_action_muted_and_deafened(server: Server) -> None:
    rm = await room(server)
    r = await server.http.post(
        f"{API}/guilds/{rm.guild_id}/channels",
        json={"name": "Lounge", "channel_type": "voice"},
        headers=rm.owner.headers,
    )
    lounge = r.json()["data"]["id"]
    watcher = await Raw.connect(server.url)
    await watcher.identify(rm.owner.token)
    r = await server.http.post(f"{API}/voice/{lounge}/join", json={"self_mute": True}, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    joined = (await watcher.wait_for("VOICE_STATE_UPDATE"))["d"]
    assert (joined["action"], joined["channel_id"], joined["user_id"]) == ("join", lounge, rm.member.id)
    assert (joined["muted"], joined["deafened"], joined["username"]) == (True, False, "member")
    r = await server.http.post(f"{API}/voice/{lounge}/members/{rm.member.id}/deafen", json={"deaf": True},
                               headers=rm.owner.headers)  # fmt: skip
    assert r.status_code in (200, 204), r.text
    updated = (await watcher.wait_for("VOICE_STATE_UPDATE"))["d"]
    assert (updated["action"], updated["muted"], updated["deafened"]) == ("update", True, True)
    assert (await server.http.post(f"{API}/voice/{lounge}/leave", headers=rm.member.headers)).status_code == 204
    left = (await watcher.wait_for("VOICE_STATE_UPDATE"))["d"]
    # Our leave has no channel_id (SPEC §6); the original client reads the channel from it, see
    # docs/compatibility.md.
    assert left["action"] == "leave" and "channel_id" not in left
    await watcher.close()


async def test_call_ring_names_the_caller_flat_too(server: Server) -> None:
    rm = await room(server)
    channel_id = await dm(server, rm.owner, rm.member)
    callee = await Raw.connect(server.url)
    await callee.identify(rm.member.token)
    assert (await server.http.post(f"{API}/voice/{channel_id}/join", headers=rm.owner.headers)).status_code == 200
    ring = (await callee.wait_for("CALL_RING"))["d"]
    assert (ring["channel_id"], ring["caller_id"], ring["channel_type"]) == (channel_id, rm.owner.id, "dm")
    assert ring["caller_name"] == ring["caller"]["username"] == "owner"
    await callee.close()


async def test_a_location_share_end_follows_its_stop(server: Server) -> None:
    rm = await room(server)
    watcher = await Raw.connect(server.url)
    await watcher.identify(rm.owner.token)
    url = f"{API}/channels/{rm.channel_id}/experimental/location"
    r = await server.http.post(url, json={"latitude": 1.5, "longitude": 2.5, "live": False}, headers=rm.member.headers)
    assert r.status_code == 201, r.text
    share_id = r.json()["data"]["id"]
    assert (await server.http.delete(f"{url}/{share_id}", headers=rm.member.headers)).status_code == 204
    stop = await watcher.wait_for("LOCATION_SHARE_STOP")
    end = await watcher.recv()
    assert (end["t"], end["d"], end["s"]) == ("LOCATION_SHARE_END", stop["d"], stop["s"] + 1)
    assert stop["d"] == {"id": share_id, "user_id": rm.member.id, "channel_id": rm.channel_id}
    await watcher.close()
