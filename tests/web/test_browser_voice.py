"""Real voice in the web client on the embedded server: peer-to-peer WebRTC between Chromium
pages with a fake microphone, in a DM call and in a guild voice channel.

Audio flowing is read from each page's RTCPeerConnection.getStats() (inbound audio bytes
growing); every wait is on a condition in the page, never on the clock.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest_asyncio
from livekit import api as livekit

from tests.conftest import Server, _serve, auth, make_settings
from tests.web.test_browser import Person, guild_with, until

API = "/api/v1"

# True once every peer connection of the page's voice mesh is connected and has received more
# audio bytes than at the previous poll (window.__rx keeps the last figure per peer).
AUDIO_FLOWING = """async (peers) => {
  const voice = amityvox.app.voice;
  if (!voice) return false;
  const stats = await voice.stats();
  const ids = Object.keys(stats);
  if (ids.length !== peers) return false;
  const last = window.__rx ?? {};
  window.__rx = Object.fromEntries(ids.map((id) => [id, stats[id].bytesReceived]));
  return ids.every((id) => stats[id].connection === "connected" && last[id] > 0 && stats[id].bytesReceived > last[id]);
}"""

KEEP_CONNECTIONS = """() => {
  const voice = amityvox.app.voice;
  window.__pcs = [...voice.link.peers.values()].map((p) => p.pc);
  window.__mic = voice.local.getTracks();
  return window.__pcs.length;
}"""


async def audio_flows(person: Person, peers: int) -> None:
    await person.page.evaluate("window.__rx = {}")
    await until(person, AUDIO_FLOWING, peers)


async def self_id(person: Person) -> str:
    uid: str = await person.page.evaluate("amityvox.app.state.self_user.id")
    return uid


async def dm_call(server: Server, browser: Any) -> tuple[Person, Person]:
    """alice calls bob in their DM and he answers; the call pop-up leaves his Send button free."""
    alice, bob = await guild_with(browser, server, "Calls", "alice", "bob")
    r = await server.http.post(f"{API}/users/{await self_id(bob)}/dm", headers=auth(await alice.token()))
    assert r.status_code in (200, 201), r.text

    await alice.page.get_by_role("button", name="Direct messages").click()
    await alice.page.locator("#sidebar .channel.dm", has_text="bob").click()
    await alice.page.get_by_role("button", name="Start a call").click()
    await alice.page.locator(".voice-panel", has_text="Voice connected").wait_for()

    call = bob.page.locator(".toast.t-call", has_text="alice is calling you.")
    await call.wait_for()
    await assert_send_button_free(bob, call)
    await call.get_by_role("button", name="Join").click()
    await bob.page.locator(".voice-panel", has_text="Voice connected").wait_for()
    return alice, bob


async def test_a_dm_call_carries_audio_both_ways_mutes_and_hangs_up(server: Server, media_browser: Any) -> None:
    alice, bob = await dm_call(server, media_browser)

    await audio_flows(alice, 1)
    await audio_flows(bob, 1)
    await alice.page.locator(".voice-panel", has_text="Audio with 1").wait_for()

    # Alice mutes: her microphone track stops sending, and Bob sees her muted.
    await alice.page.get_by_role("button", name="Mute", exact=True).click()
    await until(alice, "() => amityvox.app.voice.stats().then((s) => Object.values(s).every((p) => !p.sending))")
    bob_sees_alice = bob.page.locator(".voice-person", has_text="alice")
    await bob_sees_alice.get_by_label("muted").wait_for()
    await alice.page.get_by_role("button", name="Unmute").click()
    await until(alice, "() => amityvox.app.voice.stats().then((s) => Object.values(s).every((p) => p.sending))")

    # Alice hangs up: her connection closes and her microphone is released; Bob's side follows.
    assert await alice.page.evaluate(KEEP_CONNECTIONS) == 1
    assert await bob.page.evaluate(KEEP_CONNECTIONS) == 1
    await alice.page.get_by_role("button", name="Leave voice").click()
    await alice.page.locator(".voice-panel").wait_for(state="detached")
    await until(
        alice,
        "() => window.__pcs.every((pc) => pc.connectionState === 'closed')"
        " && window.__mic.every((t) => t.readyState === 'ended') && amityvox.app.voice === null",
    )
    await until(
        bob,
        "() => amityvox.app.voice.link.peers.size === 0 && window.__pcs.every((pc) => pc.connectionState === 'closed')",
    )
    assert await alice.page.locator("#voice-audio audio").count() == 0
    await alice.finish()
    for person in (alice, bob):
        await person.finish()


async def assert_send_button_free(person: Person, popup: Any) -> None:
    """The pop-up and the composer's Send button do not overlap."""
    send = person.page.get_by_role("button", name="Send message")
    a, b = await popup.bounding_box(), await send.bounding_box()
    assert a is not None and b is not None
    apart = a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
    apart = apart or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
    assert apart, f"the call pop-up {a} covers the Send button {b}"


