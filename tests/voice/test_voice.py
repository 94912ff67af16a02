"""Voice states over REST: join, leave, states, server mute/deafen and move, in guild voice channels."""

from __future__ import annotations

from livekit import api as livekit

from amityvox.events import complete
from amityvox.permissions import Perm
from tests.conftest import Server, auth
from tests.voice.helpers import (
    API,
    deny,
    error_code,
    hall,
    join,
    nothing_published,
    state_count,
    state_of,
    voice_post,
)


async def test_join_publishes_the_state_and_a_livekit_token(server: Server) -> None:
    h = await hall(server)
    r = await voice_post(server, h.member, f"{h.voice_id}/join", {"self_mute": True})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    state = data["voice_state"]
    assert state["channel_id"] == h.voice_id and state["guild_id"] == h.guild_id
    assert state["self_mute"] is True and state["self_deaf"] is False and state["self_stream"] is False
    assert state["user"]["id"] == h.member.id
    claims = livekit.TokenVerifier(server.ctx.settings.livekit_api_key, server.ctx.settings.livekit_api_secret).verify(
        data["token"]
    )
    assert claims.identity == h.member.id and claims.video is not None and claims.video.room == h.voice_id
    assert data["endpoint"] == server.ctx.settings.livekit_url
    await server.settle()
    assert server.recorder.names() == ["VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE"]
    # The event is the state plus what the original web client reads (events/aliases.py).
    assert server.recorder.of("VOICE_STATE_UPDATE") == [complete("VOICE_STATE_UPDATE", {**state, "action": "join"})]
    assert server.recorder.of("VOICE_SERVER_UPDATE") == [
        {
            "user_id": h.member.id,
            "guild_id": h.guild_id,
            "channel_id": h.voice_id,
            "endpoint": data["endpoint"],
            "token": data["token"],
            "media": "mesh",
            "ice_servers": [],
            "max_peers": 6,
        }
    ]
    r = await server.http.get(f"{API}/voice/{h.voice_id}/states", headers=h.owner.headers)
    assert r.status_code == 200 and r.json()["data"] == [state]
    r = await server.http.get(f"{API}/voice/{h.voice_id}/states", headers=h.outsider.headers)
    assert r.status_code == 404


async def test_join_refusals_write_and_publish_nothing(server: Server) -> None:
    h = await hall(server)
    await deny(server, h.owner, h.other_voice_id, h.member.id, int(Perm.Connect))
    await server.settle()
    server.recorder.clear()
    cases = [
        (h.member, h.text_id, None, 400, "invalid_channel_type"),
        (h.outsider, h.voice_id, None, 404, "not_found"),
        (h.member, h.other_voice_id, None, 403, "missing_permission"),
        (h.member, "01ARZ3NDEKTSV4RRFFQ69G5FAV", None, 404, "not_found"),
        (h.member, h.voice_id, {"self_mute": "loud"}, 400, "validation_error"),
        (h.member, h.voice_id, {"channel": "x"}, 400, "validation_error"),
        (h.member, h.voice_id, {"session_id": "s" * 65}, 400, "validation_error"),
    ]
    for who, channel_id, body, status, code in cases:
        r = await voice_post(server, who, f"{channel_id}/join", body)
        assert r.status_code == status, (channel_id, body, r.text)
        assert error_code(r) == code, r.text
    r = await server.http.post(f"{API}/voice/{h.voice_id}/join")
    assert r.status_code == 401
    assert await state_count(server) == 0
    await nothing_published(server)


