"""Watch-together sessions and music parties."""

from __future__ import annotations

from sqlalchemy import insert

from amityvox.db.schema import music_parties, music_party_tracks, watch_sessions
from amityvox.ids import now_iso
from amityvox.services.music_party import MAX_QUEUE
from tests.activities.helpers import API, data, events, mute, refused, rows
from tests.conftest import Server
from tests.messages.helpers import room

VIDEO = "https://videos.example/cats.mp4"


async def test_watch_together_start_and_host_sync(server: Server) -> None:
    rm = await room(server)
    body = {"channel_id": rm.channel_id, "video_url": VIDEO, "title": "Cats"}
    await refused(server, await server.http.post(f"{API}/watch-together", json=body, headers=rm.outsider.headers),
                  404, "not_found")  # fmt: skip
    for bad_url in ("ftp://videos.example/cats.mp4", "javascript:alert(1)", "https://"):
        r = await server.http.post(f"{API}/watch-together", json={**body, "video_url": bad_url},
                                   headers=rm.owner.headers)  # fmt: skip
        await refused(server, r, 400, "invalid_url")
    assert await rows(server, watch_sessions) == 0

    session = data(await server.http.post(f"{API}/watch-together", json=body, headers=rm.owner.headers), 201)
    assert (session["host_id"], session["video_url"], session["title"]) == (rm.owner.id, VIDEO, "Cats")
    assert (session["current_time_ms"], session["playing"], session["playback_rate"]) == (0, False, 1.0)
    assert await events(server) == [("WATCH_TOGETHER_START", session)]

    sync = f"{API}/watch-together/{session['id']}/sync"
    state = {"current_time_ms": 90_500, "playing": True, "playback_rate": 1.5}
    synced = data(await server.http.post(sync, json=state, headers=rm.owner.headers))
    assert synced["current_time_ms"] == 90_500 and synced["playing"] is True
    assert await events(server) == [
        ("WATCH_TOGETHER_SYNC", {"session_id": session["id"], **state, "channel_id": rm.channel_id})
    ]
    # Only the host steers; bad positions and speeds are refused; nothing changes.
    await refused(server, await server.http.post(sync, json=state, headers=rm.member.headers), 403, "not_host")
    await refused(server, await server.http.post(sync, json=state, headers=rm.outsider.headers), 404, "not_found")
    for bad in ({**state, "current_time_ms": -1}, {**state, "playback_rate": 4.5}, {**state, "playback_rate": 0.1},
                {**state, "playing": "yes"}, {"playing": True}):  # fmt: skip
        await refused(server, await server.http.post(sync, json=bad, headers=rm.owner.headers), 400, "validation_error")
    fetched = data(await server.http.get(f"{API}/watch-together/{session['id']}", headers=rm.member.headers))
    assert fetched == {**session, **state}


async def test_music_party_queue(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    url = f"{API}/music-party"
    await refused(server, await server.http.post(url, json={"channel_id": rm.channel_id}, headers=rm.outsider.headers),
                  404, "not_found")  # fmt: skip
    party = data(await server.http.post(url, json={"channel_id": rm.channel_id}, headers=rm.owner.headers), 201)
    assert (party["host_id"], party["queue"], party["current_index"], party["playing"]) == (rm.owner.id, [], 0, False)
    assert await events(server) == [("MUSIC_PARTY_START", party)]

    queue = f"{url}/{party['id']}/queue"
    track = {"title": "Song", "url": "https://music.example/song.mp3", "duration_ms": 185_000}
    added = data(await server.http.post(queue, json={"track": track}, headers=rm.member.headers), 201)
    expect = {**track, "added_by": rm.member.id}
    assert added["track"] == expect and added["queue_size"] == 1
    queued = {"session_id": party["id"], "track": expect, "queue_size": 1, "channel_id": rm.channel_id}
    assert await events(server) == [("MUSIC_PARTY_QUEUE_ADD", queued)]

    for bad in ({"track": {**track, "url": "file:///etc/passwd"}}, {"track": {"url": track["url"]}},
                {"track": {**track, "duration_ms": -5}}, {"track": {**track, "extra": 1}}):  # fmt: skip
        r = await server.http.post(queue, json=bad, headers=rm.member.headers)
        assert r.status_code == 400 and r.json()["error"]["code"] in ("invalid_url", "validation_error"), r.text
        await refused(server, r, 400, r.json()["error"]["code"])
    await refused(server, await server.http.post(queue, json={"track": track}, headers=rm.outsider.headers), 404,
                  "not_found")  # fmt: skip
    await mute(server, rm)
    await refused(server, await server.http.post(queue, json={"track": track}, headers=rm.member.headers), 403,
                  "missing_permission")  # fmt: skip
    assert await rows(server, music_party_tracks) == 1

    # Fill the queue up to the cap in one go, then one more is refused.
    data(await server.http.post(queue, json={"track": track}, headers=rm.owner.headers), 201)
    filler = [
        {"party_id": party["id"], "position": i, "url": track["url"], "title": f"t{i}", "added_by": rm.owner.id,
         "added_at": now_iso()}
        for i in range(2, MAX_QUEUE)
    ]  # fmt: skip
    async with server.ctx.db.begin() as conn:
        await conn.execute(insert(music_party_tracks), filler)
    server.recorder.clear()
    await refused(server, await server.http.post(queue, json={"track": track}, headers=rm.owner.headers), 409,
                  "queue_full")  # fmt: skip
    fetched = data(await server.http.get(f"{url}/{party['id']}", headers=rm.member.headers))
    assert len(fetched["queue"]) == MAX_QUEUE and fetched["queue"][0] == expect
    assert await rows(server, music_parties) == 1
