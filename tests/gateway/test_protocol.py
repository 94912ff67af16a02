"""The gateway protocol over real WebSockets: HELLO, IDENTIFY, heartbeats, close codes, RESUME."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from tests.conftest import Server, _serve, make_settings
from tests.gateway.wsclient import Raw


async def test_hello_identify_ready(server: Server) -> None:
    alice = await server.register("alice")
    ws = await Raw.connect(server.url)
    assert ws.hello == {"heartbeat_interval": 30000, "build_version": "0.1.0"}
    ready = await ws.identify(alice["token"])
    assert ready["user"]["id"] == alice["user"]["id"] and ready["user"]["username"] == "alice"
    assert ws.dispatches[0]["s"] == 1
    assert set(ready) >= {
        "session_id",
        "guild_ids",
        "guilds",
        "dms",
        "relationships",
        "read_state",
        "presences",
        "voice_states",
    }
    presence = await ws.wait_for("PRESENCE_UPDATE")  # one's own presence is part of the social audience
    assert presence["d"] == {"user_id": alice["user"]["id"], "status": "online"}
    await ws.send(1, ws.seq)
    assert (await ws.recv())["op"] == 11
    await ws.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"not json", 4002),
        (b'["op", 1]', 4002),
        (b'{"op": 99}', 4001),
        (b'{"op": 8, "d": {"channel_id": "x"}}', 4003),
        (orjson.dumps({"op": 2, "d": {"token": "x" * 20000}}), 4002),
    ],
)
async def test_bad_frames_close_with_their_code(server: Server, frame: bytes, code: int) -> None:
    ws = await Raw.connect(server.url)
    await ws.ws.send(frame.decode())
    assert await ws.closed_with() == code


async def test_bad_token_closes_4004(server: Server) -> None:
    ws = await Raw.connect(server.url)
    await ws.send(2, {"token": "0" * 64})
    assert await ws.closed_with() == 4004


async def test_second_identify_closes_4005(server: Server) -> None:
    alice = await server.register("alice")
    ws = await Raw.connect(server.url)
    await ws.identify(alice["token"])
    await ws.send(2, {"token": alice["token"]})
    assert await ws.closed_with() == 4005


async def test_invalid_presence_status_is_rejected(server: Server) -> None:
    alice = await server.register("alice")
    ws = await Raw.connect(server.url)
    await ws.identify(alice["token"])
    await ws.send(3, {"status": "dancing"})
    assert await ws.closed_with() == 4002


@pytest.fixture
async def tight(tmp_path: Path) -> AsyncIterator[Server]:
    """A server with short timers and small limits, for the timing close codes."""
    settings = make_settings(
        tmp_path,
        heartbeat_interval_ms=200,
        heartbeat_timeout_ms=400,
        identify_timeout_ms=300,
        rate_limit_frames=10,
        send_buffer_kib=16,
        resume_window_s=2,
    )
    async for s in _serve(settings):
        yield s


async def test_identify_deadline_closes_4009(tight: Server) -> None:
    ws = await Raw.connect(tight.url)
    assert await ws.closed_with() == 4009


async def test_missed_heartbeats_close_4009(tight: Server) -> None:
    alice = await tight.register("alice")
    ws = await Raw.connect(tight.url)
    await ws.identify(alice["token"])
    for _ in range(3):  # heartbeating keeps it open past the timeout
        await asyncio.sleep(0.2)
        await ws.send(1, ws.seq)
    assert await ws.closed_with() == 4009


async def test_too_many_frames_close_4008(tight: Server) -> None:
    alice = await tight.register("alice")
    ws = await Raw.connect(tight.url)
    await ws.identify(alice["token"])
    for _ in range(12):
        await ws.send(1, ws.seq)
    assert await ws.closed_with() == 4008


async def test_resume_replays_missed_events(tight: Server) -> None:
    alice = await tight.register("alice")
    bob = await tight.register("bob")
    ws = await Raw.connect(tight.url)
    await ws.identify(alice["token"])
    session_id, seq = ws.session_id, ws.seq
    ws.ws.transport.abort()  # the TCP connection dies without a close frame
    await asyncio.sleep(0.1)
    for name in ("Alice A", "Alice B"):
        r = await tight.http.patch(
            "/api/v1/users/@me", json={"display_name": name}, headers={"Authorization": f"Bearer {alice['token']}"}
        )
        assert r.status_code == 200
    await tight.settle()
    ws2 = await Raw.connect(tight.url)
    await ws2.send(5, {"token": alice["token"], "session_id": session_id, "seq": seq, "ready": False})
    await ws2.wait_for("RESUMED")
    replayed, resumed = ws2.dispatches[:-1], ws2.dispatches[-1]
    assert [f["s"] for f in replayed] == list(range(seq + 1, seq + 1 + len(replayed)))
    names = [f["d"]["display_name"] for f in replayed if f["t"] == "USER_UPDATE"]
    assert names == ["Alice A", "Alice B"]
    assert resumed["d"] == {"replayed": len(replayed)} and resumed["s"] == seq + len(replayed) + 1
    assert bob  # a second account exists, so the replay is not just "everything there is"
    # The session goes on: new events follow with the next sequence numbers.
    await tight.http.patch(
        "/api/v1/users/@me", json={"display_name": "Alice C"}, headers={"Authorization": f"Bearer {alice['token']}"}
    )
    after = await ws2.wait_for("USER_UPDATE")
    assert after["s"] == resumed["s"] + 1 and after["d"]["display_name"] == "Alice C"
    await ws2.close()


async def test_a_resume_without_ready_false_ends_with_a_fresh_ready(tight: Server) -> None:
    """The original gateway's clients wait for READY after a RESUME; it follows RESUMED on the same session."""
    alice = await tight.register("alice")
    headers = {"Authorization": f"Bearer {alice['token']}"}
    ws = await Raw.connect(tight.url)
    await ws.identify(alice["token"])
    session_id, seq = ws.session_id, ws.seq
    ws.ws.transport.abort()
    assert (await tight.http.patch("/api/v1/users/@me", json={"display_name": "Away"}, headers=headers)).is_success
    await tight.settle()
    ws2 = await Raw.connect(tight.url)
    await ws2.send(5, {"token": alice["token"], "session_id": session_id, "seq": seq})
    ready = await ws2.wait_for("READY")
    *replayed, resumed, _ = ws2.dispatches
    assert "USER_UPDATE" in [f["t"] for f in replayed] and resumed["t"] == "RESUMED"
    assert [f["s"] for f in ws2.dispatches] == list(range(seq + 1, ready["s"] + 1))
    assert ready["d"]["session_id"] == session_id and ready["d"]["user"]["display_name"] == "Away"
    assert (await tight.http.patch("/api/v1/users/@me", json={"display_name": "Back"}, headers=headers)).is_success
    after = await ws2.wait_for("USER_UPDATE")
    assert after["s"] == ready["s"] + 1
    bad = await Raw.connect(tight.url)
    await bad.send(5, {"token": alice["token"], "session_id": session_id, "seq": after["s"], "ready": "no"})
    assert await bad.closed_with() == 4002
    await ws2.close()


