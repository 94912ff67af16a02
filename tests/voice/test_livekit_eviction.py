"""With the web client on LiveKit, a member whose voice seat is taken away is removed from the
LiveKit room by the server (their token would otherwise carry media until it expires)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from livekit import api as livekit

from amityvox.permissions import Perm
from tests.conftest import Server, _serve, make_settings
from tests.voice.helpers import deny, hall, join, state_of

KEY, SECRET = "evictkey", "evict-secret-evict-secret-evict-secret-0123"


class FakeLiveKit:
    """LiveKit's RoomService on loopback: records who it was asked to remove, and with what grant."""

    def __init__(self) -> None:
        self.removed: list[tuple[str, str]] = []
        self.removals = asyncio.Event()
        self.refused = 0

    async def remove_participant(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = livekit.TokenVerifier(KEY, SECRET).verify(token)
        except Exception:
            self.refused += 1
            return web.Response(status=401)
        ask = livekit.RoomParticipantIdentity.FromString(await request.read())
        if claims.video is None or not claims.video.room_admin or claims.video.room != ask.room:
            self.refused += 1
            return web.Response(status=403)
        self.removed.append((ask.room, ask.identity))
        self.removals.set()
        empty = livekit.RemoveParticipantResponse().SerializeToString()
        return web.Response(body=empty, content_type="application/protobuf")


@pytest.fixture
async def fake_livekit() -> AsyncIterator[tuple[FakeLiveKit, str]]:
    fake = FakeLiveKit()
    app = web.Application()
    app.router.add_post("/twirp/livekit.RoomService/RemoveParticipant", fake.remove_participant)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield fake, f"ws://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _server(tmp_path: Path, url: str, *, web_on_livekit: bool) -> AsyncIterator[Server]:
    settings = make_settings(
        tmp_path, livekit_url=url, livekit_api_key=KEY, livekit_api_secret=SECRET, livekit_web=web_on_livekit
    )
    async for s in _serve(settings):
        yield s


async def test_losing_connect_removes_the_member_from_the_livekit_room(
    tmp_path: Path, fake_livekit: tuple[FakeLiveKit, str]
) -> None:
    fake, url = fake_livekit
    async for server in _server(tmp_path, url, web_on_livekit=True):
        h = await hall(server)
        await join(server, h.member, h.voice_id)
        await join(server, h.owner, h.voice_id)
        await deny(server, h.owner, h.voice_id, h.member.id, int(Perm.Connect))
        await asyncio.wait_for(fake.removals.wait(), 30)
        await server.settle()
        assert await state_of(server, h.member.id) is None
        assert fake.removed == [(h.voice_id, h.member.id)]  # the owner keeps their seat
        assert fake.refused == 0


async def test_with_the_mesh_livekit_is_never_called(tmp_path: Path, fake_livekit: tuple[FakeLiveKit, str]) -> None:
    fake, url = fake_livekit
    async for server in _server(tmp_path, url, web_on_livekit=False):
        h = await hall(server)
        await join(server, h.member, h.voice_id)
        await deny(server, h.owner, h.voice_id, h.member.id, int(Perm.Connect))
        await server.settle()
        await server.settle()
        assert await state_of(server, h.member.id) is None
        assert fake.removed == [] and fake.refused == 0


async def test_an_unreachable_livekit_does_not_keep_the_seat(tmp_path: Path) -> None:
    async for server in _server(tmp_path, "ws://127.0.0.1:9", web_on_livekit=True):  # nothing listens on 9
        h = await hall(server)
        await join(server, h.member, h.voice_id)
        await deny(server, h.owner, h.voice_id, h.member.id, int(Perm.Connect))
        await server.settle()
        await server.settle()
        assert await state_of(server, h.member.id) is None
