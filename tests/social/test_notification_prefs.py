"""Channel notification preferences: stored per user and channel, and obeyed by the notification worker."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.messages.helpers import API, Person, dm, person, post, room

PREFS = f"{API}/notifications/preferences/channels"


async def _notified(server: Server, who: Person, channel_id: str, content: str) -> list[tuple[str, str]]:
    """Post as `who`; the (recipient, kind) notifications the message made."""
    server.recorder.clear()
    r = await post(server, who, channel_id, content)
    assert r.status_code == 201, r.text
    await server.settle()  # the worker handles MESSAGE_CREATE, then its own events are published
    await server.settle()
    return sorted((n["user_id"], n["type"]) for n in server.recorder.of("NOTIFICATION_CREATE"))


async def _set(server: Server, who: Person, channel_id: str, level: str, muted_until: str | None = None) -> Any:
    body = {"channel_id": channel_id, "level": level, "muted_until": muted_until}
    r = await server.http.patch(PREFS, json=body, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_preferences_are_listed_changed_and_reset(server: Server) -> None:
    rm = await room(server)
    assert (await server.http.get(PREFS, headers=rm.member.headers)).json()["data"] == []
    pref = await _set(server, rm.member, rm.channel_id, "none", "2999-01-01T00:00:00+02:00")
    assert pref == {
        "user_id": rm.member.id,
        "channel_id": rm.channel_id,
        "level": "none",
        "muted_until": "2998-12-31T22:00:00.000000Z",
    }
    await _set(server, rm.member, rm.channel_id, "mentions")
    listed = (await server.http.get(PREFS, headers=rm.member.headers)).json()["data"]
    assert listed == [{**pref, "level": "mentions", "muted_until": None}]
    assert (await server.http.get(PREFS, headers=rm.owner.headers)).json()["data"] == []
    assert (await server.http.delete(f"{PREFS}/{rm.channel_id}", headers=rm.member.headers)).status_code == 204
    assert (await server.http.delete(f"{PREFS}/{rm.channel_id}", headers=rm.member.headers)).status_code == 204
    assert (await server.http.get(PREFS, headers=rm.member.headers)).json()["data"] == []


async def test_bad_preferences_are_refused(server: Server) -> None:
    rm = await room(server)
    for body, status in (
        ({"channel_id": rm.channel_id, "level": "loud"}, 400),
        ({"channel_id": rm.channel_id, "level": "none", "muted_until": "tomorrow"}, 400),
        ({"channel_id": rm.channel_id, "level": "none", "muted_until": "2999-01-01T00:00:00"}, 400),
        ({"channel_id": rm.channel_id, "level": "all", "muted_until": "2999-01-01T00:00:00Z"}, 400),
        ({"channel_id": rm.channel_id, "level": "none"}, 404),  # the outsider cannot see the channel
    ):
        who = rm.outsider if status == 404 else rm.member
        r = await server.http.patch(PREFS, json=body, headers=who.headers)
        assert r.status_code == status, (body, r.text)


async def test_the_worker_follows_each_level(server: Server) -> None:
    rm = await room(server)
    mention = f"<@{rm.member.id}> look"
    assert await _notified(server, rm.owner, rm.channel_id, "plain") == []
    await _set(server, rm.member, rm.channel_id, "all")
    assert await _notified(server, rm.owner, rm.channel_id, "plain") == [(rm.member.id, "message")]
    assert await _notified(server, rm.owner, rm.channel_id, mention) == [(rm.member.id, "mention")]
    assert await _notified(server, rm.member, rm.channel_id, "my own") == []
    await _set(server, rm.member, rm.channel_id, "none")
    assert await _notified(server, rm.owner, rm.channel_id, mention) == []
    await _set(server, rm.member, rm.channel_id, "none", "2000-01-01T00:00:00Z")  # a mute that has run out
    assert await _notified(server, rm.owner, rm.channel_id, mention) == [(rm.member.id, "mention")]


async def test_mentions_only_quiets_a_dm(server: Server) -> None:
    alice, bob = await person(server, "alice"), await person(server, "bob")
    channel_id = await dm(server, alice, bob)
    assert await _notified(server, alice, channel_id, "hi") == [(bob.id, "dm")]
    await _set(server, bob, channel_id, "mentions")
    assert await _notified(server, alice, channel_id, "hi again") == []
    assert await _notified(server, alice, channel_id, f"<@{bob.id}> hey") == [(bob.id, "mention")]
