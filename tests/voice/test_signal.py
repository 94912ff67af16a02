"""WebRTC signalling (POST /voice/{c}/signal → VOICE_SIGNAL): only between two people in the same
voice channel or call right now, to the target's sessions only; and voice states that follow
Connect, ViewChannel and Speak."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from amityvox import ratelimit
from amityvox.events.payloads import MAX_SDP
from amityvox.permissions import DEFAULT_EVERYONE, Perm
from tests.conftest import Server, _serve, make_settings
from tests.gateway.wsclient import Raw
from tests.messages.helpers import Person, person
from tests.voice.helpers import API, deny, dm_pair, error_code, hall, join, state_of, voice_post

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}


async def _online(server: Server, *people: Person) -> list[Raw]:
    out = []
    for p in people:
        ws = await Raw.connect(server.url)
        await ws.identify(p.token)
        out.append(ws)
    return out


def _signals(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f["d"] for f in frames if f["t"] == "VOICE_SIGNAL"]


async def test_a_signal_reaches_only_its_target(server: Server) -> None:
    alice, bob, carol, dm = await dm_pair(server)
    a_ws, b_ws, c_ws = await _online(server, alice, bob, carol)
    await join(server, alice, dm)
    await join(server, bob, dm)
    r = await voice_post(server, alice, f"{dm}/signal", {"to_user_id": bob.id, "kind": "offer", "sdp": OFFER})
    assert r.status_code == 204, r.text
    got = await b_ws.wait_for("VOICE_SIGNAL")
    assert got["d"] == {"channel_id": dm, "from_user_id": alice.id, "to_user_id": bob.id, "kind": "offer", "sdp": OFFER}
    body = {"to_user_id": alice.id, "kind": "ice", "candidate": CANDIDATE}
    assert (await voice_post(server, bob, f"{dm}/signal", body)).status_code == 204
    back = await a_ws.wait_for("VOICE_SIGNAL")
    assert back["d"]["candidate"] == CANDIDATE and back["d"]["from_user_id"] == bob.id
    # Neither the sender's own sessions nor anyone else heard the other's signal.
    for ws in (a_ws, b_ws, c_ws):
        await ws.drain()
    assert [s["kind"] for s in _signals(a_ws.dispatches)] == ["ice"]
    assert [s["kind"] for s in _signals(b_ws.dispatches)] == ["offer"]
    assert _signals(c_ws.dispatches) == []
    for ws in (a_ws, b_ws, c_ws):
        await ws.close()


async def test_a_signal_outside_a_shared_call_is_refused_and_never_delivered(server: Server) -> None:
    alice, bob, carol, dm = await dm_pair(server)
    a_ws, b_ws, c_ws = await _online(server, alice, bob, carol)
    offer = {"to_user_id": bob.id, "kind": "offer", "sdp": OFFER}
    # Alice not in the call yet.
    r = await voice_post(server, alice, f"{dm}/signal", offer)
    assert r.status_code == 400 and error_code(r) == "not_in_voice"
    # Alice in, Bob not (only rung).
    await join(server, alice, dm)
    r = await voice_post(server, alice, f"{dm}/signal", offer)
    assert r.status_code == 400 and error_code(r) == "peer_not_in_voice"
    # A stranger to the DM cannot signal into it, nor be signalled from it.
    r = await voice_post(server, carol, f"{dm}/signal", {**offer, "to_user_id": alice.id})
    assert r.status_code == 404, r.text
    r = await voice_post(server, alice, f"{dm}/signal", {**offer, "to_user_id": carol.id})
    assert r.status_code == 400 and error_code(r) == "peer_not_in_voice"
    # Bob joins, then leaves: a signal to someone who left is refused.
    await join(server, bob, dm)
    assert (await voice_post(server, bob, f"{dm}/leave")).status_code == 204
    r = await voice_post(server, alice, f"{dm}/signal", offer)
    assert r.status_code == 400 and error_code(r) == "peer_not_in_voice"
    # Bad shapes and sizes change nothing either.
    await join(server, bob, dm)
    for body in (
        {"to_user_id": bob.id, "kind": "offer"},
        {"to_user_id": bob.id, "kind": "ice", "sdp": OFFER},
        {"to_user_id": bob.id, "kind": "hello", "sdp": OFFER},
        {"to_user_id": alice.id, "kind": "offer", "sdp": OFFER},
        {"to_user_id": bob.id, "kind": "offer", "sdp": "x" * (MAX_SDP + 1)},
        {"to_user_id": bob.id, "kind": "ice", "candidate": {"candidate": "x" * 2000}},
    ):
        r = await voice_post(server, alice, f"{dm}/signal", body)
        assert r.status_code == 400, (body, r.text)
    await server.settle()
    for ws in (a_ws, b_ws, c_ws):
        await ws.drain()
        assert _signals(ws.dispatches) == []
    assert server.recorder.of("VOICE_SIGNAL") == []
    for ws in (a_ws, b_ws, c_ws):
        await ws.close()


class _Clock:
    """Stands in for the `time` module of amityvox.ratelimit: it moves only when told to."""

    now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
async def limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    """A server with the per-route limits as shipped and no per-second budget, on a still clock."""
    monkeypatch.setattr(ratelimit, "time", _Clock())
    async for s in _serve(make_settings(tmp_path, rate_limit_per_second=0, rate_limit_route_scale=1)):
        yield s


async def test_signals_are_rate_limited(limited: Server) -> None:
    alice, bob, _, dm = await dm_pair(limited)
    await join(limited, alice, dm)
    await join(limited, bob, dm)
    body = {"to_user_id": bob.id, "kind": "ice", "candidate": CANDIDATE}
    statuses = [(await voice_post(limited, alice, f"{dm}/signal", body)).status_code for _ in range(121)]
    assert statuses[:120] == [204] * 120 and statuses[120] == 429
    await limited.settle()
    assert len(limited.recorder.of("VOICE_SIGNAL")) == 120


async def test_guild_voice_signals_between_participants_only(server: Server) -> None:
    h = await hall(server)
    third = await person(server, "third")
    code = (await server.http.post(f"{API}/guilds/{h.guild_id}/invites", json={}, headers=h.owner.headers)).json()
    assert (await server.http.post(f"{API}/invites/{code['data']['code']}", headers=third.headers)).status_code == 200
    await join(server, h.owner, h.voice_id)
    await join(server, h.member, h.voice_id)
    await join(server, third, h.other_voice_id)  # in voice, but in another channel of the guild
    offer = {"to_user_id": h.member.id, "kind": "offer", "sdp": OFFER}
    assert (await voice_post(server, h.owner, f"{h.voice_id}/signal", offer)).status_code == 204
    r = await voice_post(server, h.owner, f"{h.voice_id}/signal", {**offer, "to_user_id": third.id})
    assert r.status_code == 400 and error_code(r) == "peer_not_in_voice"
    r = await voice_post(server, third, f"{h.other_voice_id}/signal", {**offer, "to_user_id": h.member.id})
    assert r.status_code == 400 and error_code(r) == "peer_not_in_voice"
    await server.settle()
    assert [d["to_user_id"] for d in server.recorder.of("VOICE_SIGNAL")] == [h.member.id]


async def test_voice_follows_connect_view_and_speak(server: Server) -> None:
    h = await hall(server)
    await join(server, h.member, h.voice_id)
    # Without Speak the member stays, server-muted; with it back, unmuted.
    await deny(server, h.owner, h.voice_id, h.member.id, int(Perm.Speak))
    await server.settle()
    await server.settle()  # the voice upkeep reacts to CHANNEL_UPDATE
    row = await state_of(server, h.member.id)
    assert row is not None and row["mute"] is True and row["channel_id"] == h.voice_id
    assert server.recorder.of("VOICE_STATE_UPDATE")[-1]["mute"] is True
    r = await server.http.delete(f"{API}/channels/{h.voice_id}/permissions/{h.member.id}", headers=h.owner.headers)
    assert r.status_code in (200, 204), r.text
    await server.settle()
    await server.settle()
    row = await state_of(server, h.member.id)
    assert row is not None and row["mute"] is False
    # A member who joins without Speak is muted from the start.
    await deny(server, h.owner, h.other_voice_id, h.member.id, int(Perm.Speak))
    await server.settle()
    data = await join(server, h.member, h.other_voice_id)
    assert data["voice_state"]["mute"] is True
    # Lifting a server mute does not give back a voice Speak denies.
    r = await voice_post(server, h.owner, f"{h.other_voice_id}/members/{h.member.id}/mute", {"mute": False})
    assert r.status_code == 200 and r.json()["data"]["mute"] is True
    # Losing Connect, or the channel itself, disconnects.
    await join(server, h.member, h.voice_id)
    await deny(server, h.owner, h.voice_id, h.member.id, int(Perm.Connect))
    await server.settle()
    await server.settle()
    assert await state_of(server, h.member.id) is None
    assert "channel_id" not in server.recorder.of("VOICE_STATE_UPDATE")[-1]
    await join(server, h.member, h.other_voice_id)
    await deny(server, h.owner, h.other_voice_id, h.member.id, int(Perm.ViewChannel))
    await server.settle()
    await server.settle()
    assert await state_of(server, h.member.id) is None


async def test_voice_follows_the_guild_default_permissions(server: Server) -> None:
    """Role-level changes count too: Speak, then Connect, taken from everyone in the guild."""
    h = await hall(server)
    await join(server, h.member, h.voice_id)
    r = await server.http.patch(
        f"{API}/guilds/{h.guild_id}",
        json={"default_permissions": DEFAULT_EVERYONE & ~int(Perm.Speak)},
        headers=h.owner.headers,
    )
    assert r.status_code == 200, r.text
    await server.settle()
    await server.settle()
    row = await state_of(server, h.member.id)
    assert row is not None and row["mute"] is True
    r = await server.http.patch(
        f"{API}/guilds/{h.guild_id}",
        json={"default_permissions": DEFAULT_EVERYONE & ~int(Perm.Connect)},
        headers=h.owner.headers,
    )
    assert r.status_code == 200, r.text
    await server.settle()
    await server.settle()
    assert await state_of(server, h.member.id) is None


async def test_losing_stream_turns_the_camera_off_and_ends_the_screen_share(server: Server) -> None:
    h = await hall(server)
    await join(server, h.member, h.voice_id, self_video=True)
    r = await voice_post(server, h.member, f"{h.voice_id}/screen-share", {"resolution": "1280x720"})
    assert r.status_code in (200, 201), r.text
    await server.settle()
    server.recorder.clear()
    await deny(server, h.owner, h.voice_id, h.member.id, int(Perm.Stream))
    await server.settle()
    await server.settle()  # the voice upkeep reacts to CHANNEL_UPDATE
    row = await state_of(server, h.member.id)
    assert row is not None and row["channel_id"] == h.voice_id
    assert row["self_video"] is False and row["self_stream"] is False and row["stream_resolution"] is None
    [ended] = server.recorder.of("SCREEN_SHARE_END")
    assert ended["user_id"] == h.member.id and ended["channel_id"] == h.voice_id
    update = server.recorder.of("VOICE_STATE_UPDATE")[-1]
    assert update["user_id"] == h.member.id and update["channel_id"] == h.voice_id
    assert update["self_video"] is False and update["self_stream"] is False and update["mute"] is False
    # Nothing more happens when nothing changed.
    server.recorder.clear()
    r = await server.http.patch(f"{API}/channels/{h.voice_id}", json={"name": "still-here"}, headers=h.owner.headers)
    assert r.status_code == 200, r.text
    await server.settle()
    await server.settle()
    assert server.recorder.of("VOICE_STATE_UPDATE") == [] and server.recorder.of("SCREEN_SHARE_END") == []
