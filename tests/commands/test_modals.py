"""Modals over real HTTP and WebSockets: a bot answers a command with a form (callback 9) that
reaches only the member who used it, the member submits it once (interaction type 5), and the
bot answers the submission like a command. Also the answer's deadline: INTERACTION_TIMEOUT to
the member, and a late answer refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from amityvox.db.schema import interactions
from amityvox.services.interactions import time_out_unanswered
from tests.activities.helpers import API, data, events
from tests.commands.helpers import BotRoom
from tests.commands.test_interactions import _callback, _created, _heard, _invoke, _registered, _sockets
from tests.conftest import Server, _serve, make_settings
from tests.messages.helpers import Person

NOTE = {
    "custom_id": "note:1",
    "title": "Write a note",
    "components": [
        {
            "type": 1,
            "components": [
                {
                    "type": 4,
                    "custom_id": "title",
                    "style": 1,
                    "label": "Title",
                    "min_length": 2,
                    "max_length": 40,
                    "placeholder": "A title",
                }
            ],
        },
        {
            "type": 1,
            "components": [
                {"type": 4, "custom_id": "body", "style": 2, "label": "Note", "required": False, "max_length": 400}
            ],
        },
    ],
}


def _roll(channel_id: str) -> dict[str, Any]:
    return {"type": 2, "channel_id": channel_id, "data": {"name": "roll", "options": [{"name": "sides", "value": 6}]}}


def _row(field: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": [{"type": 4, **field}]}


def _modal(**changes: Any) -> dict[str, Any]:
    return {**NOTE, **changes}


def _submission(title: str = "Groceries", body: str = "eggs, milk", **extra: Any) -> dict[str, Any]:
    rows = [_row({"custom_id": "title", "value": title}), _row({"custom_id": "body", "value": body})]
    return {"type": 5, "data": {"custom_id": "note:1", "components": rows, **extra}}


async def _modal_sent(server: Server, br: BotRoom) -> dict[str, Any]:
    """The member uses /roll and the bot answers with NOTE: the INTERACTION_MODAL_CREATE."""
    use = await _created(server, br)
    r = await server.http.post(_callback(use), json={"type": 9, "data": NOTE})
    assert r.status_code == 204, r.text
    [(name, modal)] = await events(server)
    assert name == "INTERACTION_MODAL_CREATE"
    return modal


async def _submit(server: Server, who: Person, body: dict[str, Any]) -> Any:
    return await _invoke(server, who, body)


async def test_the_modal_reaches_only_the_member_and_its_submission_only_the_bot(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    async with _sockets(server, br.bot, rm.owner, rm.member) as (ws_bot, ws_owner, ws_member):
        data(await _invoke(server, rm.member, _roll(rm.channel_id)))
        use = (await ws_bot.wait_for("INTERACTION_CREATE"))["d"]
        assert (await server.http.post(_callback(use), json={"type": 9, "data": NOTE})).status_code == 204
        modal = (await ws_member.wait_for("INTERACTION_MODAL_CREATE"))["d"]
        assert modal["id"] == use["id"] and modal["user_id"] == rm.member.id and modal["title"] == "Write a note"
        assert modal["components"][1]["components"][0] == {
            "type": 4,
            "custom_id": "body",
            "style": 2,
            "label": "Note",
            "required": False,
            "max_length": 400,
        }
        assert modal["components"][0]["components"][0]["required"] is True  # Discord's default
        assert "INTERACTION_MODAL_CREATE" not in await _heard(ws_owner)
        assert "INTERACTION_MODAL_CREATE" not in await _heard(ws_bot)

        answer = data(await _submit(server, rm.member, _submission(id=modal["id"])))
        submitted = (await ws_bot.wait_for("INTERACTION_CREATE"))["d"]
        assert submitted["id"] == answer["id"] != use["id"] and submitted["type"] == 5
        assert submitted["user_id"] == rm.member.id and submitted["channel_id"] == rm.channel_id
        assert submitted["data"] == {
            "custom_id": "note:1",
            "components": [
                _row({"custom_id": "title", "value": "Groceries"}),
                _row({"custom_id": "body", "value": "eggs, milk"}),
            ],
        }
        assert "INTERACTION_CREATE" not in await _heard(ws_owner)
        # The bot answers the submission like a command, ephemerally here; never with another modal.
        r = await server.http.post(_callback(submitted), json={"type": 9, "data": NOTE})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_callback")
        body = {"type": 4, "data": {"content": "Saved: Groceries", "flags": 64}}
        assert (await server.http.post(_callback(submitted), json=body)).status_code == 204
        private = (await ws_member.wait_for("EPHEMERAL_MESSAGE_CREATE"))["d"]
        assert private["content"] == "Saved: Groceries" and private["interaction"]["id"] == submitted["id"]


def _with_input(**changes: Any) -> dict[str, Any]:
    field = {"type": 4, "custom_id": "title", "style": 1, "label": "Title", **changes}
    return _modal(components=[{"type": 1, "components": [{k: v for k, v in field.items() if v is not None}]}])


INVALID_MODALS = {
    "no rows": _modal(components=[]),
    "six rows": _modal(components=[_row({"custom_id": f"f{i}", "style": 1, "label": "F"}) for i in range(6)]),
    "two inputs in a row": _modal(
        components=[
            {
                "type": 1,
                "components": [
                    {"type": 4, "custom_id": "a", "style": 1, "label": "A"},
                    {"type": 4, "custom_id": "b", "style": 1, "label": "B"},
                ],
            }
        ]
    ),
    "not an action row": _modal(components=[{"type": 4, "custom_id": "a", "style": 1, "label": "A"}]),
    "a button, not a text input": _modal(components=[{"type": 1, "components": [{"type": 2, "custom_id": "a"}]}]),
    "title too long": _modal(title="t" * 46),
    "no title": _modal(title=""),
    "custom_id too long": _modal(custom_id="c" * 101),
    "label too long": _with_input(label="l" * 46),
    "no label": _with_input(label=None),
    "style 3": _with_input(style=3),
    "min above max": _with_input(min_length=10, max_length=5),
    "max_length 0": _with_input(max_length=0),
    "max_length above 4000": _with_input(max_length=4001),
    "value longer than max_length": _with_input(max_length=3, value="four"),
    "placeholder too long": _with_input(placeholder="p" * 101),
    "required not a boolean": _with_input(required="yes"),
    "duplicate custom_ids": _modal(
        components=[
            _row({"custom_id": "a", "style": 1, "label": "A"}),
            _row({"custom_id": "a", "style": 2, "label": "B"}),
        ]
    ),
}


@pytest.mark.parametrize("modal", INVALID_MODALS.values(), ids=INVALID_MODALS.keys())
async def test_an_invalid_modal_is_refused_and_the_command_can_still_be_answered(
    server: Server, modal: dict[str, Any]
) -> None:
    br = await _registered(server)
    use = await _created(server, br)
    r = await server.http.post(_callback(use), json={"type": 9, "data": modal})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_modal"), r.text
    assert await events(server) == []
    assert (await server.http.post(_callback(use), json={"type": 4, "data": {"content": "ok"}})).status_code == 204


async def test_five_rows_of_45_character_labels_are_accepted(server: Server) -> None:
    br = await _registered(server)
    use = await _created(server, br)
    rows = [_row({"custom_id": "c" * 99 + str(i), "style": 2, "label": "l" * 45, "max_length": 4000}) for i in range(5)]
    r = await server.http.post(_callback(use), json={"type": 9, "data": _modal(title="t" * 45, components=rows)})
    assert r.status_code == 204, r.text


async def test_a_modal_is_submitted_once_and_only_by_its_member(server: Server) -> None:
    br = await _registered(server)
    rm = br.room
    modal = await _modal_sent(server, br)
    r = await _submit(server, rm.owner, _submission(id=modal["id"]))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "not_your_modal"), r.text
    r = await _submit(server, rm.owner, _submission())  # the owner has no open modal of that custom_id
    assert r.status_code == 404
    assert await events(server) == []
    data(await _submit(server, rm.member, _submission()))  # the newest open modal of that custom_id
    assert [(n, d["type"]) for n, d in await events(server)] == [("INTERACTION_CREATE", 5)]
    r = await _submit(server, rm.member, _submission(id=modal["id"]))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "modal_already_submitted")
    assert await events(server) == []


WRONG_SUBMISSIONS = {
    "another modal's custom_id": {"custom_id": "other"},
    "an input missing": {"components": [_row({"custom_id": "title", "value": "Groceries"})]},
    "an input it does not have": {
        "components": [
            _row({"custom_id": "title", "value": "Groceries"}),
            _row({"custom_id": "body", "value": ""}),
            _row({"custom_id": "extra", "value": "x"}),
        ]
    },
    "an input twice": {
        "components": [
            _row({"custom_id": "title", "value": "Groceries"}),
            _row({"custom_id": "title", "value": "Again"}),
        ]
    },
    "a required input empty": {
        "components": [_row({"custom_id": "title", "value": ""}), _row({"custom_id": "body", "value": ""})]
    },
    "below min_length": {
        "components": [_row({"custom_id": "title", "value": "G"}), _row({"custom_id": "body", "value": ""})]
    },
    "above max_length": {
        "components": [
            _row({"custom_id": "title", "value": "Groceries"}),
            _row({"custom_id": "body", "value": "x" * 401}),
        ]
    },
    "a value not a string": {
        "components": [_row({"custom_id": "title", "value": 7}), _row({"custom_id": "body", "value": ""})]
    },
}


@pytest.mark.parametrize("change", WRONG_SUBMISSIONS.values(), ids=WRONG_SUBMISSIONS.keys())
async def test_a_submission_must_match_the_modal_sent(server: Server, change: dict[str, Any]) -> None:
    br = await _registered(server)
    modal = await _modal_sent(server, br)
    body = _submission(id=modal["id"])
    body["data"].update(change)
    r = await _submit(server, br.room.member, body)
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_modal_submission"), r.text
    assert await events(server) == []
    # A refused submission does not use the modal up.
    data(await _submit(server, br.room.member, _submission(id=modal["id"], custom_id="note:1")))


async def test_a_modal_cannot_be_submitted_after_its_interaction_expired(server: Server) -> None:
    br = await _registered(server)
    modal = await _modal_sent(server, br)
    async with server.ctx.db.begin() as conn:
        await conn.execute(
            update(interactions)
            .where(interactions.c.id == modal["id"])
            .values(expires_at="2000-01-01T00:00:00.000000Z")
        )
    r = await _submit(server, br.room.member, _submission(id=modal["id"]))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "interaction_expired")
    assert await events(server) == []


async def test_a_modal_answer_takes_no_follow_up(server: Server) -> None:
    br = await _registered(server)
    use = await _created(server, br)
    assert (await server.http.post(_callback(use), json={"type": 9, "data": NOTE})).status_code == 204
    await events(server)
    r = await server.http.post(f"{API}/webhooks/{br.bot.id}/{use['token']}", json={"content": "more"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "not_acknowledged")
    r = await server.http.post(_callback(use), json={"type": 4, "data": {"content": "again"}})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "interaction_already_acknowledged")


# ---- the answer's deadline ---------------------------------------------------------------------


@pytest.fixture
async def hasty(tmp_path: Path) -> AsyncIterator[Server]:
    """A server that waits 200 ms for a bot's first answer."""
    async for s in _serve(make_settings(tmp_path, interaction_response_ms=200)):
        yield s


