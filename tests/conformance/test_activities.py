"""Conformance scenarios for activities, games, watch-together, music parties and bots.

Channel events run in #secret (its viewers only) and, for a few, in the actor's DM. Bot
events need one more person: a bot the actor owns, connected with its own token as the
session "bot", a member of the guild with the insider role, so it can view #secret.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import update

from amityvox.client import RestClient
from amityvox.db.schema import interactions
from amityvox.services.activities import BUILTIN_ACTIVITIES
from amityvox.services.interactions import time_out_unanswered
from tests.conformance.cast import Cast
from tests.conformance.harness import Scenario, exercise, verdict

Step = Callable[[Cast], Awaitable[Any]]
SKETCH = BUILTIN_ACTIVITIES[0]["id"]  # state_updates "participants": anyone who joined may write
VIDEO = "https://video.example/film.mp4"
TRACK = {"title": "Song", "url": "https://music.example/song.mp3", "artist": "Band", "duration_ms": 180_000}


async def _then(c: Cast, setup: Step, action: Step) -> None:
    """Run `setup`, let its events settle and forget them, then run the action under test."""
    await setup(c)
    await c.settle()
    c.mark()
    await action(c)


def _newest(c: Cast, event: str) -> str:
    """The id of the newest object the actor's first session saw `event` announce."""
    return str([d["id"] for name, d in c.seen_all("actor#1") if name == event][-1])


async def _post(c: Cast, person: str, path: str, body: Any = None) -> Any:
    return await c.rest[person].request("POST", path, json=body)


# ---- activities ---------------------------------------------------------------------------------


async def _start_activity(c: Cast, channel: str | None = None) -> Any:
    return await _post(c, "actor", f"/activities/{SKETCH}/sessions", {"channel_id": channel or c.secret})


async def _activity_joined(c: Cast) -> None:
    await _start_activity(c)
    await c.settle()
    await _post(c, "member", f"/activities/sessions/{_newest(c, 'ACTIVITY_SESSION_START')}/join")


def _session(c: Cast) -> str:
    return _newest(c, "ACTIVITY_SESSION_START")


# ---- games --------------------------------------------------------------------------------------


async def _create_game(c: Cast, channel: str | None = None) -> Any:
    return await _post(c, "actor", "/games", {"channel_id": channel or c.secret, "game_type": "tictactoe"})


def _game(c: Cast) -> str:
    return _newest(c, "GAME_SESSION_CREATE")


async def _game_seated(c: Cast, channel: str | None = None, opponent: str = "member") -> None:
    await _create_game(c, channel)
    await c.settle()
    await _post(c, opponent, f"/games/{_game(c)}/join")


# ---- watch-together and music parties -----------------------------------------------------------


async def _start_watch(c: Cast) -> Any:
    return await _post(c, "actor", "/watch-together", {"channel_id": c.secret, "video_url": VIDEO, "title": "Film"})


async def _start_party(c: Cast, channel: str | None = None) -> Any:
    return await _post(c, "actor", "/music-party", {"channel_id": channel or c.secret})


# ---- bots ---------------------------------------------------------------------------------------


async def _bot_joins(c: Cast) -> None:
    """The actor's bot joins the cast: a guild member with the insider role, connected as "bot"."""
    bot = await _post(c, "actor", "/users/@me/bots", {"username": "helperbot"})
    bot_id = bot["user"]["id"]
    issued = await _post(c, "actor", f"/bots/{bot_id}/tokens")
    c.users["bot"] = issued["user"]
    c.rest["bot"] = RestClient(c.url, token=issued["token"])
    code = (await c.rest["actor"].create_invite(c.guild_id))["code"]
    await c.rest["bot"].accept_invite(code)
    await c.rest["actor"].add_member_role(c.guild_id, bot_id, c.insider_role)
    client = await c.connect("bot", "bot")
    await client.synced()


async def _bot_posts(c: Cast) -> None:
    await _bot_joins(c)
    await c.rest["bot"].send_message(c.secret, "Ready? [yes] [no]")


async def _click(c: Cast) -> Any:
    message = [d["id"] for name, d in c.seen_all("bot") if name == "MESSAGE_CREATE"][-1]
    click = {"message_id": message, "channel_id": c.secret, "custom_id": "ready:yes", "component_type": "button"}
    return await _post(c, "member", "/bots/interactions", click)


ROLL = {
    "name": "roll",
    "description": "Roll a die",
    "options": [
        {"type": 4, "name": "sides", "description": "Sides", "required": True, "min_value": 2},
        {"type": 3, "name": "label", "description": "What for", "autocomplete": True},
    ],
}


