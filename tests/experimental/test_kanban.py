"""Kanban boards: columns and cards in order, moves that keep positions contiguous, deletes."""

from __future__ import annotations

from typing import Any

import pytest

from amityvox.db.schema import kanban_boards, kanban_cards, kanban_columns
from amityvox.services import kanban
from tests.conftest import Server
from tests.experimental.helpers import SEND, created, deny, exp, rows
from tests.messages.helpers import Person, Room, dm, error_code, nothing_published, room


async def _board(server: Server, rm: Room, who: Person, columns: int, cards: int) -> dict[str, Any]:
    """A board with `columns` columns of `cards` cards each; the recorder is cleared afterwards."""
    url = exp(rm.channel_id, "/kanban")
    board = created(await server.http.post(url, json={"name": "Sprint"}, headers=who.headers))
    for c in range(columns):
        col = created(
            await server.http.post(f"{url}/{board['id']}/columns", json={"name": f"C{c}"}, headers=who.headers)
        )
        for n in range(cards):
            r = await server.http.post(
                f"{url}/{board['id']}/columns/{col['id']}/cards", json={"title": f"{c}.{n}"}, headers=who.headers
            )
            created(r)
    await server.settle()
    server.recorder.clear()
    return created(await server.http.get(f"{url}/{board['id']}", headers=who.headers), 200)


def _layout(board: dict[str, Any]) -> list[list[tuple[str, int]]]:
    return [[(card["title"], card["position"]) for card in col["cards"]] for col in board["columns"]]


async def test_boards_columns_and_cards_are_created_in_order(server: Server) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/kanban")
    board = created(await server.http.post(url, json={"name": " Roadmap "}, headers=rm.member.headers))
    assert (board["name"], board["columns"], board["creator_id"]) == ("Roadmap", [], rm.member.id)
    todo = created(
        await server.http.post(f"{url}/{board['id']}/columns", json={"name": "To do"}, headers=rm.member.headers)
    )
    done = created(
        await server.http.post(f"{url}/{board['id']}/columns", json={"name": "Done"}, headers=rm.member.headers)
    )
    assert [(todo["position"], todo["cards"]), (done["position"], done["cards"])] == [(0, []), (1, [])]
    await nothing_published(server)  # the catalog has no board or column events

    cards = f"{url}/{board['id']}/columns/{todo['id']}/cards"
    first = created(
        await server.http.post(cards, json={"title": "Write", "description": "the spec"}, headers=rm.member.headers)
    )
    second = created(await server.http.post(cards, json={"title": "Ship"}, headers=rm.owner.headers))
    await server.settle()
    assert server.recorder.of("KANBAN_CARD_CREATE") == [first, second]
    assert first == {
        "id": first["id"],
        "board_id": board["id"],
        "column_id": todo["id"],
        "channel_id": rm.channel_id,
        "title": "Write",
        "description": "the spec",
        "position": 0,
        "creator_id": rm.member.id,
        "created_at": first["created_at"],
    }
    assert second["position"] == 1 and "description" not in second
    got = created(await server.http.get(f"{url}/{board['id']}", headers=rm.owner.headers), 200)
    assert [c["id"] for c in got["columns"]] == [todo["id"], done["id"]]
    assert got["columns"][0]["cards"] == [first, second] and got["columns"][1]["cards"] == []
    listed = created(await server.http.get(url, headers=rm.owner.headers), 200)
    assert [b["id"] for b in listed] == [board["id"]]