async def test_a_command_left_unanswered_times_out_for_its_member_only(hasty: Server) -> None:
    br = await _registered(hasty)
    rm = br.room
    async with _sockets(hasty, br.bot, rm.owner, rm.member) as (ws_bot, ws_owner, ws_member):
        used = data(await _invoke(hasty, rm.member, _roll(rm.channel_id)))
        use = (await ws_bot.wait_for("INTERACTION_CREATE"))["d"]
        timeout = (await ws_member.wait_for("INTERACTION_TIMEOUT"))["d"]
        assert timeout == {
            "interaction_id": used["id"],
            "application_id": br.bot.id,
            "user_id": rm.member.id,
            "channel_id": rm.channel_id,
            "name": "roll",
        }
        r = await hasty.http.post(_callback(use), json={"type": 4, "data": {"content": "too late"}})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "interaction_timed_out")
        r = await hasty.http.post(f"{API}/webhooks/{br.bot.id}/{use['token']}", json={"content": "late"})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "not_acknowledged")
        for ws in (ws_owner, ws_bot):
            assert "INTERACTION_TIMEOUT" not in await _heard(ws)


async def test_an_answer_in_time_is_never_timed_out(hasty: Server) -> None:
    br = await _registered(hasty)
    use = await _created(hasty, br)
    assert (await hasty.http.post(_callback(use), json={"type": 5})).status_code == 204
    # The sweep that would time it out finds nothing to claim.
    async with hasty.ctx.db.begin() as conn:
        await conn.execute(
            update(interactions).where(interactions.c.id == use["id"]).values(respond_by="2000-01-01T00:00:00.000000Z")
        )
    assert await time_out_unanswered(hasty.ctx) == 0
    assert [n for n, _ in await events(hasty)] == ["MESSAGE_CREATE"]
