"""Conformance scenarios for the experimental channel features: location shares, message effects,
super reactions, whiteboards, code snippets, kanban boards and channel widgets.

Every one of them is a channel event: in #secret it reaches that channel's viewers only
(`c.secret_viewers`), in the actor's DM the two recipients (`c.actor | {"dm_peer"}`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from amityvox.db.schema import location_shares
from amityvox.ids import iso, utcnow
from amityvox.services import locations
from tests.conformance.cast import Cast
from tests.conformance.harness import Scenario, exercise, verdict

Step = Callable[[Cast], Awaitable[Any]]
Action = Callable[[Cast, Any], Awaitable[Any]]


def _then(setup: Step, action: Action) -> Step:
    """Run `setup`, let its events settle and forget them, then run `action` with setup's result."""

    async def run(c: Cast) -> None:
        made = await setup(c)
        await c.settle()
        c.mark()
        await action(c, made)

    return run


def _exp(channel_id: str, path: str) -> str:
    return f"/channels/{channel_id}/experimental{path}"


def _call(c: Cast, method: str, path: str, body: Any = None) -> Awaitable[Any]:
    return c.rest["actor"].request(method, path, json=body)


def _in(channel: str) -> Callable[[Cast], str]:
    return lambda c: str(getattr(c, channel))


# ---- location shares ----------------------------------------------------------------------------


def _share(channel: str) -> Step:
    async def setup(c: Cast) -> Any:
        body = {"latitude": 52.37, "longitude": 4.89, "label": "here", "live": True, "duration_seconds": 600}
        return await _call(c, "POST", _exp(_in(channel)(c), "/location"), body)

    return setup


async def _move_share(c: Cast, share: Any) -> None:
    body = {"latitude": 52.38, "longitude": 4.90, "accuracy": 12.5}
    await _call(c, "PATCH", _exp(share["channel_id"], f"/location/{share['id']}"), body)


async def _stop_share(c: Cast, share: Any) -> None:
    await _call(c, "DELETE", _exp(share["channel_id"], f"/location/{share['id']}"))


async def _expire_share(c: Cast, share: Any) -> None:
    """Let the share run out, then run the expiry sweep the server runs in the background."""
    async with c.server.ctx.db.begin() as conn:
        past = iso(utcnow() - timedelta(seconds=1))
        await conn.execute(update(location_shares).where(location_shares.c.id == share["id"]).values(expires_at=past))
    await locations.stop_expired_shares(c.server.ctx)


# ---- message effects and super reactions --------------------------------------------------------


def _message(channel: str) -> Step:
    async def setup(c: Cast) -> Any:
        return await c.rest["actor"].send_message(_in(channel)(c), "celebrate")

    return setup


async def _effect(c: Cast, message: Any) -> None:
    path = _exp(message["channel_id"], f"/messages/{message['id']}/effects")
    await _call(c, "POST", path, {"effect_type": "confetti", "config": {"particle_count": 50}})


async def _super_reaction(c: Cast, message: Any) -> None:
    path = _exp(message["channel_id"], f"/messages/{message['id']}/super-reactions")
    await _call(c, "POST", path, {"emoji": "🎉", "intensity": 3})


# ---- whiteboards and snippets -------------------------------------------------------------------


async def _whiteboard(c: Cast) -> Any:
    return await _call(c, "POST", _exp(c.secret, "/whiteboards"), {"name": "Plan", "state": {"shapes": []}})


async def _draw(c: Cast, board: Any) -> None:
    body = {"state": {"shapes": [{"kind": "circle", "x": 1, "y": 2}]}, "version": board["version"]}
    await _call(c, "PATCH", _exp(c.secret, f"/whiteboards/{board['id']}"), body)


async def _snippet(c: Cast) -> None:
    body = {"title": "Hello", "language": "python", "code": "print('hello')\n"}
    await _call(c, "POST", _exp(c.secret, "/code-snippets"), body)


# ---- kanban -------------------------------------------------------------------------------------


async def _board(c: Cast) -> dict[str, Any]:
    """A board in #secret with columns "todo" and "done"."""
    board = await _call(c, "POST", _exp(c.secret, "/kanban"), {"name": "Work"})
    board["columns"] = [
        await _call(c, "POST", _exp(c.secret, f"/kanban/{board['id']}/columns"), {"name": name})
        for name in ("todo", "done")
    ]
    return board


async def _card(c: Cast, board: dict[str, Any], column: int, title: str) -> Any:
    column_id = board["columns"][column]["id"]
    return await _call(c, "POST", _exp(c.secret, f"/kanban/{board['id']}/columns/{column_id}/cards"), {"title": title})


async def _add_card(c: Cast, board: dict[str, Any]) -> None:
    await _card(c, board, 0, "Write it")


