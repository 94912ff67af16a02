"""DM/group calls, screen shares and broadcasts (in guild voice channels and in calls alike)."""

from __future__ import annotations

from amityvox.permissions import Perm
from tests.conftest import Server
from tests.voice.helpers import (
    API,
    deny,
    dm_pair,
    error_code,
    hall,
    join,
    nothing_published,
    state_count,
    state_of,
    voice_post,
)


async def test_dm_call_rings_once_and_refuses_strangers(any_db_server: Server) -> None:
    server = any_db_server
    alice, bob, carol, dm = await dm_pair(server)
    r = await voice_post(server, carol, f"{dm}/join")
    assert r.status_code == 404 and error_code(r) == "not_found"
    await nothing_published(server)

    r = await voice_post(server, alice, f"{dm}/join")
    assert r.status_code == 200, r.text
    await server.settle()
    assert server.recorder.names() == ["CALL_RING", "VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE"]
    (ring,) = server.recorder.of("CALL_RING")
    assert ring["channel_id"] == dm and ring["caller_id"] == alice.id and ring["channel_type"] == "dm"
    assert ring["caller"]["id"] == alice.id
    (state,) = server.recorder.of("VOICE_STATE_UPDATE")
    assert state["channel_id"] == dm and "guild_id" not in state
    assert "guild_id" not in server.recorder.of("VOICE_SERVER_UPDATE")[0]
    server.recorder.clear()

    r = await voice_post(server, bob, f"{dm}/join")  # answering does not ring again
    assert r.status_code == 200, r.text
    await server.settle()
    assert server.recorder.names() == ["VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE"]
    server.recorder.clear()

    # Calls have no moderation.
    for action, body in (("mute", {"mute": True}), ("deafen", {"deaf": True}), ("move", {"channel_id": dm})):
        r = await voice_post(server, alice, f"{dm}/members/{bob.id}/{action}", body)
        assert r.status_code == 403 and error_code(r) == "missing_permission", r.text
    r = await voice_post(server, alice, f"{dm}/soundboard", {"name": "horn"})
    assert r.status_code == 400 and error_code(r) == "invalid_channel_type"
    await nothing_published(server)
    r = await server.http.get(f"{API}/voice/{dm}/states", headers=bob.headers)
    assert sorted(s["user_id"] for s in r.json()["data"]) == sorted([alice.id, bob.id])


async def test_screen_share_in_a_call(server: Server) -> None:
    alice, bob, _, dm = await dm_pair(server)
    r = await voice_post(server, alice, f"{dm}/screen-share", {})
    assert r.status_code == 400 and error_code(r) == "not_in_voice"
    await join(server, alice, dm)
    await join(server, bob, dm)
    bad: list[dict[str, object]] = [
        {"resolution": "huge"},
        {"framerate": 0},
        {"framerate": "30"},
        {"audio_enabled": 1},
        {"fps": 3},
    ]
    for wrong in bad:
        r = await voice_post(server, alice, f"{dm}/screen-share", wrong)
        assert r.status_code == 400, (wrong, r.text)
    await nothing_published(server)

    body: dict[str, object] = {"resolution": "1920x1080", "framerate": 30, "audio_enabled": True}
    r = await voice_post(server, alice, f"{dm}/screen-share", body)
    assert r.status_code == 201, r.text
    share = r.json()["data"]
    assert share == {"session_id": share["session_id"], "channel_id": dm, "user_id": alice.id, **body}
    await server.settle()
    assert server.recorder.names() == ["SCREEN_SHARE_START", "VOICE_STATE_UPDATE"]
    assert server.recorder.of("SCREEN_SHARE_START") == [share]
    assert server.recorder.of("VOICE_STATE_UPDATE")[0]["self_stream"] is True
    server.recorder.clear()
    r = await voice_post(server, alice, f"{dm}/screen-share", body)
    assert r.status_code == 409 and error_code(r) == "already_streaming"
    r = await server.http.patch(f"{API}/voice/{dm}/screen-share", json={"framerate": 500}, headers=alice.headers)
    assert r.status_code == 400
    r = await server.http.patch(f"{API}/voice/{dm}/screen-share", json={"framerate": 60}, headers=bob.headers)
    assert r.status_code == 400 and error_code(r) == "not_streaming"
    await nothing_published(server)

    r = await server.http.patch(f"{API}/voice/{dm}/screen-share", json={"framerate": 60}, headers=alice.headers)
    assert r.status_code == 200 and r.json()["data"]["framerate"] == 60
    await server.settle()
    assert server.recorder.names() == ["SCREEN_SHARE_UPDATE"]
    assert server.recorder.of("SCREEN_SHARE_UPDATE")[0]["framerate"] == 60
    server.recorder.clear()
    r = await server.http.delete(f"{API}/voice/{dm}/screen-share", headers=alice.headers)
    assert r.status_code == 204, r.text
    await server.settle()
    assert server.recorder.names() == ["SCREEN_SHARE_END", "VOICE_STATE_UPDATE"]
    assert server.recorder.of("VOICE_STATE_UPDATE")[0]["self_stream"] is False
    row = await state_of(server, alice.id)
    assert row is not None and row["self_stream"] is False and row["stream_framerate"] is None
    server.recorder.clear()
    r = await server.http.delete(f"{API}/voice/{dm}/screen-share", headers=alice.headers)
    assert r.status_code == 400 and error_code(r) == "not_streaming"
    await nothing_published(server)


