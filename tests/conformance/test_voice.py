"""Conformance scenarios for voice, calls, soundboard, broadcasts, screen shares, announcements
and notifications.

Voice scenarios play in a voice channel of the cast's guild that "hidden" may not view (a
member overwrite denies it ViewChannel), so its audience is `c.guild - {"hidden"}`: private
voice stays private. Call scenarios play in the actor's DM with "dm_peer". VOICE_SERVER_UPDATE
goes to the joining user, i.e. both of the actor's sessions. Announcements go to every
connected session, banned users and strangers included. Notifications go to their owner only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from amityvox.permissions import Perm
from amityvox.services.auth import set_admin
from tests.conformance.cast import SESSIONS, Cast
from tests.conformance.harness import Scenario, exercise, verdict

Step = Callable[[Cast], Awaitable[Any]]
VOICE_NAME = "lounge"


async def _then(c: Cast, setup: Step, action: Step) -> None:
    """Run `setup`, let its events settle and forget them, then run the action under test."""
    await setup(c)
    await c.settle()
    c.mark()
    await action(c)


def _steps(*steps: Step) -> Step:
    async def run(c: Cast) -> None:
        for step in steps:
            await step(c)

    return run


def _last(c: Cast, event: str, key: str = "actor#1") -> dict[str, Any]:
    """The newest payload of `event` session `key` received."""
    return [d for name, d in c.seen_all(key) if name == event][-1]


def _request(c: Cast, person: str, method: str, path: str, body: Any = None) -> Any:
    return c.rest[person].request(method, path, json=body)


# ---- voice channel and calls --------------------------------------------------------------------


def _voice_viewers(c: Cast) -> set[str]:
    return c.guild - {"hidden"}


def _call(c: Cast) -> set[str]:
    return c.actor | {"dm_peer"}


def _voice(c: Cast) -> str:
    """The id of the guild's voice channel (made by `_make_voice`)."""
    created = [d for name, d in c.seen_all("actor#1") if name == "CHANNEL_CREATE" and d.get("channel_type") == "voice"]
    return str(created[-1]["id"])


async def _make_voice(c: Cast) -> None:
    voice = await c.rest["actor"].create_channel(c.guild_id, VOICE_NAME, channel_type="voice")
    await c.rest["actor"].put_overwrite(voice["id"], c.id("hidden"), "user", deny=int(Perm.ViewChannel))
    await c.settle()


def _where(channel: str) -> Callable[[Cast], str]:
    return _voice if channel == "voice" else lambda c: c.dm


def _join(channel: str) -> Step:
    async def step(c: Cast) -> None:
        await _request(c, "actor", "POST", f"/voice/{_where(channel)(c)}/join", {})

    return step


def _leave(channel: str) -> Step:
    async def step(c: Cast) -> None:
        await _request(c, "actor", "POST", f"/voice/{_where(channel)(c)}/leave")

    return step


# Setups: the guild's voice channel exists (and the actor is in it); the actor is in the DM call.
_in_voice = _steps(_make_voice, _join("voice"))
_in_call = _join("dm")


def _peer_joins(channel: str, peer: str) -> Step:
    async def step(c: Cast) -> None:
        await _request(c, peer, "POST", f"/voice/{_where(channel)(c)}/join", {})

    return step


def _signal(channel: str, peer: str) -> Step:
    async def step(c: Cast) -> None:
        body = {"to_user_id": c.id(peer), "kind": "offer", "sdp": "v=0\r\n"}
        await _request(c, "actor", "POST", f"/voice/{_where(channel)(c)}/signal", body)

    return step


# ---- soundboard ---------------------------------------------------------------------------------


async def _add_sound(c: Cast) -> None:
    await _request(c, "actor", "POST", f"/voice/{_voice(c)}/soundboard", {"name": "airhorn", "volume": 0.5})


def _sound_path(c: Cast, *parts: str) -> str:
    sound = _last(c, "SOUNDBOARD_SOUND_CREATE")["sound"]
    return "/".join([f"/voice/{_voice(c)}/soundboard/{sound['id']}", *parts])


# ---- broadcasts and screen shares ---------------------------------------------------------------


async def _broadcast(c: Cast) -> None:
    await _request(c, "actor", "POST", f"/voice/{_voice(c)}/broadcast", {"title": "Town hall"})


def _share(channel: str) -> Step:
    async def step(c: Cast) -> None:
        body = {"resolution": "1280x720", "framerate": 30, "audio_enabled": False}
        await _request(c, "actor", "POST", f"/voice/{_where(channel)(c)}/screen-share", body)

    return step


# ---- announcements ------------------------------------------------------------------------------


async def _announce(c: Cast) -> None:
    assert await set_admin(c.server.ctx, "actor")
    body = {"title": "Maintenance", "content": "Down for a minute at noon.", "severity": "warning"}
    await _request(c, "actor", "POST", "/admin/announcements", body)


def _announcement_path(c: Cast) -> str:
    return f"/admin/announcements/{_last(c, 'ANNOUNCEMENT_CREATE')['id']}"


# ---- notifications ------------------------------------------------------------------------------


def _mention(author: str, target: str) -> Step:
    async def step(c: Cast) -> None:
        await c.rest[author].send_message(c.general, f"hey <@{c.id(target)}>")

    return step


def _notification_path(c: Cast) -> str:
    return f"/notifications/{_last(c, 'NOTIFICATION_CREATE')['id']}"


_actor_notified = _mention("member", "actor")


def _everyone(c: Cast) -> set[str]:
    return set(SESSIONS)