async def voice_channel(person: Person) -> str:
    channel_id: str = await person.page.evaluate("amityvox.app.voice.channelId")
    return channel_id


async def test_a_voice_channel_meshes_three_people(server: Server, media_browser: Any) -> None:
    owner, bob, carol = await guild_with(media_browser, server, "Band", "alice", "bob", "carol")
    guild_id = await owner.page.evaluate("amityvox.app.ui.guildId")
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels",
        json={"name": "Lounge", "channel_type": "voice"},
        headers=auth(await owner.token()),
    )
    assert r.status_code == 201, r.text
    for person in (owner, bob, carol):
        await person.page.get_by_role("button", name="Lounge, voice channel").click()
        await person.page.locator(".voice-panel", has_text="Voice connected").wait_for()
    for person in (owner, bob, carol):
        await audio_flows(person, 2)
    # The fake microphone beeps: its owner's entry lights up for the others as they hear it.
    await owner.page.locator(".voice-person.speaking", has_text="carol").wait_for(timeout=20000)

    # Bob deafens: his audio elements go quiet (and he is muted with it).
    await bob.page.get_by_role("button", name="Deafen").click()
    await until(
        bob,
        "() => [...document.querySelectorAll('#voice-audio audio')].every((a) => a.muted)"
        " && amityvox.app.voice.local.getAudioTracks().every((t) => !t.enabled)",
    )
    await bob.page.get_by_role("button", name="Undeafen").click()

    # A moderator's server mute silences Carol's microphone track in her own page.
    carol_id = await self_id(carol)
    r = await server.http.post(
        f"{API}/voice/{await voice_channel(owner)}/members/{carol_id}/mute",
        json={"mute": True},
        headers=auth(await owner.token()),
    )
    assert r.status_code == 200, r.text
    await until(carol, "() => amityvox.app.voice.stats().then((s) => Object.values(s).every((p) => !p.sending))")

    # Carol leaves: the two others drop her connection and keep theirs.
    await carol.page.get_by_role("button", name="Leave voice").click()
    for person in (owner, bob):
        await until(person, "() => amityvox.app.voice.link.peers.size === 1")
        await audio_flows(person, 1)
    for person in (owner, bob, carol):
        await person.finish()


# True once the page's video bytes (field `what` of every peer's stats: videoSent or
# videoReceived) grew since the previous poll (window.__vx keeps the last figures).
VIDEO_GROWING = """async (what) => {
  const stats = await amityvox.app.voice.stats();
  const ids = Object.keys(stats);
  const last = window.__vx ?? {};
  window.__vx = Object.fromEntries(ids.map((id) => [id, stats[id][what]]));
  return ids.length > 0 && ids.every((id) => last[id] > 0 && stats[id][what] > last[id]);
}"""

# True once the page's sent video bytes stayed the same over five polls in a row.
VIDEO_STILL = """async () => {
  const stats = await amityvox.app.voice.stats();
  const now = JSON.stringify(Object.values(stats).map((p) => p.videoSent));
  window.__same = now === window.__lastSent ? (window.__same ?? 0) + 1 : 0;
  window.__lastSent = now;
  return window.__same >= 5;
}"""

# True once the microphone is open without noise suppression and that track is the one sent.
NEW_MICROPHONE_SENT = """() => {
  const voice = amityvox.app.voice;
  const mic = voice.micTrack();
  const [peer] = voice.link.peers.values();
  return mic?.getSettings().noiseSuppression === false && peer.pc.getTransceivers()[0].sender.track === mic;
}"""


async def video_grows(person: Person, what: str) -> None:
    await person.page.evaluate("window.__vx = {}")
    await until(person, VIDEO_GROWING, what)