async def test_screen_share_in_a_guild_needs_stream_and_ends_on_leave(server: Server) -> None:
    h = await hall(server)
    await deny(server, h.owner, h.voice_id, h.member.id, int(Perm.Stream))
    await join(server, h.member, h.voice_id)
    r = await voice_post(server, h.member, f"{h.voice_id}/screen-share", {})
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await voice_post(server, h.outsider, f"{h.voice_id}/screen-share", {})
    assert r.status_code == 404
    await nothing_published(server)
    await join(server, h.owner, h.voice_id)
    r = await voice_post(server, h.owner, f"{h.voice_id}/screen-share", {"resolution": "1280x720"})
    assert r.status_code == 201, r.text
    await server.settle()
    assert server.recorder.of("SCREEN_SHARE_START")[0]["guild_id"] == h.guild_id
    server.recorder.clear()
    r = await voice_post(server, h.owner, f"{h.voice_id}/leave")
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.names() == ["SCREEN_SHARE_END", "VOICE_STATE_UPDATE"]
    assert server.recorder.of("SCREEN_SHARE_END")[0]["resolution"] == "1280x720"


async def test_broadcasts(server: Server) -> None:
    h = await hall(server)
    r = await voice_post(server, h.owner, f"{h.voice_id}/broadcast", {"title": "town hall"})
    assert r.status_code == 400 and error_code(r) == "not_in_voice"
    await join(server, h.member, h.voice_id)
    r = await voice_post(server, h.member, f"{h.voice_id}/broadcast", {})
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await voice_post(server, h.outsider, f"{h.voice_id}/broadcast", {})
    assert r.status_code == 404
    await nothing_published(server)

    await join(server, h.owner, h.voice_id)
    r = await voice_post(server, h.owner, f"{h.voice_id}/broadcast", {"title": "x" * 101})
    assert r.status_code == 400
    r = await voice_post(server, h.owner, f"{h.voice_id}/broadcast", {"title": "town hall"})
    assert r.status_code == 201, r.text
    started = r.json()["data"]
    assert started["broadcaster_id"] == h.owner.id and started["title"] == "town hall"
    assert started["guild_id"] == h.guild_id and started["channel_id"] == h.voice_id
    await server.settle()
    assert server.recorder.of("VOICE_BROADCAST_START") == [started]
    server.recorder.clear()
    r = await voice_post(server, h.owner, f"{h.voice_id}/broadcast", {})
    assert r.status_code == 409 and error_code(r) == "broadcast_active"
    r = await server.http.delete(f"{API}/voice/{h.voice_id}/broadcast", headers=h.member.headers)
    assert r.status_code == 403
    await nothing_published(server)
    r = await server.http.delete(f"{API}/voice/{h.voice_id}/broadcast", headers=h.owner.headers)
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.of("VOICE_BROADCAST_END") == [started]
    server.recorder.clear()
    r = await server.http.delete(f"{API}/voice/{h.voice_id}/broadcast", headers=h.owner.headers)
    assert r.status_code == 404
    await nothing_published(server)