SCENARIOS = [
    # voice states: to the viewers of the channel joined or left; a call's to its recipients
    Scenario("VOICE_STATE_UPDATE", lambda c: _then(c, _make_voice, _join("voice")), _voice_viewers, "join"),
    Scenario("VOICE_STATE_UPDATE", lambda c: _then(c, _in_voice, _leave("voice")), _voice_viewers, "leave"),
    Scenario("VOICE_STATE_UPDATE", _join("dm"), _call, "call"),
    Scenario("VOICE_SERVER_UPDATE", lambda c: _then(c, _make_voice, _join("voice")), lambda c: c.actor),
    Scenario("CALL_RING", _join("dm"), lambda c: {"dm_peer"}),
    # signalling: from one participant to one other, never to the rest of the channel
    Scenario(
        "VOICE_SIGNAL",
        lambda c: _then(c, _steps(_in_voice, _peer_joins("voice", "member")), _signal("voice", "member")),
        lambda c: {"member"},
    ),
    Scenario(
        "VOICE_SIGNAL",
        lambda c: _then(c, _steps(_in_call, _peer_joins("dm", "dm_peer")), _signal("dm", "dm_peer")),
        lambda c: {"dm_peer"},
        "call",
    ),
    # soundboard: sounds are the guild's; a play is heard in its channel
    Scenario("SOUNDBOARD_SOUND_CREATE", lambda c: _then(c, _make_voice, _add_sound), lambda c: c.guild),
    Scenario(
        "SOUNDBOARD_SOUND_DELETE",
        lambda c: _then(c, _steps(_make_voice, _add_sound), lambda c: _request(c, "actor", "DELETE", _sound_path(c))),
        lambda c: c.guild,
    ),
    Scenario(
        "SOUNDBOARD_PLAY",
        lambda c: _then(
            c, _steps(_in_voice, _add_sound), lambda c: _request(c, "actor", "POST", _sound_path(c, "play"), {})
        ),
        _voice_viewers,
    ),
    # broadcasts
    Scenario("VOICE_BROADCAST_START", lambda c: _then(c, _in_voice, _broadcast), _voice_viewers),
    Scenario(
        "VOICE_BROADCAST_END",
        lambda c: _then(
            c, _steps(_in_voice, _broadcast), lambda c: _request(c, "actor", "DELETE", f"/voice/{_voice(c)}/broadcast")
        ),
        _voice_viewers,
    ),
    # screen shares
    Scenario("SCREEN_SHARE_START", lambda c: _then(c, _in_voice, _share("voice")), _voice_viewers),
    Scenario("SCREEN_SHARE_START", lambda c: _then(c, _in_call, _share("dm")), _call, "call"),
    Scenario(
        "SCREEN_SHARE_UPDATE",
        lambda c: _then(
            c,
            _steps(_in_voice, _share("voice")),
            lambda c: _request(c, "actor", "PATCH", f"/voice/{_voice(c)}/screen-share", {"resolution": "1920x1080"}),
        ),
        _voice_viewers,
    ),
    Scenario(
        "SCREEN_SHARE_END",
        lambda c: _then(
            c,
            _steps(_in_voice, _share("voice")),
            lambda c: _request(c, "actor", "DELETE", f"/voice/{_voice(c)}/screen-share"),
        ),
        _voice_viewers,
    ),
    # announcements: to every identified session
    Scenario("ANNOUNCEMENT_CREATE", _announce, _everyone),
    Scenario(
        "ANNOUNCEMENT_UPDATE",
        lambda c: _then(
            c, _announce, lambda c: _request(c, "actor", "PATCH", _announcement_path(c), {"active": False})
        ),
        _everyone,
    ),
    Scenario(
        "ANNOUNCEMENT_DELETE",
        lambda c: _then(c, _announce, lambda c: _request(c, "actor", "DELETE", _announcement_path(c))),
        _everyone,
    ),
    # notifications: to their owner's sessions only
    Scenario("NOTIFICATION_CREATE", _mention("actor", "member"), lambda c: {"member"}),
    Scenario(
        "NOTIFICATION_UPDATE",
        lambda c: _then(
            c, _actor_notified, lambda c: _request(c, "actor", "PATCH", _notification_path(c), {"read": True})
        ),
        lambda c: c.actor,
    ),
    Scenario(
        "NOTIFICATION_DELETE",
        lambda c: _then(c, _actor_notified, lambda c: _request(c, "actor", "DELETE", _notification_path(c))),
        lambda c: c.actor,
    ),
    Scenario(
        "NOTIFICATION_MARK_ALL_READ",
        lambda c: _then(c, _actor_notified, lambda c: _request(c, "actor", "POST", "/notifications/mark-all-read")),
        lambda c: c.actor,
    ),
    Scenario(
        "NOTIFICATION_CLEAR_ALL",
        lambda c: _then(c, _actor_notified, lambda c: _request(c, "actor", "DELETE", "/notifications")),
        lambda c: c.actor,
    ),
]


def _nothing_seen_by_hidden(c: Cast) -> None:
    """The voice channel hidden cannot view leaks nothing about who is in it."""
    leaked = [name for name, d in c.seen_all("hidden") if d.get("channel_id") == _voice(c)]
    assert not leaked, f"hidden saw {leaked} from a channel it cannot view"


# What a scenario must show beyond delivery and convergence, by scenario id.
CHECKS: dict[str, Callable[[Cast], None]] = {
    "VOICE_STATE_UPDATE-join": _nothing_seen_by_hidden,
    "SOUNDBOARD_PLAY": _nothing_seen_by_hidden,
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_event_reaches_exactly_its_audience_and_converges(cast: Cast, scenario: Scenario) -> None:
    result = await exercise(cast, scenario)
    assert not verdict(result), verdict(result)
    CHECKS.get(scenario.id, lambda c: None)(cast)
