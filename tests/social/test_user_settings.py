"""A user's own settings: defaults, partial changes, validation, other sessions following, privacy rules."""

from __future__ import annotations

from tests.conftest import Server
from tests.gateway.wsclient import Raw
from tests.messages.helpers import API, person, room

DEFAULTS = {
    "theme": "dark",
    "desktop_notifications": True,
    "notification_sounds": True,
    "notification_sound_preset": "default",
    "notification_volume": 80,
    "dm_privacy": "everyone",
    "friend_request_privacy": "everyone",
    "nsfw_content_filter": "blur_suspicious",
    "custom_themes": [],
    "custom_css": "",
}


async def test_a_new_user_has_the_defaults(server: Server) -> None:
    me = await person(server, "fresh")
    r = await server.http.get(f"{API}/users/@me/settings", headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"user_id": me.id, **DEFAULTS}


async def test_a_change_keeps_the_rest_and_reaches_the_users_other_sessions_only(server: Server) -> None:
    rm = await room(server)
    other_tab = await Raw.connect(server.url)
    await other_tab.identify(rm.member.token)
    stranger = await Raw.connect(server.url)
    await stranger.identify(rm.owner.token)
    schedule = {"enabled": True, "startHour": 23, "startMinute": 0, "endHour": 7, "endMinute": 30}
    change = {"theme": "light", "locale": "pt-BR", "notification_volume": 35, "dnd_schedule": schedule}
    r = await server.http.patch(f"{API}/users/@me/settings", json=change, headers=rm.member.headers)
    assert r.status_code == 200, r.text
    expected = {"user_id": rm.member.id, **DEFAULTS, **change}
    assert r.json()["data"] == expected
    event = await other_tab.wait_for("USER_SETTINGS_UPDATE")
    assert event["d"] == expected
    r = await server.http.patch(f"{API}/users/@me/settings", json={"locale": None}, headers=rm.member.headers)
    assert "locale" not in r.json()["data"] and r.json()["data"]["theme"] == "light"
    fetched = (await server.http.get(f"{API}/users/@me/settings", headers=rm.member.headers)).json()["data"]
    assert fetched == r.json()["data"]
    await server.settle()
    assert [e.data["user_id"] for e in server.recorder.events if e.name == "USER_SETTINGS_UPDATE"] == [rm.member.id] * 2
    await stranger.fence()
    assert not [f for f in stranger.dispatches if f["t"] == "USER_SETTINGS_UPDATE"]
    await other_tab.close()
    await stranger.close()


async def test_the_original_clients_sync_is_kept_as_sent(server: Server) -> None:
    me = await person(server, "themer")
    theme = {"name": "Dusk", "colors": {"brand-500": "#3f51b5", "bg-primary": "#1e1f22"}, "createdAt": "2026-01-01"}
    body = {
        "dnd_schedule": {"enabled": False, "startHour": 22, "startMinute": 15, "endHour": 6, "endMinute": 0},
        "custom_themes": [theme],
        "active_custom_theme": "Dusk",
        "notification_sound_preset": "chime",
        "notification_volume": 80,
    }
    r = await server.http.patch(f"{API}/users/@me/settings", json=body, headers=me.headers)
    assert r.status_code == 200, r.text
    got = (await server.http.get(f"{API}/users/@me/settings", headers=me.headers)).json()["data"]
    assert {k: got[k] for k in body} == body


async def test_bad_settings_are_refused_and_change_nothing(server: Server) -> None:
    me = await person(server, "picky")
    for body in (
        {"theme": "Not A Theme!"},
        {"notification_volume": 101},
        {"notification_volume": "80"},
        {"desktop_notifications": 1},
        {"dm_privacy": "strangers"},
        {"locale": "english please"},
        {"dnd_schedule": {"enabled": True, "startHour": 24, "startMinute": 0, "endHour": 7, "endMinute": 0}},
        {"favourite_colour": "green"},
        {"custom_css": "x" * 10001},
    ):
        r = await server.http.patch(f"{API}/users/@me/settings", json=body, headers=me.headers)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["code"] == "invalid_body"
    got = (await server.http.get(f"{API}/users/@me/settings", headers=me.headers)).json()["data"]
    assert got == {"user_id": me.id, **DEFAULTS}
    await server.settle()
    assert server.recorder.of("USER_SETTINGS_UPDATE") == []


async def test_an_unchanged_patch_publishes_nothing(server: Server) -> None:
    me = await person(server, "steady")
    r = await server.http.patch(f"{API}/users/@me/settings", json={"theme": "dark"}, headers=me.headers)
    assert r.status_code == 200
    await server.settle()
    assert server.recorder.of("USER_SETTINGS_UPDATE") == []


async def test_ready_carries_the_settings(server: Server) -> None:
    me = await person(server, "ready")
    await server.http.patch(f"{API}/users/@me/settings", json={"theme": "light"}, headers=me.headers)
    ws = await Raw.connect(server.url)
    ready = await ws.identify(me.token)
    assert ready["settings"] == {"user_id": me.id, **DEFAULTS, "theme": "light"}
    await ws.close()


async def test_dm_privacy_decides_who_may_open_a_dm(server: Server) -> None:
    rm = await room(server)
    private = rm.member
    await server.http.patch(f"{API}/users/@me/settings", json={"dm_privacy": "friends"}, headers=private.headers)
    r = await server.http.post(f"{API}/users/{private.id}/dm", headers=rm.owner.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "dm_privacy"
    assert (await server.http.put(f"{API}/users/{private.id}/friend", headers=rm.owner.headers)).status_code == 201
    assert (await server.http.put(f"{API}/users/{rm.owner.id}/friend", headers=private.headers)).status_code == 200
    r = await server.http.post(f"{API}/users/{private.id}/dm", headers=rm.owner.headers)
    assert r.status_code == 201, r.text
    await server.http.patch(f"{API}/users/@me/settings", json={"dm_privacy": "nobody"}, headers=private.headers)
    r = await server.http.post(f"{API}/users/{private.id}/dm", headers=rm.outsider.headers)
    assert r.status_code == 403
    # The DM that exists stays open to them.
    assert (await server.http.post(f"{API}/users/{private.id}/dm", headers=rm.owner.headers)).status_code == 200


async def test_friend_request_privacy_decides_who_may_ask(server: Server) -> None:
    rm = await room(server)
    picky = rm.member
    body = {"friend_request_privacy": "mutual_guilds"}
    await server.http.patch(f"{API}/users/@me/settings", json=body, headers=picky.headers)
    r = await server.http.put(f"{API}/users/{picky.id}/friend", headers=rm.outsider.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "friend_request_privacy"
    assert (await server.http.put(f"{API}/users/{picky.id}/friend", headers=rm.owner.headers)).status_code == 201
    body = {"friend_request_privacy": "nobody"}
    await server.http.patch(f"{API}/users/@me/settings", json=body, headers=picky.headers)
    # Asking someone who shuts requests out is still possible, and so is accepting an earlier request.
    assert (await server.http.put(f"{API}/users/{rm.outsider.id}/friend", headers=picky.headers)).status_code == 201
    assert (await server.http.put(f"{API}/users/{rm.owner.id}/friend", headers=picky.headers)).status_code == 200