async def test_broadcast_in_a_call_ends_when_the_broadcaster_leaves(server: Server) -> None:
    alice, bob, _, dm = await dm_pair(server)
    await join(server, alice, dm)
    r = await voice_post(server, alice, f"{dm}/broadcast")
    assert r.status_code == 201, r.text
    started = r.json()["data"]
    assert "guild_id" not in started and "title" not in started
    await server.settle()
    server.recorder.clear()
    await join(server, bob, dm)
    r = await server.http.delete(f"{API}/voice/{dm}/broadcast", headers=bob.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    await nothing_published(server)
    r = await voice_post(server, alice, f"{dm}/leave")
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.names() == ["VOICE_BROADCAST_END", "VOICE_STATE_UPDATE"]
    assert server.recorder.of("VOICE_BROADCAST_END") == [started]
    assert await state_of(server, alice.id) is None and await state_count(server) == 1


async def test_soundboard(server: Server) -> None:
    h = await hall(server)
    sounds = f"{API}/voice/{h.voice_id}/soundboard"
    for who, body, status, code in (
        (h.member, {"name": "airhorn"}, 403, "missing_permission"),
        (h.outsider, {"name": "airhorn"}, 404, "not_found"),
        (h.owner, {"name": "a"}, 400, "validation_error"),
        (h.owner, {"name": "airhorn", "volume": 1.5}, 400, "validation_error"),
        (h.owner, {"volume": 0.5}, 400, "validation_error"),
    ):
        r = await server.http.post(sounds, json=body, headers=who.headers)
        assert r.status_code == status, (body, r.text)
        assert error_code(r) == code
    await nothing_published(server)

    r = await server.http.post(sounds, json={"name": "airhorn", "volume": 0.5, "emoji": "📯"}, headers=h.owner.headers)
    assert r.status_code == 201, r.text
    sound = r.json()["data"]
    assert sound["volume"] == 0.5 and sound["guild_id"] == h.guild_id and sound["creator_id"] == h.owner.id
    await server.settle()
    assert server.recorder.of("SOUNDBOARD_SOUND_CREATE") == [{"guild_id": h.guild_id, "sound": sound}]
    server.recorder.clear()
    r = await server.http.post(sounds, json={"name": "AirHorn"}, headers=h.owner.headers)
    assert r.status_code == 409
    r = await server.http.get(sounds, headers=h.member.headers)
    assert r.json()["data"] == [sound]
    # Another channel of the same guild sees the same sounds.
    r = await server.http.get(f"{API}/voice/{h.other_voice_id}/soundboard", headers=h.member.headers)
    assert r.json()["data"] == [sound]

    play = f"{sounds}/{sound['id']}/play"
    r = await server.http.post(play, headers=h.member.headers)
    assert r.status_code == 400 and error_code(r) == "not_in_voice"
    await join(server, h.member, h.voice_id)
    r = await server.http.post(f"{sounds}/01ARZ3NDEKTSV4RRFFQ69G5FAV/play", headers=h.member.headers)
    assert r.status_code == 404
    r = await server.http.post(play, json={"volume": -1}, headers=h.member.headers)
    assert r.status_code == 400
    await nothing_published(server)
    r = await server.http.post(play, headers=h.member.headers)
    assert r.status_code == 200, r.text
    r = await server.http.post(play, json={"volume": 0.25}, headers=h.member.headers)
    assert r.status_code == 200, r.text
    await server.settle()
    assert server.recorder.of("SOUNDBOARD_PLAY") == [
        {"guild_id": h.guild_id, "channel_id": h.voice_id, "sound_id": sound["id"], "user_id": h.member.id, "volume": v}
        for v in (0.5, 0.25)
    ]
    server.recorder.clear()
    for _ in range(3):
        assert (await server.http.post(play, headers=h.member.headers)).status_code == 200
    r = await server.http.post(play, headers=h.member.headers)
    assert r.status_code == 429 and error_code(r) == "rate_limited" and r.json()["error"]["retry_after"] > 0
    await server.settle()
    assert len(server.recorder.of("SOUNDBOARD_PLAY")) == 3
    server.recorder.clear()

    r = await server.http.delete(f"{sounds}/{sound['id']}", headers=h.member.headers)
    assert r.status_code == 403
    r = await server.http.delete(f"{sounds}/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=h.owner.headers)
    assert r.status_code == 404
    await nothing_published(server)
    r = await server.http.delete(f"{sounds}/{sound['id']}", headers=h.owner.headers)
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.of("SOUNDBOARD_SOUND_DELETE") == [{"guild_id": h.guild_id, "sound_id": sound["id"]}]
    r = await server.http.get(sounds, headers=h.member.headers)
    assert r.json()["data"] == []
