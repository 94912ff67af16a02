"""End to end over real WebSockets: calls, voice, op 4, sessions ending, notifications, announcements."""

from __future__ import annotations

from typing import Any

from amityvox.permissions import Perm
from amityvox.services import auth as auth_service
from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.messages.helpers import Person, person, room
from tests.voice.helpers import API, channel, deny, dm_pair, state_of, voice_post

VOICE_EVENTS = {
    "VOICE_STATE_UPDATE",
    "VOICE_SERVER_UPDATE",
    "CALL_RING",
    "SCREEN_SHARE_START",
    "SCREEN_SHARE_UPDATE",
    "SCREEN_SHARE_END",
}


async def _online(server: Server, *people: Person) -> list[Raw]:
    out = []
    for p in people:
        ws = await Raw.connect(server.url)
        await ws.identify(p.token)
        out.append(ws)
    return out


def _names(frames: list[dict[str, Any]]) -> set[str]:
    return {f["t"] for f in frames}


async def test_a_dm_call_reaches_its_recipients_only(server: Server) -> None:
    alice, bob, carol, dm = await dm_pair(server)
    a_ws, b_ws, c_ws = await _online(server, alice, bob, carol)
    assert (await voice_post(server, alice, f"{dm}/join")).status_code == 200
    ring = await b_ws.wait_for("CALL_RING")
    assert ring["d"]["caller_id"] == alice.id and ring["d"]["channel_id"] == dm
    state = await b_ws.wait_for("VOICE_STATE_UPDATE")
    assert state["d"]["user_id"] == alice.id and state["d"]["channel_id"] == dm
    await a_ws.wait_for("VOICE_STATE_UPDATE", check=lambda d: d["user_id"] == alice.id)
    server_update = await a_ws.wait_for("VOICE_SERVER_UPDATE")
    assert server_update["d"]["channel_id"] == dm
    assert "CALL_RING" not in _names(a_ws.dispatches)  # the caller does not ring themself

    assert (await voice_post(server, bob, f"{dm}/join")).status_code == 200
    await a_ws.wait_for("VOICE_STATE_UPDATE", check=lambda d: d["user_id"] == bob.id)
    assert (await voice_post(server, bob, f"{dm}/screen-share", {"resolution": "1280x720"})).status_code == 201
    share = await a_ws.wait_for("SCREEN_SHARE_START")
    assert share["d"]["user_id"] == bob.id and share["d"]["resolution"] == "1280x720"
    assert (await server.http.delete(f"{API}/voice/{dm}/screen-share", headers=bob.headers)).status_code == 204
    await a_ws.wait_for("SCREEN_SHARE_END")
    await b_ws.drain()
    assert [f["t"] for f in b_ws.dispatches].count("CALL_RING") == 1  # answering does not ring again
    assert not _names(await c_ws.drain()) & VOICE_EVENTS
    for ws in (a_ws, b_ws, c_ws):
        await ws.close()


async def test_guild_voice_reaches_viewers_of_that_channel_only(server: Server) -> None:
    r = await room(server)
    hidden = await person(server, "hidden")
    code = (await server.http.post(f"{API}/guilds/{r.guild_id}/invites", json={}, headers=r.owner.headers)).json()
    assert (await server.http.post(f"{API}/invites/{code['data']['code']}", headers=hidden.headers)).status_code == 200
    lounge = await channel(server, r.owner, r.guild_id, "Lounge")
    await deny(server, r.owner, lounge, hidden.id, int(Perm.ViewChannel))
    await server.settle()
    o_ws, h_ws, m_ws = await _online(server, r.owner, hidden, r.member)

    assert (await voice_post(server, r.member, f"{lounge}/join")).status_code == 200
    joined = await o_ws.wait_for("VOICE_STATE_UPDATE")
    assert joined["d"]["user_id"] == r.member.id and joined["d"]["channel_id"] == lounge
    assert (await m_ws.wait_for("VOICE_SERVER_UPDATE"))["d"]["user_id"] == r.member.id
    assert (await voice_post(server, r.member, f"{lounge}/leave")).status_code == 204
    left = await o_ws.wait_for("VOICE_STATE_UPDATE")
    assert left["d"]["user_id"] == r.member.id and "channel_id" not in left["d"]
    await m_ws.wait_for("VOICE_STATE_UPDATE", check=lambda d: "channel_id" not in d)
    assert "VOICE_SERVER_UPDATE" not in _names(o_ws.dispatches)  # the token goes to the joiner only
    assert not _names(await h_ws.drain()) & VOICE_EVENTS
    for ws in (o_ws, h_ws, m_ws):
        await ws.close()