async def _bot_registers(c: Cast) -> None:
    """The actor's bot joins and registers /roll, which the member then sees in #secret."""
    await _bot_joins(c)
    await c.rest["bot"].request("PUT", f"/applications/{c.id('bot')}/commands", json=[ROLL])


async def _register(c: Cast, *, guild: bool = False) -> Any:
    scope = f"/guilds/{c.guild_id}" if guild else ""
    return await c.rest["bot"].request("POST", f"/applications/{c.id('bot')}{scope}/commands", json=ROLL)


async def _change_roll(c: Cast, method: str) -> Any:
    [roll] = await c.rest["bot"].request("GET", f"/applications/{c.id('bot')}/commands")
    body = {"description": "Roll one die"} if method == "PATCH" else None
    return await c.rest["bot"].request(method, f"/applications/{c.id('bot')}/commands/{roll['id']}", json=body)


def _bot_guild(c: Cast) -> set[str]:
    """A command usable in the guild reaches every member with a session, the bot included."""
    return c.guild | {"bot"}


async def _use_roll(c: Cast, *, typing_label: bool = False) -> Any:
    options: list[dict[str, Any]] = [{"name": "sides", "value": 20}]
    if typing_label:
        options.append({"name": "label", "value": "init", "focused": True})
    use = {"type": 4 if typing_label else 2, "channel_id": c.secret, "data": {"name": "roll", "options": options}}
    return await _post(c, "member", "/interactions", use)


async def _roll_used(c: Cast, *, typing_label: bool = False) -> None:
    await _bot_registers(c)
    await _use_roll(c, typing_label=typing_label)


async def _answer(c: Cast, body: dict[str, Any]) -> Any:
    use = [d for name, d in c.seen_all("bot") if name == "INTERACTION_CREATE"][-1]
    return await _post(c, "bot", f"/interactions/{use['id']}/{use['token']}/callback", body)


NOTE_MODAL = {
    "custom_id": "note",
    "title": "A note",
    "components": [{"type": 1, "components": [{"type": 4, "custom_id": "title", "style": 1, "label": "Title"}]}],
}


async def _modal_sent(c: Cast) -> None:
    await _roll_used(c)
    await c.settle()
    await _answer(c, {"type": 9, "data": NOTE_MODAL})


async def _submit_note(c: Cast) -> Any:
    row = {"type": 1, "components": [{"type": 4, "custom_id": "title", "value": "Hello"}]}
    return await _post(c, "member", "/interactions", {"type": 5, "data": {"custom_id": "note", "components": [row]}})


async def _bot_too_late(c: Cast) -> int:
    """The bot leaves the member's /roll unanswered past its deadline, and the sweep runs."""
    async with c.server.ctx.db.begin() as conn:
        await conn.execute(update(interactions).values(respond_by="2000-01-01T00:00:00.000000Z"))
    return await time_out_unanswered(c.server.ctx)


async def _set_bot_presence(c: Cast) -> Any:
    presence = {"status": "idle", "activity": {"type": "playing", "name": "with buttons"}}
    return await c.rest["actor"].request("PUT", f"/bots/{c.id('bot')}/presence", json=presence)


def _bot_social(c: Cast) -> set[str]:
    """Who holds the bot's profile, so hears its presence: its own session; every guild co-member
    with a session (both actor sessions, member, hidden, moderator; seeing #secret does not
    matter); and its DM peer, outsider. The bot has no friends; friend and dm_peer share
    nothing with it, and banned is not a member.
    """
    return c.guild | {"bot", "outsider"}


async def _bot_opens_dm(c: Cast) -> None:
    """The bot joins the cast and opens a DM with the outsider, who shares no guild with it."""
    await _bot_joins(c)
    await c.rest["bot"].open_dm(c.id("outsider"))


