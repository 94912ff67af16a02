"""Conformance scenarios for community and moderation: automod, raid lockdown, polls, scheduled
events, onboarding and channel groups.

Guild-wide events reach every member's sessions (`c.guild`). Polls go to their channel's
viewers: #secret's (`c.secret_viewers`) or the actor's DM (`c.actor | {"dm_peer"}`). AutoMod
actions go to the moderators and the author only, so the author is "member", a plain member:
automod never checks the owner or moderators.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from amityvox.ids import iso, utcnow
from tests.conformance.cast import Cast
from tests.conformance.harness import Scenario, exercise, verdict

BLOCKED = "forbiddenword"
Step = Callable[[Cast], Awaitable[Any]]


async def _then(c: Cast, setup: Step, action: Step) -> None:
    """Run `setup`, let its events settle and forget them, then run the action under test."""
    await setup(c)
    await c.settle()
    c.mark()
    await action(c)


def _last(c: Cast, event: str) -> dict[str, Any]:
    """The newest payload of `event` the actor's first session received."""
    return [d for name, d in c.seen_all("actor#1") if name == event][-1]


def _request(c: Cast, person: str, method: str, path: str, body: Any = None) -> Any:
    return c.rest[person].request(method, path, json=body)


# ---- automod ------------------------------------------------------------------------------------


def _word_rule(actions: list[str], **fields: Any) -> Step:
    async def setup(c: Cast) -> None:
        rule = {"name": "no bad words", "rule_type": "word", "config": {"words": [BLOCKED]}, "actions": actions}
        await _request(c, "actor", "POST", f"/guilds/{c.guild_id}/automod/rules", {**rule, **fields})

    return setup


def _member_says(channel: str) -> Step:
    async def action(c: Cast) -> None:
        await c.rest["member"].send_message(getattr(c, channel), f"this has a {BLOCKED} in it")

    return action


# ---- raid lockdown ------------------------------------------------------------------------------


def _lockdown(active: bool) -> Step:
    async def action(c: Cast) -> None:
        body = {"lockdown_active": active, "reason": "conformance"}
        await _request(c, "actor", "PATCH", f"/guilds/{c.guild_id}/raid-config", body)

    return action


# ---- polls --------------------------------------------------------------------------------------


def _poll(channel: str, *, anonymous: bool = False) -> Step:
    async def setup(c: Cast) -> None:
        body = {"question": "Lunch?", "options": ["pizza", "soup"], "anonymous": anonymous}
        await _request(c, "actor", "POST", f"/channels/{getattr(c, channel)}/polls", body)

    return setup


def _vote(person: str) -> Step:
    async def action(c: Cast) -> None:
        poll = _last(c, "POLL_CREATE")
        body = {"option_ids": [poll["options"][0]["id"]]}
        await _request(c, person, "POST", f"/channels/{poll['channel_id']}/polls/{poll['id']}/votes", body)

    return action


async def _close_poll(c: Cast) -> None:
    poll = _last(c, "POLL_CREATE")
    await _request(c, "actor", "POST", f"/channels/{poll['channel_id']}/polls/{poll['id']}/close")


# ---- scheduled events ---------------------------------------------------------------------------


async def _create_event(c: Cast) -> None:
    body = {"name": "Game night", "scheduled_start": iso(utcnow() + timedelta(hours=1)), "channel_id": c.general}
    await _request(c, "actor", "POST", f"/guilds/{c.guild_id}/events", body)


def _event_path(c: Cast, *parts: str) -> str:
    return "/".join([f"/guilds/{c.guild_id}/events/{_last(c, 'GUILD_EVENT_CREATE')['id']}", *parts])


# ---- onboarding ---------------------------------------------------------------------------------


async def _save_onboarding(c: Cast) -> None:
    body = {
        "enabled": True,
        "welcome_message": "Welcome!",
        "rules": ["be kind"],
        "default_channel_ids": [c.general],
        "prompts": [
            {
                "title": "What brings you here?",
                "required": True,
                "single_select": True,
                "options": [{"label": "Secrets", "role_ids": [c.insider_role], "channel_ids": [c.secret]}],
            }
        ],
    }
    await _request(c, "actor", "PUT", f"/guilds/{c.guild_id}/onboarding", body)


# ---- channel groups -----------------------------------------------------------------------------


async def _create_group(c: Cast) -> None:
    await _request(
        c, "actor", "POST", f"/guilds/{c.guild_id}/channel-groups", {"name": "Main", "channel_ids": [c.general]}
    )


