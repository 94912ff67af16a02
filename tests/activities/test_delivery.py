"""Over real WebSockets: channel events of every feature here reach viewers only."""

from __future__ import annotations

from amityvox.services.activities import BUILTIN_ACTIVITIES
from tests.activities.helpers import API, data, hide
from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.guilds.helpers import join as join_guild
from tests.messages.helpers import person, room

CHANNEL_EVENTS = {
    "ACTIVITY_SESSION_START", "ACTIVITY_PARTICIPANT_JOIN", "ACTIVITY_STATE_UPDATE", "ACTIVITY_PARTICIPANT_LEAVE",
    "ACTIVITY_SESSION_END", "GAME_SESSION_CREATE", "GAME_PLAYER_JOIN", "GAME_MOVE", "WATCH_TOGETHER_START",
    "WATCH_TOGETHER_SYNC", "MUSIC_PARTY_START", "MUSIC_PARTY_QUEUE_ADD",
}  # fmt: skip


async def test_a_member_who_cannot_view_the_channel_receives_none_of_its_events(server: Server) -> None:
    rm = await room(server)
    viewer = await person(server, "viewer")
    await join_guild(server, rm.owner.token, rm.guild_id, viewer.token)
    await hide(server, rm)  # the member stays in the guild but loses the channel
    ws_viewer, ws_hidden = await Raw.connect(server.url), await Raw.connect(server.url)
    try:
        await ws_viewer.identify(viewer.token)
        await ws_hidden.identify(rm.member.token)
        await ws_viewer.drain()
        await ws_hidden.drain()
        http, c, o, v = server.http, rm.channel_id, rm.owner.headers, viewer.headers

        s = data(await http.post(f"{API}/activities/{BUILTIN_ACTIVITIES[0]['id']}/sessions", json={"channel_id": c},
                                 headers=o), 201)["id"]  # fmt: skip
        data(await http.post(f"{API}/activities/sessions/{s}/join", headers=v))
        data(await http.patch(f"{API}/activities/sessions/{s}/state", json={"state": {"n": 1}}, headers=v))
        data(await http.post(f"{API}/activities/sessions/{s}/leave", headers=v))
        data(await http.post(f"{API}/activities/sessions/{s}/end", headers=o))
        game = {"channel_id": c, "game_type": "tictactoe"}
        g = data(await http.post(f"{API}/games", json=game, headers=o), 201)["id"]
        data(await http.post(f"{API}/games/{g}/join", headers=v))
        data(await http.post(f"{API}/games/{g}/move", json={"move": 4}, headers=o))
        w = data(await http.post(f"{API}/watch-together", json={"channel_id": c, "video_url": "https://v.example/a"},
                                 headers=o), 201)["id"]  # fmt: skip
        sync = {"current_time_ms": 1000, "playing": True, "playback_rate": 1.0}
        data(await http.post(f"{API}/watch-together/{w}/sync", json=sync, headers=o))
        m = data(await http.post(f"{API}/music-party", json={"channel_id": c}, headers=o), 201)["id"]
        track = {"title": "Song", "url": "https://m.example/s.mp3"}
        data(await http.post(f"{API}/music-party/{m}/queue", json={"track": track}, headers=v), 201)

        await ws_viewer.wait_for("MUSIC_PARTY_QUEUE_ADD")
        seen_by_viewer = {f["t"] for f in ws_viewer.dispatches}
        assert CHANNEL_EVENTS <= seen_by_viewer
        seen_by_hidden = {f["t"] for f in ws_hidden.dispatches + await ws_hidden.drain()}
        assert not seen_by_hidden & CHANNEL_EVENTS
    finally:
        await ws_viewer.close()
        await ws_hidden.close()