async def test_joining_elsewhere_leaves_first_and_rejoining_updates_flags(server: Server) -> None:
    h = await hall(server)
    first = await join(server, h.member, h.voice_id)
    r = await voice_post(server, h.member, f"{h.other_voice_id}/join")
    assert r.status_code == 200, r.text
    await server.settle()
    assert server.recorder.names() == ["VOICE_STATE_UPDATE", "VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE"]
    left, entered = server.recorder.of("VOICE_STATE_UPDATE")
    assert "channel_id" not in left and left["user_id"] == h.member.id and left["guild_id"] == h.guild_id
    assert left["session_id"] == first["voice_state"]["session_id"]
    assert entered["channel_id"] == h.other_voice_id
    server.recorder.clear()

    r = await voice_post(server, h.member, f"{h.other_voice_id}/join", {"self_deaf": True, "session_id": "abc"})
    assert r.status_code == 200, r.text
    await server.settle()
    assert server.recorder.names() == ["VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE"]
    (update,) = server.recorder.of("VOICE_STATE_UPDATE")
    assert update["self_deaf"] is True and update["session_id"] == "abc" and update["channel_id"] == h.other_voice_id
    row = await state_of(server, h.member.id)
    assert row is not None and row["channel_id"] == h.other_voice_id and row["self_deaf"] is True
    assert await state_count(server) == 1


async def test_leave(server: Server) -> None:
    h = await hall(server)
    await join(server, h.member, h.voice_id)
    for who, channel_id, status, code in (
        (h.outsider, h.voice_id, 404, "not_found"),
        (h.member, h.other_voice_id, 400, "not_in_voice"),
        (h.member, h.text_id, 400, "invalid_channel_type"),
    ):
        r = await voice_post(server, who, f"{channel_id}/leave")
        assert r.status_code == status, r.text
        assert error_code(r) == code
    assert await state_count(server) == 1
    await nothing_published(server)
    r = await voice_post(server, h.member, f"{h.voice_id}/leave")
    assert r.status_code == 204, r.text
    await server.settle()
    (left,) = server.recorder.of("VOICE_STATE_UPDATE")
    assert server.recorder.names() == ["VOICE_STATE_UPDATE"]
    assert left["user_id"] == h.member.id and "channel_id" not in left
    assert await state_count(server) == 0
    r = await server.http.get(f"{API}/voice/{h.voice_id}/states", headers=h.owner.headers)
    assert r.json()["data"] == []


async def test_server_mute_and_deafen(server: Server) -> None:
    h = await hall(server)
    await join(server, h.member, h.voice_id)
    path = f"{h.voice_id}/members/{h.member.id}"
    for who, action, body, status, code in (
        (h.member, "mute", {"mute": True}, 403, "missing_permission"),
        (h.member, "deafen", {"deaf": True}, 403, "missing_permission"),
        (h.outsider, "mute", {"mute": True}, 404, "not_found"),
        (h.owner, "mute", {"mute": "yes"}, 400, "validation_error"),
        (h.owner, "deafen", {}, 400, "validation_error"),
    ):
        r = await voice_post(server, who, f"{path}/{action}", body)
        assert r.status_code == status, r.text
        assert error_code(r) == code
    r = await voice_post(server, h.owner, f"{h.voice_id}/members/{h.owner.id}/mute", {"mute": True})
    assert r.status_code == 404  # the owner is not in voice
    await nothing_published(server)

    r = await voice_post(server, h.owner, f"{path}/mute", {"mute": True})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["mute"] is True
    await server.settle()
    assert server.recorder.names() == ["VOICE_STATE_UPDATE", "GUILD_MEMBER_UPDATE"]
    assert server.recorder.of("VOICE_STATE_UPDATE")[0]["mute"] is True
    assert server.recorder.of("GUILD_MEMBER_UPDATE")[0]["mute"] is True
    server.recorder.clear()
    r = await voice_post(server, h.owner, f"{path}/deafen", {"deaf": True})
    assert r.status_code == 200 and r.json()["data"]["deaf"] is True
    await server.settle()
    assert server.recorder.names() == ["VOICE_STATE_UPDATE", "GUILD_MEMBER_UPDATE"]
    server.recorder.clear()

    # The member's flags follow them into the next channel.
    r = await voice_post(server, h.member, f"{h.other_voice_id}/join")
    state = r.json()["data"]["voice_state"]
    assert state["mute"] is True and state["deaf"] is True
    # PATCHing the member lifts them on the voice state too.
    r = await server.http.patch(
        f"{API}/guilds/{h.guild_id}/members/{h.member.id}", json={"mute": False}, headers=h.owner.headers
    )
    assert r.status_code == 200, r.text
    await server.settle()
    row = await state_of(server, h.member.id)
    assert row is not None and row["mute"] is False and row["deaf"] is True
    assert server.recorder.of("VOICE_STATE_UPDATE")[-1]["mute"] is False