async def test_op4_joins_and_a_session_ending_leaves(server: Server) -> None:
    r = await room(server)
    lounge = await channel(server, r.owner, r.guild_id, "Lounge")
    await deny(server, r.owner, r.channel_id, r.member.id, int(Perm.Connect))
    (o_ws,) = await _online(server, r.owner)
    m_ws = await Raw.connect(server.url)
    await m_ws.identify(r.member.token)

    # Bad values are ignored (no state, no close); a bad shape closes with 4002.
    await m_ws.send(4, {"channel_id": r.channel_id, "self_mute": False, "self_deaf": False})
    await m_ws.send(4, {"channel_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "self_mute": False, "self_deaf": False})
    await m_ws.send(4, {"guild_id": r.guild_id, "channel_id": lounge, "self_mute": True, "self_deaf": False})
    server_update = await m_ws.wait_for("VOICE_SERVER_UPDATE")
    assert server_update["d"]["channel_id"] == lounge and server_update["d"]["guild_id"] == r.guild_id
    joined = await o_ws.wait_for("VOICE_STATE_UPDATE")
    assert joined["d"]["session_id"] == m_ws.session_id and joined["d"]["self_mute"] is True
    row = await state_of(server, r.member.id)
    assert row is not None and row["channel_id"] == lounge and row["session_id"] == m_ws.session_id

    # Self-deafening in place: one update, no new token.
    await m_ws.send(4, {"guild_id": r.guild_id, "channel_id": lounge, "self_mute": True, "self_deaf": True})
    update = await o_ws.wait_for("VOICE_STATE_UPDATE")
    assert update["d"]["self_deaf"] is True and update["d"]["channel_id"] == lounge

    # A new session sees the state in READY.
    late = await Raw.connect(server.url)
    ready = await late.identify(r.owner.token)
    assert [(s["user_id"], s["channel_id"]) for s in ready["voice_states"]] == [(r.member.id, lounge)]
    await late.close()

    await m_ws.close()  # a clean close ends the session, and with it the voice state
    left = await o_ws.wait_for("VOICE_STATE_UPDATE")
    assert left["d"]["user_id"] == r.member.id and "channel_id" not in left["d"]
    assert await state_of(server, r.member.id) is None

    bad = await Raw.connect(server.url)
    await bad.identify(r.member.token)
    await bad.send(4, {"channel_id": 5, "self_mute": False, "self_deaf": False})
    assert await bad.closed_with() == 4002
    await o_ws.close()


async def test_mention_notification_and_announcement_delivery(server: Server) -> None:
    r = await room(server)
    third = await person(server, "third")
    code = (await server.http.post(f"{API}/guilds/{r.guild_id}/invites", json={}, headers=r.owner.headers)).json()
    assert (await server.http.post(f"{API}/invites/{code['data']['code']}", headers=third.headers)).status_code == 200
    await server.settle()
    m_ws, t_ws, x_ws = await _online(server, r.member, third, r.outsider)
    msg = await server.http.post(
        f"{API}/channels/{r.channel_id}/messages", json={"content": f"<@{r.member.id}> look"}, headers=r.owner.headers
    )
    assert msg.status_code == 201
    note = await m_ws.wait_for("NOTIFICATION_CREATE")
    assert note["d"]["message_id"] == msg.json()["data"]["id"] and note["d"]["user_id"] == r.member.id
    assert "NOTIFICATION_CREATE" not in _names(await t_ws.drain())

    assert await auth_service.set_admin(server.ctx, "owner")
    body = {"title": "Hello", "content": "Welcome to the instance", "severity": "info"}
    assert (await server.http.post(f"{API}/admin/announcements", json=body, headers=r.owner.headers)).status_code == 201
    for ws in (m_ws, t_ws, x_ws):
        assert (await ws.wait_for("ANNOUNCEMENT_CREATE"))["d"]["title"] == "Hello"
        await ws.close()
