"""Polls: create, read, vote (single, multi, anonymous, re-vote), close, expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from amityvox.db.schema import poll_votes, polls
from amityvox.ids import utcnow
from amityvox.services.polls import close_expired
from tests.community.helpers import API, Perm, Room, error_code, grant, nothing_published, room, rows, say
from tests.conftest import Server
from tests.messages.helpers import overwrite


def _url(rm: Room, *parts: str) -> str:
    return "/".join([f"{API}/channels/{rm.channel_id}/polls", *parts])


async def _poll(server: Server, rm: Room, **body: Any) -> dict[str, Any]:
    r = await server.http.post(
        _url(rm), json={"question": "Lunch?", "options": ["Pizza", "Sushi", "Tacos"], **body},
        headers=rm.owner.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    await server.settle()
    server.recorder.clear()
    data: dict[str, Any] = r.json()["data"]
    return data


async def test_create_and_read(server: Server) -> None:
    rm = await room(server)
    r = await server.http.post(
        _url(rm), json={"question": " Lunch? ", "options": ["Pizza", "Sushi"], "duration_seconds": 3600},
        headers=rm.member.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    poll = r.json()["data"]
    assert poll["question"] == "Lunch?" and poll["author_id"] == rm.member.id and poll["closed"] is False
    assert [(o["text"], o["position"], o["vote_count"]) for o in poll["options"]] == [("Pizza", 0, 0), ("Sushi", 1, 0)]
    assert poll["total_votes"] == 0 and "expires_at" in poll and "message_id" not in poll
    await server.settle()
    assert server.recorder.of("POLL_CREATE") == [poll]
    assert (await server.http.get(_url(rm, poll["id"]), headers=rm.owner.headers)).json()["data"] == poll
    assert (await server.http.get(_url(rm, poll["id"]), headers=rm.outsider.headers)).status_code == 404


async def test_create_refuses_bad_input_and_missing_permission(server: Server) -> None:
    rm = await room(server)
    bad = [
        {"question": "", "options": ["a", "b"]},
        {"question": "q", "options": ["only one"]},
        {"question": "q", "options": [str(i) for i in range(11)]},
        {"question": "q", "options": ["same", "SAME"]},
        {"question": "q", "options": ["a", ""]},
        {"question": "q", "options": ["a", "b"], "duration_seconds": 5},
        {"question": "q", "options": ["a", "b"], "colour": "red"},
    ]
    for body in bad:
        assert (await server.http.post(_url(rm), json=body, headers=rm.owner.headers)).status_code == 400, body
    good = {"question": "q", "options": ["a", "b"]}
    assert (await server.http.post(_url(rm), json=good, headers=rm.outsider.headers)).status_code == 404
    await overwrite(server, rm, rm.member.id, "user", deny=Perm.SendMessages)
    r = await server.http.post(_url(rm), json=good, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert await rows(server, polls) == 0
    await nothing_published(server)


async def test_votes_replace_and_count_voters(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    poll = await _poll(server, rm)
    pizza, sushi, tacos = (o["id"] for o in poll["options"])
    votes = _url(rm, poll["id"], "votes")
    assert (await server.http.post(votes, json={"option_ids": [pizza]}, headers=rm.member.headers)).status_code == 200
    r = await server.http.post(votes, json={"option_ids": [sushi]}, headers=rm.member.headers)  # re-vote
    assert r.status_code == 200
    assert (await server.http.post(votes, json={"option_ids": [sushi]}, headers=rm.owner.headers)).status_code == 200
    data = r.json()["data"]
    assert [o["vote_count"] for o in data["options"]] == [0, 1, 0]
    await server.settle()
    events = server.recorder.of("POLL_VOTE")
    assert events[1] == {
        "poll_id": poll["id"],
        "channel_id": rm.channel_id,
        "user_id": rm.member.id,
        "option_ids": [sushi],
        "options": [{"id": pizza, "vote_count": 0}, {"id": sushi, "vote_count": 1}, {"id": tacos, "vote_count": 0}],
        "total_votes": 1,
    }
    assert events[2]["total_votes"] == 2 and events[2]["options"][1]["vote_count"] == 2
    server.recorder.clear()
    # Bad votes change nothing.
    bad: list[dict[str, Any]] = [
        {"option_ids": []},
        {"option_ids": [pizza, sushi]},
        {"option_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]},
    ]
    for body in bad:
        assert (await server.http.post(votes, json=body, headers=rm.member.headers)).status_code == 400, body
    assert (await server.http.post(votes, json={"option_ids": [pizza]}, headers=rm.outsider.headers)).status_code == 404
    assert await rows(server, poll_votes) == 2
    await nothing_published(server)


async def test_list_pages_by_id_with_the_viewers_own_votes(server: Server) -> None:
    rm = await room(server)
    first = await _poll(server, rm)
    message = await say(server, rm.owner, rm.channel_id, "between the polls")
    second = await _poll(server, rm, question="Dinner?")
    pizza = first["options"][0]["id"]
    votes = _url(rm, first["id"], "votes")
    assert (await server.http.post(votes, json={"option_ids": [pizza]}, headers=rm.member.headers)).status_code == 200

    async def listed(who: Any, **params: str) -> list[dict[str, Any]]:
        r = await server.http.get(_url(rm), params=params, headers=who.headers)
        assert r.status_code == 200, r.text
        data: list[dict[str, Any]] = r.json()["data"]
        return data

    mine = await listed(rm.member)
    assert [p["id"] for p in mine] == [second["id"], first["id"]]  # newest first, like history
    assert mine[1]["voted_option_ids"] == [pizza] and mine[0]["voted_option_ids"] == []
    assert mine[1]["options"][0]["vote_count"] == 1
    assert (await listed(rm.owner))[1]["voted_option_ids"] == []
    assert [p["id"] for p in await listed(rm.member, after=message["id"])] == [second["id"]]
    assert [p["id"] for p in await listed(rm.member, before=message["id"])] == [first["id"]]
    assert (await server.http.get(_url(rm), headers=rm.outsider.headers)).status_code == 404
    assert (await server.http.get(_url(rm), params={"before": "nope"}, headers=rm.member.headers)).status_code == 400


async def test_multi_vote_anonymous_polls_hide_the_voter(server: Server) -> None:
    rm = await room(server)
    poll = await _poll(server, rm, multi_vote=True, anonymous=True)
    pizza, sushi, _ = (o["id"] for o in poll["options"])
    r = await server.http.post(
        _url(rm, poll["id"], "votes"), json={"option_ids": [pizza, sushi]}, headers=rm.member.headers
    )
    assert r.status_code == 200 and r.json()["data"]["total_votes"] == 1
    await server.settle()
    [event] = server.recorder.of("POLL_VOTE")
    assert "user_id" not in event and event["option_ids"] == [pizza, sushi] and event["total_votes"] == 1


async def test_close_by_author_or_manage_messages(server: Server) -> None:
    rm = await room(server)
    poll = await _poll(server, rm)
    close = _url(rm, poll["id"], "close")
    r = await server.http.post(close, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    await nothing_published(server)
    await grant(server, rm, rm.member, Perm.ManageMessages)
    r = await server.http.post(close, headers=rm.member.headers)
    assert r.status_code == 200 and r.json()["data"]["closed"] is True
    await server.settle()
    assert server.recorder.of("POLL_CLOSE") == [
        {"poll_id": poll["id"], "channel_id": rm.channel_id, "closed_by": rm.member.id}
    ]
    server.recorder.clear()
    r = await server.http.post(close, headers=rm.owner.headers)
    assert r.status_code == 409 and error_code(r) == "poll_closed"
    r = await server.http.post(
        _url(rm, poll["id"], "votes"), json={"option_ids": [poll["options"][0]["id"]]}, headers=rm.owner.headers
    )
    assert r.status_code == 409
    assert await rows(server, poll_votes) == 0
    await nothing_published(server)


async def test_expired_polls_close_through_the_sweep(server: Server) -> None:
    rm = await room(server)
    short = await _poll(server, rm, duration_seconds=60)
    await _poll(server, rm, duration_seconds=3600)
    await _poll(server, rm)  # never expires
    assert await close_expired(server.ctx, utcnow() + timedelta(seconds=30)) == 0
    assert await close_expired(server.ctx, utcnow() + timedelta(seconds=61)) == 1
    assert await close_expired(server.ctx, utcnow() + timedelta(seconds=61)) == 0
    await server.settle()
    assert server.recorder.of("POLL_CLOSE") == [{"poll_id": short["id"], "channel_id": rm.channel_id}]
    got = (await server.http.get(_url(rm, short["id"]), headers=rm.member.headers)).json()["data"]
    assert got["closed"] is True