async def test_moves_renumber_both_columns_contiguously(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    board = await _board(server, rm, rm.member, columns=2, cards=3)
    a, b = board["columns"]
    move = exp(rm.channel_id, f"/kanban/{board['id']}/cards")

    async def moved(card: dict[str, Any], column: dict[str, Any], position: int) -> dict[str, Any]:
        body = {"column_id": column["id"], "position": position}
        return created(await server.http.patch(f"{move}/{card['id']}/move", json=body, headers=rm.owner.headers), 200)

    # Across columns: 0.1 into the middle of B; A closes up.
    card = await moved(a["cards"][1], b, 1)
    assert (card["column_id"], card["position"]) == (b["id"], 1)
    # Within a column, downwards, and past the end (clamped to last).
    await moved(a["cards"][0], a, 5)
    # Back across, to the front.
    await moved(b["cards"][2], a, 0)
    await server.settle()

    def event(card: dict[str, Any], column: dict[str, Any], position: int) -> dict[str, Any]:
        ids = {"card_id": card["id"], "board_id": board["id"], "column_id": column["id"]}
        return {**ids, "position": position, "channel_id": rm.channel_id}

    assert server.recorder.of("KANBAN_CARD_MOVE") == [
        event(a["cards"][1], b, 1),
        event(a["cards"][0], a, 1),
        event(b["cards"][2], a, 0),
    ]
    got = created(await server.http.get(exp(rm.channel_id, f"/kanban/{board['id']}"), headers=rm.member.headers), 200)
    assert _layout(got) == [
        [("1.2", 0), ("0.2", 1), ("0.0", 2)],
        [("1.0", 0), ("0.1", 1), ("1.1", 2)],
    ]

    # Deleting closes the gap too, and publishes nothing (the catalog has no delete event).
    server.recorder.clear()
    r = await server.http.delete(f"{move}/{got['columns'][0]['cards'][1]['id']}", headers=rm.member.headers)
    assert r.status_code == 204
    await nothing_published(server)
    got = created(await server.http.get(exp(rm.channel_id, f"/kanban/{board['id']}"), headers=rm.member.headers), 200)
    assert _layout(got) == [[("1.2", 0), ("0.0", 1)], [("1.0", 0), ("0.1", 1), ("1.1", 2)]]
    assert await rows(server, kanban_cards) == 5


async def test_forbidden_and_bad_kanban_requests_change_nothing(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    rm = await room(server)
    board = await _board(server, rm, rm.owner, columns=2, cards=1)
    other = await _board(server, rm, rm.owner, columns=1, cards=1)
    url = exp(rm.channel_id, f"/kanban/{board['id']}")
    col, card = board["columns"][0], board["columns"][0]["cards"][0]
    move = f"{url}/cards/{card['id']}/move"
    # Bad input.
    for body in ({"column_id": col["id"], "position": -1}, {"column_id": col["id"]}, {"position": 0}):
        r = await server.http.patch(move, json=body, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == "validation_error", body
    for target, body in (
        (exp(rm.channel_id, "/kanban"), {"name": ""}),
        (f"{url}/columns", {"name": "x" * 101}),
        (f"{url}/columns/{col['id']}/cards", {"title": " "}),
        (f"{url}/columns/{col['id']}/cards", {"title": "t", "description": "d" * 4001}),
    ):
        r = await server.http.post(target, json=body, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == "validation_error", (target, body)
    # Each kind of thing is bounded.
    monkeypatch.setattr(kanban, "MAX_BOARDS", 2)
    monkeypatch.setattr(kanban, "MAX_COLUMNS", 2)
    monkeypatch.setattr(kanban, "MAX_CARDS", 2)
    for target, body in (
        (exp(rm.channel_id, "/kanban"), {"name": "third"}),
        (f"{url}/columns", {"name": "third"}),
        (f"{url}/columns/{col['id']}/cards", {"title": "third"}),
    ):
        r = await server.http.post(target, json=body, headers=rm.owner.headers)
        assert r.status_code == 400 and error_code(r) == "limit_reached", target
    # Things of another board are not found through this one.
    foreign_col = other["columns"][0]
    r = await server.http.patch(move, json={"column_id": foreign_col["id"], "position": 0}, headers=rm.member.headers)
    assert r.status_code == 404
    r = await server.http.post(
        f"{url}/columns/{foreign_col['id']}/cards", json={"title": "t"}, headers=rm.member.headers
    )
    assert r.status_code == 404
    foreign_card = foreign_col["cards"][0]
    assert (await server.http.delete(f"{url}/cards/{foreign_card['id']}", headers=rm.owner.headers)).status_code == 404
    dm_id = await dm(server, rm.owner, rm.member)
    assert (await server.http.get(exp(dm_id, f"/kanban/{board['id']}"), headers=rm.owner.headers)).status_code == 404
    # Outsiders see nothing; members without SendMessages may look but not act.
    assert (await server.http.get(url, headers=rm.outsider.headers)).status_code == 404
    r = await server.http.delete(
        f"{url}/cards/{card['id']}", headers=rm.member.headers
    )  # not theirs, no ManageMessages
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    await deny(server, rm, rm.member, SEND)
    assert (await server.http.get(url, headers=rm.member.headers)).status_code == 200
    for method, target, body in (
        ("POST", exp(rm.channel_id, "/kanban"), {"name": "b"}),
        ("POST", f"{url}/columns", {"name": "c"}),
        ("POST", f"{url}/columns/{col['id']}/cards", {"title": "t"}),
        ("PATCH", move, {"column_id": board["columns"][1]["id"], "position": 0}),
    ):
        r = await server.http.request(method, target, json=body, headers=rm.member.headers)
        assert r.status_code == 403 and error_code(r) == "missing_permission", target
    await nothing_published(server)
    counts = [await rows(server, table) for table in (kanban_boards, kanban_columns, kanban_cards)]
    assert counts == [2, 3, 3]
    got = created(await server.http.get(url, headers=rm.owner.headers), 200)
    assert _layout(got) == _layout(board)