async def _filled_board(c: Cast) -> dict[str, Any]:
    """todo: a, b, c; done: d. Moving a card renumbers its old column and its new one."""
    board = await _board(c)
    board["cards"] = [await _card(c, board, 0, t) for t in ("a", "b", "c")] + [await _card(c, board, 1, "d")]
    return board


async def _move_card(c: Cast, board: dict[str, Any]) -> None:
    first, done = board["cards"][0], board["columns"][1]["id"]
    body = {"column_id": done, "position": 0}
    await _call(c, "PATCH", _exp(c.secret, f"/kanban/{board['id']}/cards/{first['id']}/move"), body)


# ---- widgets ------------------------------------------------------------------------------------


def _widget(channel: str) -> Step:
    async def setup(c: Cast) -> Any:
        body = {"widget_type": "note", "title": "Rules", "config": {"text": "be kind"}}
        return await _call(c, "POST", f"/channels/{_in(channel)(c)}/widgets", body)

    return setup


async def _edit_widget(c: Cast, widget: Any) -> None:
    body = {"title": "House rules", "config": {"text": "be very kind"}, "position": 4}
    await _call(c, "PATCH", f"/channels/{widget['channel_id']}/widgets/{widget['id']}", body)


async def _delete_widget(c: Cast, widget: Any) -> None:
    await _call(c, "DELETE", f"/channels/{widget['channel_id']}/widgets/{widget['id']}")


def _secret(c: Cast) -> set[str]:
    return c.secret_viewers


def _dm(c: Cast) -> set[str]:
    return c.actor | {"dm_peer"}


SCENARIOS = [
    # location shares
    Scenario("LOCATION_SHARE_CREATE", _share("secret"), _secret),
    Scenario("LOCATION_SHARE_CREATE", _share("dm"), _dm, "dm"),
    Scenario("LOCATION_SHARE_UPDATE", _then(_share("secret"), _move_share), _secret),
    Scenario("LOCATION_SHARE_STOP", _then(_share("secret"), _stop_share), _secret),
    Scenario("LOCATION_SHARE_STOP", _then(_share("secret"), _expire_share), _secret, "expired"),
    # message effects and super reactions
    Scenario("MESSAGE_EFFECT_CREATE", _then(_message("secret"), _effect), _secret),
    Scenario("MESSAGE_EFFECT_CREATE", _then(_message("dm"), _effect), _dm, "dm"),
    Scenario("SUPER_REACTION_ADD", _then(_message("secret"), _super_reaction), _secret),
    # whiteboards and snippets
    Scenario("WHITEBOARD_UPDATE", _then(_whiteboard, _draw), _secret),
    Scenario("CODE_SNIPPET_CREATE", _snippet, _secret),
    # kanban
    Scenario("KANBAN_CARD_CREATE", _then(_board, _add_card), _secret),
    Scenario("KANBAN_CARD_MOVE", _then(_filled_board, _move_card), _secret),
    # widgets
    Scenario("CHANNEL_WIDGET_CREATE", _widget("secret"), _secret),
    Scenario("CHANNEL_WIDGET_CREATE", _widget("dm"), _dm, "dm"),
    Scenario("CHANNEL_WIDGET_UPDATE", _then(_widget("secret"), _edit_widget), _secret),
    Scenario("CHANNEL_WIDGET_DELETE", _then(_widget("secret"), _delete_widget), _secret),
]


async def _kanban_matches_rest(c: Cast) -> None:
    """Every viewer's cached cards hold the columns and positions GET …/kanban/{b} answers."""
    board_id = next(d["board_id"] for name, d in c.seen_all("actor#1") if name == "KANBAN_CARD_MOVE")
    board = await _call(c, "GET", _exp(c.secret, f"/kanban/{board_id}"))
    expected = {card["id"]: (col["id"], card["position"]) for col in board["columns"] for card in col["cards"]}
    for key in sorted(c.secret_viewers):
        cached = {
            cid: (card["column_id"], card["position"])
            for cid, card in c.clients[key].state.kanban_cards.items()
            if card["board_id"] == board_id
        }
        assert cached == expected, f"{key}: cached kanban {cached} differs from REST {expected}"


async def _nothing(c: Cast) -> None:
    return None


# What a scenario must show beyond delivery and convergence, by scenario id.
CHECKS: dict[str, Step] = {"KANBAN_CARD_MOVE": _kanban_matches_rest}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_event_reaches_exactly_its_audience_and_converges(cast: Cast, scenario: Scenario) -> None:
    result = await exercise(cast, scenario)
    assert not verdict(result), verdict(result)
    await CHECKS.get(scenario.id, _nothing)(cast)