SCENARIOS = [
    # activities
    Scenario("ACTIVITY_SESSION_START", lambda c: _start_activity(c), lambda c: c.secret_viewers),
    Scenario(
        "ACTIVITY_PARTICIPANT_JOIN",
        lambda c: _then(c, _start_activity, lambda c: _post(c, "member", f"/activities/sessions/{_session(c)}/join")),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "ACTIVITY_PARTICIPANT_JOIN",
        lambda c: _then(
            c,
            lambda c: _start_activity(c, c.dm),
            lambda c: _post(c, "dm_peer", f"/activities/sessions/{_session(c)}/join"),
        ),
        lambda c: c.actor | {"dm_peer"},
        "dm",
    ),
    Scenario(
        "ACTIVITY_PARTICIPANT_LEAVE",
        lambda c: _then(c, _activity_joined, lambda c: _post(c, "member", f"/activities/sessions/{_session(c)}/leave")),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "ACTIVITY_STATE_UPDATE",
        lambda c: _then(
            c,
            _activity_joined,
            lambda c: c.rest["member"].request(
                "PATCH", f"/activities/sessions/{_session(c)}/state", json={"state": {"strokes": [[0, 0, 4, 4]]}}
            ),
        ),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "ACTIVITY_SESSION_END",
        lambda c: _then(c, _activity_joined, lambda c: _post(c, "actor", f"/activities/sessions/{_session(c)}/end")),
        lambda c: c.secret_viewers,
    ),
    # games
    Scenario("GAME_SESSION_CREATE", lambda c: _create_game(c), lambda c: c.secret_viewers),
    Scenario(
        "GAME_PLAYER_JOIN",
        lambda c: _then(c, _create_game, lambda c: _post(c, "member", f"/games/{_game(c)}/join")),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "GAME_MOVE",
        lambda c: _then(c, _game_seated, lambda c: _post(c, "actor", f"/games/{_game(c)}/move", {"move": 4})),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "GAME_MOVE",
        lambda c: _then(
            c,
            lambda c: _game_seated(c, c.dm, "dm_peer"),
            lambda c: _post(c, "actor", f"/games/{_game(c)}/move", {"move": {"cell": 0}}),
        ),
        lambda c: c.actor | {"dm_peer"},
        "dm",
    ),
    # watch-together and music parties
    Scenario("WATCH_TOGETHER_START", lambda c: _start_watch(c), lambda c: c.secret_viewers),
    Scenario(
        "WATCH_TOGETHER_SYNC",
        lambda c: _then(
            c,
            _start_watch,
            lambda c: _post(
                c,
                "actor",
                f"/watch-together/{_newest(c, 'WATCH_TOGETHER_START')}/sync",
                {"current_time_ms": 90_000, "playing": True, "playback_rate": 1.5},
            ),
        ),
        lambda c: c.secret_viewers,
    ),
    Scenario("MUSIC_PARTY_START", lambda c: _start_party(c), lambda c: c.secret_viewers),
    Scenario(
        "MUSIC_PARTY_QUEUE_ADD",
        lambda c: _then(
            c,
            _start_party,
            lambda c: _post(c, "member", f"/music-party/{_newest(c, 'MUSIC_PARTY_START')}/queue", {"track": TRACK}),
        ),
        lambda c: c.secret_viewers,
    ),
    # bots
    Scenario("COMPONENT_INTERACTION", lambda c: _then(c, _bot_posts, _click), lambda c: {"bot"}),
    Scenario("BOT_PRESENCE_UPDATE", lambda c: _then(c, _bot_opens_dm, _set_bot_presence), _bot_social),
    Scenario("INTERACTION_CREATE", lambda c: _then(c, _bot_registers, _use_roll), lambda c: {"bot"}),
    Scenario("APPLICATION_COMMAND_CREATE", lambda c: _then(c, _bot_joins, _register), _bot_guild),
    Scenario(
        "APPLICATION_COMMAND_CREATE",
        lambda c: _then(c, _bot_joins, lambda c: _register(c, guild=True)),
        _bot_guild,
        label="guild",
    ),
    Scenario(
        "APPLICATION_COMMAND_UPDATE", lambda c: _then(c, _bot_registers, lambda c: _change_roll(c, "PATCH")), _bot_guild
    ),
    Scenario(
        "APPLICATION_COMMAND_DELETE",
        lambda c: _then(c, _bot_registers, lambda c: _change_roll(c, "DELETE")),
        _bot_guild,
    ),
    Scenario(
        "EPHEMERAL_MESSAGE_CREATE",
        lambda c: _then(c, _roll_used, lambda c: _answer(c, {"type": 4, "data": {"content": "17", "flags": 64}})),
        lambda c: {"member"},
    ),
    Scenario(
        "INTERACTION_MODAL_CREATE",
        lambda c: _then(c, _roll_used, lambda c: _answer(c, {"type": 9, "data": NOTE_MODAL})),
        lambda c: {"member"},
    ),
    Scenario("INTERACTION_TIMEOUT", lambda c: _then(c, _roll_used, _bot_too_late), lambda c: {"member"}),
    Scenario(
        "INTERACTION_CREATE",
        lambda c: _then(c, _modal_sent, _submit_note),
        lambda c: {"bot"},
        label="modal_submit",
    ),
    Scenario(
        "APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE",
        lambda c: _then(
            c,
            lambda c: _roll_used(c, typing_label=True),
            lambda c: _answer(c, {"type": 8, "data": {"choices": [{"name": "Initiative", "value": "initiative"}]}}),
        ),
        lambda c: {"member"},
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_event_reaches_exactly_its_audience_and_converges(cast: Cast, scenario: Scenario) -> None:
    result = await exercise(cast, scenario)
    assert not verdict(result), verdict(result)