async def test_move(server: Server) -> None:
    h = await hall(server)
    text = h.text_id
    await join(server, h.member, h.voice_id)
    path = f"{h.voice_id}/members/{h.member.id}/move"
    for who, body, status, code in (
        (h.member, {"channel_id": h.other_voice_id}, 403, "missing_permission"),
        (h.owner, {"channel_id": text}, 400, "invalid_channel_type"),
        (h.owner, {"channel_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, 404, "not_found"),
        (h.owner, {}, 400, "validation_error"),
    ):
        r = await voice_post(server, who, path, body)
        assert r.status_code == status, r.text
        assert error_code(r) == code
    await deny(server, h.owner, h.other_voice_id, h.member.id, int(Perm.Connect))
    await server.settle()
    server.recorder.clear()
    r = await voice_post(server, h.owner, path, {"channel_id": h.other_voice_id})
    assert r.status_code == 403, r.text
    await nothing_published(server)
    row = await state_of(server, h.member.id)
    assert row is not None and row["channel_id"] == h.voice_id

    overwrite = f"{API}/channels/{h.other_voice_id}/permissions/{h.member.id}"
    r = await server.http.delete(overwrite, headers=h.owner.headers)
    assert r.status_code in (200, 204), r.text
    await server.settle()
    server.recorder.clear()
    r = await voice_post(server, h.owner, path, {"channel_id": h.other_voice_id})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["channel_id"] == h.other_voice_id
    await server.settle()
    assert server.recorder.names() == ["VOICE_STATE_UPDATE", "VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE"]
    left, entered = server.recorder.of("VOICE_STATE_UPDATE")
    assert "channel_id" not in left and entered["channel_id"] == h.other_voice_id
    assert left["session_id"] == entered["session_id"]
    (server_update,) = server.recorder.of("VOICE_SERVER_UPDATE")
    assert server_update["user_id"] == h.member.id and server_update["channel_id"] == h.other_voice_id


async def test_losing_the_guild_leaves_voice(server: Server) -> None:
    h = await hall(server)
    await join(server, h.member, h.voice_id)
    r = await server.http.delete(f"{API}/guilds/{h.guild_id}/members/{h.member.id}", headers=auth(h.owner.token))
    assert r.status_code == 204, r.text
    await server.settle()
    await server.settle()  # the upkeep reacts to GUILD_MEMBER_REMOVE with events of its own
    assert server.recorder.names()[-1] == "VOICE_STATE_UPDATE"
    assert "channel_id" not in server.recorder.of("VOICE_STATE_UPDATE")[-1]
    assert await state_count(server) == 0


async def test_the_camera_flag_follows_the_join_path_and_needs_stream(server: Server) -> None:
    h = await hall(server)
    data = await join(server, h.member, h.voice_id)
    assert data["voice_state"]["self_video"] is False and data["media"] == "mesh"
    r = await voice_post(server, h.member, f"{h.voice_id}/join", {"self_video": True})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["voice_state"]["self_video"] is True
    await server.settle()
    [update] = server.recorder.of("VOICE_STATE_UPDATE")
    assert update["self_video"] is True and update["channel_id"] == h.voice_id
    assert (await state_of(server, h.member.id) or {})["self_video"] is True
    server.recorder.clear()
    # Without Stream the camera stays off; leaving turns it off.
    await deny(server, h.owner, h.other_voice_id, h.member.id, int(Perm.Stream))
    await server.settle()
    server.recorder.clear()
    r = await voice_post(server, h.member, f"{h.other_voice_id}/join", {"self_video": True})
    assert r.status_code == 403 and error_code(r) == "missing_permission", r.text
    assert (await state_of(server, h.member.id) or {})["channel_id"] == h.voice_id
    r = await voice_post(server, h.member, f"{h.voice_id}/leave")
    assert r.status_code == 204
    await server.settle()
    [left] = server.recorder.of("VOICE_STATE_UPDATE")
    assert left["self_video"] is False and "channel_id" not in left