async def test_a_camera_sends_video_to_the_other_side_and_stops_when_turned_off(
    server: Server, media_browser: Any
) -> None:
    alice, bob = await dm_call(server, media_browser)
    await audio_flows(bob, 1)

    # Alice turns her camera on: her video bytes flow to Bob, who sees her tile playing.
    await alice.page.get_by_role("button", name="Turn on camera").click()
    await alice.page.get_by_role("button", name="Turn off camera").wait_for()
    await video_grows(alice, "videoSent")
    await video_grows(bob, "videoReceived")
    await bob.page.locator(".voice-person", has_text="alice").get_by_label("camera on").wait_for()
    tile = bob.page.get_by_label("alice", exact=True).and_(bob.page.locator("video"))
    await tile.wait_for()
    await until(bob, "() => document.querySelector('#call-stage video[aria-label=\"alice\"]')?.videoWidth > 0")
    await alice.page.locator("#call-stage video[aria-label='alice']").wait_for()  # her own preview

    # Off: her camera track ends, her sent video bytes stop growing, and Bob's tile goes away.
    await alice.page.evaluate("window.__cam = amityvox.app.voice.camera")
    await alice.page.get_by_role("button", name="Turn off camera").click()
    await until(alice, "() => window.__cam.readyState === 'ended'")
    await until(alice, VIDEO_STILL)
    await tile.wait_for(state="detached")
    await audio_flows(bob, 1)  # the call goes on

    # Bob turns Alice down: her audio element plays at that volume, remembered in his browser.
    slider = bob.page.get_by_label("Volume of alice")
    await slider.fill("30")
    await until(
        bob, "() => [...document.querySelectorAll('#voice-audio audio')].every((a) => Math.abs(a.volume - 0.3) < 0.01)"
    )
    prefs = await bob.page.evaluate("JSON.parse(localStorage.getItem('amityvox.voice'))")
    assert abs(prefs["volumes"][await self_id(alice)] - 0.3) < 0.01

    # Push-to-talk: Alice's microphone sends only while the key is held; noise suppression off
    # opens the microphone again without it.
    await alice.page.get_by_role("button", name="Voice settings").click()
    await alice.page.get_by_label("Push to talk").check()
    sending = "() => amityvox.app.voice.stats().then((s) => Object.values(s).every((p) => p.sending === {}))"
    await until(alice, sending.format("false"))
    await alice.page.locator("body").click(position={"x": 5, "y": 5})
    await alice.page.keyboard.down("Backquote")
    await until(alice, sending.format("true"))
    await alice.page.keyboard.up("Backquote")
    await until(alice, sending.format("false"))
    await alice.page.get_by_label("Push to talk").uncheck()
    await alice.page.get_by_label("Noise suppression").uncheck()
    await until(alice, NEW_MICROPHONE_SENT)
    await audio_flows(bob, 1)
    for person in (alice, bob):
        await person.finish()


@pytest_asyncio.fixture(loop_scope="session")
async def livekit_server(tmp_path: Path) -> AsyncIterator[Server]:
    """A server whose web client is told to use LiveKit (none runs: the page's socket is intercepted)."""
    async for s in _serve(make_settings(tmp_path, livekit_web=True, livekit_url=LIVEKIT_URL)):
        yield s


LIVEKIT_URL = "ws://127.0.0.1:7880"


async def test_with_livekit_the_page_connects_to_the_server_endpoint_with_its_token(
    livekit_server: Server, media_browser: Any
) -> None:
    server = livekit_server
    alice, bob = await guild_with(media_browser, server, "Rooms", "alice", "bob")
    opened: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def fake_livekit(ws: Any) -> None:
        if not opened.done():  # not connected to any server: the page waits for LiveKit's answer
            opened.set_result(ws.url)

    await alice.page.route_web_socket(re.compile(r"^ws://127\.0\.0\.1:7880/"), fake_livekit)
    guild_id = await alice.page.evaluate("amityvox.app.ui.guildId")
    r = await server.http.post(
        f"{API}/guilds/{guild_id}/channels",
        json={"name": "Hall", "channel_type": "voice"},
        headers=auth(await alice.token()),
    )
    assert r.status_code == 201, r.text
    channel_id = r.json()["data"]["id"]
    await alice.page.get_by_role("button", name="Hall, voice channel").click()
    await alice.page.locator(".voice-panel", has_text="Voice connected").wait_for()
    await until(alice, "() => amityvox.app.voice?.media === 'livekit'")
    await until(alice, "() => !!amityvox.app.voice.local")  # the microphone is open, to publish

    # livekit-client opened its signalling socket at the endpoint, with the server's token for
    # this room and this user; no peer-to-peer connection was made.
    async with asyncio.timeout(20):  # bounds a failure: the page never connected to LiveKit
        socket_url = await opened
    url = urlsplit(socket_url)
    assert f"{url.scheme}://{url.netloc}" == LIVEKIT_URL and url.path.startswith("/rtc"), socket_url
    [token] = parse_qs(url.query)["access_token"]
    settings = server.ctx.settings
    claims = livekit.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret).verify(token)
    assert claims.identity == await self_id(alice)
    assert claims.video is not None and claims.video.room == channel_id and claims.video.room_join
    assert "microphone" in (claims.video.can_publish_sources or [])
    assert await alice.page.evaluate("amityvox.app.voice.link.token") == token
    assert await alice.page.evaluate("amityvox.app.voice.link.peers") is None

    # Leaving closes the room and releases the microphone.
    await alice.page.evaluate("window.__mic = amityvox.app.voice.local.getTracks()")
    await alice.page.get_by_role("button", name="Leave voice").click()
    await until(alice, "() => amityvox.app.voice === null && window.__mic.every((t) => t.readyState === 'ended')")
    for person in (alice, bob):
        await person.finish()