def _group_path(c: Cast, *parts: str) -> str:
    return "/".join([f"/guilds/{c.guild_id}/channel-groups/{_last(c, 'CHANNEL_GROUP_CREATE')['id']}", *parts])


SCENARIOS = [
    # automod: to the moderators and the author, never to a bystander who saw the message
    Scenario(
        "AUTOMOD_ACTION",
        lambda c: _then(c, _word_rule(["delete"]), _member_says("general")),
        lambda c: c.moderators | {"member"},
        "delete",
    ),
    Scenario(
        "AUTOMOD_ACTION",
        lambda c: _then(c, _word_rule(["log", "timeout"], timeout_seconds=60), _member_says("secret")),
        lambda c: c.moderators | {"member"},
        "timeout",
    ),
    # raid lockdown
    Scenario("RAID_LOCKDOWN", _lockdown(True), lambda c: c.guild, "on"),
    Scenario("RAID_LOCKDOWN", lambda c: _then(c, _lockdown(True), _lockdown(False)), lambda c: c.guild, "off"),
    # polls
    Scenario("POLL_CREATE", _poll("secret"), lambda c: c.secret_viewers),
    Scenario("POLL_VOTE", lambda c: _then(c, _poll("secret"), _vote("member")), lambda c: c.secret_viewers),
    Scenario(
        "POLL_VOTE",
        lambda c: _then(c, _poll("secret", anonymous=True), _vote("member")),
        lambda c: c.secret_viewers,
        "anonymous",
    ),
    Scenario("POLL_CLOSE", lambda c: _then(c, _poll("secret"), _close_poll), lambda c: c.secret_viewers),
    Scenario("POLL_CLOSE", lambda c: _then(c, _poll("dm"), _close_poll), lambda c: c.actor | {"dm_peer"}, "dm"),
    # scheduled events
    Scenario("GUILD_EVENT_CREATE", _create_event, lambda c: c.guild),
    Scenario(
        "GUILD_EVENT_UPDATE",
        lambda c: _then(
            c, _create_event, lambda c: _request(c, "actor", "PATCH", _event_path(c), {"name": "Movie night"})
        ),
        lambda c: c.guild,
        "edit",
    ),
    Scenario(
        "GUILD_EVENT_UPDATE",
        lambda c: _then(c, _create_event, lambda c: _request(c, "hidden", "POST", _event_path(c, "rsvp"))),
        lambda c: c.guild,
        "rsvp",
    ),
    Scenario(
        "GUILD_EVENT_DELETE",
        lambda c: _then(c, _create_event, lambda c: _request(c, "actor", "DELETE", _event_path(c))),
        lambda c: c.guild,
    ),
    # onboarding
    Scenario("GUILD_ONBOARDING_UPDATE", _save_onboarding, lambda c: c.guild),
    # channel groups: to every member, including those who cannot view a listed channel
    Scenario("CHANNEL_GROUP_CREATE", _create_group, lambda c: c.guild),
    Scenario(
        "CHANNEL_GROUP_UPDATE",
        lambda c: _then(
            c, _create_group, lambda c: _request(c, "actor", "PATCH", _group_path(c), {"name": "Lobby", "position": 3})
        ),
        lambda c: c.guild,
    ),
    Scenario(
        "CHANNEL_GROUP_DELETE",
        lambda c: _then(c, _create_group, lambda c: _request(c, "actor", "DELETE", _group_path(c))),
        lambda c: c.guild,
    ),
    Scenario(
        "CHANNEL_GROUP_ITEMS_UPDATE",
        lambda c: _then(
            c,
            _create_group,
            lambda c: _request(c, "actor", "PUT", _group_path(c, "channels"), {"channel_ids": [c.secret, c.general]}),
        ),
        lambda c: c.guild,
    ),
]


def _voter_unnamed(c: Cast) -> None:
    votes = [d for log in c.seen.values() for name, d in log if name == "POLL_VOTE"]
    assert votes and all("user_id" not in d for d in votes), "an anonymous vote named its voter"


# What a scenario must show beyond delivery and convergence, by scenario id.
CHECKS: dict[str, Callable[[Cast], None]] = {"POLL_VOTE-anonymous": _voter_unnamed}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_event_reaches_exactly_its_audience_and_converges(cast: Cast, scenario: Scenario) -> None:
    result = await exercise(cast, scenario)
    assert not verdict(result), verdict(result)
    CHECKS.get(scenario.id, lambda c: None)(cast)