async def test_resume_unknown_session_closes_4007(server: Server) -> None:
    """op 6 comes first: clients of the original gateway forget the session on it (SPEC §2)."""
    alice = await server.register("alice")
    ws = await Raw.connect(server.url)
    await ws.send(5, {"token": alice["token"], "session_id": "nope", "seq": 0})
    assert await ws.recv() == {"op": 6}
    assert await ws.closed_with() == 4007


async def test_resume_after_window_closes_4007(tight: Server) -> None:
    alice = await tight.register("alice")
    ws = await Raw.connect(tight.url)
    await ws.identify(alice["token"])
    session_id, seq = ws.session_id, ws.seq
    ws.ws.transport.abort()
    await asyncio.sleep(3.5)  # resume window is 2 s; the reaper runs every second
    ws2 = await Raw.connect(tight.url)
    await ws2.send(5, {"token": alice["token"], "session_id": session_id, "seq": seq})
    assert await ws2.recv() == {"op": 6}
    assert await ws2.closed_with() == 4007


async def test_shutdown_sends_reconnect_then_1001(tmp_path: Path) -> None:
    from tests.conftest import start_server

    uv, task, url, _ = await start_server(make_settings(tmp_path))
    import httpx

    async with httpx.AsyncClient(base_url=url) as http:
        r = await http.post("/api/v1/auth/register", json={"username": "alice", "password": "correct horse"})
        token = r.json()["data"]["token"]
    ws = await Raw.connect(url)
    await ws.identify(token)
    uv.stop()
    frame = await ws.recv()
    while frame["op"] == 0:  # dispatches already queued come first
        frame = await ws.recv()
    assert frame["op"] == 6
    assert await ws.closed_with() == 1001
    await asyncio.wait_for(task, 10)
