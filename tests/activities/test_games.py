"""Games over REST: create, join, server-checked moves, wins and draws."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from amityvox.db.schema import games
from tests.activities.helpers import API, data, events, hide, mute, refused, rows
from tests.conftest import Server
from tests.guilds.helpers import join as join_guild
from tests.messages.helpers import Person, Room, person, room

UNKNOWN = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def create(server: Server, who: Person, channel_id: str, game_type: str) -> dict[str, Any]:
    game: dict[str, Any] = data(
        await server.http.post(f"{API}/games", json={"channel_id": channel_id, "game_type": game_type},
                               headers=who.headers), 201)  # fmt: skip
    return game


async def move(server: Server, who: Person, game_id: str, m: Any) -> Any:
    return await server.http.post(f"{API}/games/{game_id}/move", json={"move": m}, headers=who.headers)


async def stored(server: Server, game_id: str) -> tuple[dict[str, Any], str]:
    async with server.ctx.db.read() as conn:
        row = (await conn.execute(select(games).where(games.c.id == game_id))).mappings().one()
    return row["state"], row["status"]


async def ready_game(server: Server, rm: Room, game_type: str) -> str:
    game = await create(server, rm.owner, rm.channel_id, game_type)
    data(await server.http.post(f"{API}/games/{game['id']}/join", headers=rm.member.headers))
    await server.settle()
    server.recorder.clear()
    return str(game["id"])


async def test_create_and_join_publish_and_refuse_without_access(server: Server) -> None:
    rm = await room(server)
    body = {"channel_id": rm.channel_id, "game_type": "tictactoe"}
    await refused(server, await server.http.post(f"{API}/games", json=body, headers=rm.outsider.headers), 404,
                  "not_found")  # fmt: skip
    r = await server.http.post(f"{API}/games", json={**body, "game_type": "chess"}, headers=rm.owner.headers)
    await refused(server, r, 400, "unknown_game_type")
    await refused(server, await server.http.post(f"{API}/games", json={}, headers=rm.owner.headers), 400,
                  "validation_error")  # fmt: skip
    assert await rows(server, games) == 0

    game = await create(server, rm.owner, rm.channel_id, "tictactoe")
    assert (game["status"], game["game_type"], game["state"]["players"]) == ("waiting", "tictactoe", [rm.owner.id])
    assert game["state"]["board"] == [[None] * 3 for _ in range(3)]
    assert await events(server) == [("GAME_SESSION_CREATE", game)]
    assert data(await server.http.get(f"{API}/games/{game['id']}", headers=rm.member.headers)) == game
    await refused(server, await server.http.get(f"{API}/games/{game['id']}", headers=rm.outsider.headers), 404,
                  "not_found")  # fmt: skip

    # Moves before the second player arrives are refused.
    await refused(server, await move(server, rm.owner, game["id"], 4), 409, "game_not_started")
    join = f"{API}/games/{game['id']}/join"
    await refused(server, await server.http.post(join, headers=rm.owner.headers), 409, "already_joined")
    await refused(server, await server.http.post(join, headers=rm.outsider.headers), 404, "not_found")
    await mute(server, rm)
    await refused(server, await server.http.post(join, headers=rm.member.headers), 403, "missing_permission")
    await hide(server, rm)
    await refused(server, await server.http.post(join, headers=rm.member.headers), 404, "not_found")
    assert await stored(server, game["id"]) == (game["state"], "waiting")


async def test_join_fills_the_table(server: Server) -> None:
    rm = await room(server)
    game = await create(server, rm.member, rm.channel_id, "connect4")
    server.recorder.clear()
    joined = data(await server.http.post(f"{API}/games/{game['id']}/join", headers=rm.owner.headers))
    assert joined["status"] == "active" and joined["state"]["players"] == [rm.member.id, rm.owner.id]
    expect = {"game_id": game["id"], "user_id": rm.owner.id, "player_index": 1, "channel_id": rm.channel_id}
    assert await events(server) == [("GAME_PLAYER_JOIN", expect)]
    r = await server.http.post(f"{API}/games/{game['id']}/join", headers=rm.outsider.headers)
    await refused(server, r, 404, "not_found")
    third = await person(server, "third")
    await join_guild(server, rm.owner.token, rm.guild_id, third.token)
    await server.settle()
    server.recorder.clear()
    await refused(server, await server.http.post(f"{API}/games/{game['id']}/join", headers=third.headers), 409,
                  "game_full")  # fmt: skip


async def test_tictactoe_to_a_win_with_refused_moves_publishing_nothing(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    gid = await ready_game(server, rm, "tictactoe")
    x, o = rm.owner, rm.member

    # Out of turn, by a non-player, out of range, of the wrong type: 4xx, nothing stored or published.
    before = await stored(server, gid)
    await refused(server, await move(server, o, gid, 4), 409, "not_your_turn")
    await refused(server, await move(server, rm.outsider, gid, 4), 404, "not_found")
    await refused(server, await move(server, x, gid, 9), 400, "illegal_move")
    await refused(server, await move(server, x, gid, "4"), 400, "validation_error")
    await refused(server, await move(server, x, gid, {"column": 1}), 400, "illegal_move")
    await refused(server, await move(server, x, UNKNOWN, 1), 404, "not_found")
    assert await stored(server, gid) == before

    r = await move(server, x, gid, {"cell": 4})  # the object form events carry is accepted too
    assert data(r)["status"] == "active"
    [(name, ev)] = await events(server)
    assert name == "GAME_MOVE"
    assert (ev["game_id"], ev["user_id"], ev["move"], ev["status"], ev["next_turn"]) == (gid, x.id, {"cell": 4},
                                                                                         "active", o.id)  # fmt: skip
    assert ev["channel_id"] == rm.channel_id and ev["state"]["board"][1][1] == 0
    await refused(server, await move(server, o, gid, 4), 400, "illegal_move")  # taken

    for who, cell in [(o, 0), (x, 3), (o, 1), (x, 5)]:  # x completes the middle row
        data(await move(server, who, gid, cell))
    *_, (name, last) = await events(server)
    assert (name, last["status"], last["move"]) == ("GAME_MOVE", "won", {"cell": 5})
    assert "next_turn" not in last
    assert last["state"]["winner_id"] == x.id and last["state"]["line"] == [[1, 0], [1, 1], [1, 2]]
    assert await stored(server, gid) == (last["state"], "won")
    await refused(server, await move(server, o, gid, 8), 409, "game_over")
    assert data(await server.http.get(f"{API}/games/{gid}", headers=o.headers))["status"] == "won"


async def test_connect_four_to_a_win_and_a_full_column(server: Server) -> None:
    rm = await room(server)
    gid = await ready_game(server, rm, "connect4")
    a, b = rm.owner, rm.member
    for i in range(6):  # fill column 0: a, b, a, b, a, b from the bottom up
        r = await move(server, a if i % 2 == 0 else b, gid, 0)
        assert r.status_code == 200, r.text
    moves = await events(server)
    assert [ev["move"] for _, ev in moves] == [{"column": 0, "row": 5 - i} for i in range(6)]
    await refused(server, await move(server, a, gid, 0), 400, "illegal_move")  # column full
    await refused(server, await move(server, a, gid, 7), 400, "illegal_move")

    for who, column in [(a, 2), (b, 6), (a, 3), (b, 6), (a, 4), (b, 6)]:
        data(await move(server, who, gid, column))
    final = data(await move(server, a, gid, 5))  # a: bottom row, columns 2-5
    assert final["status"] == "won" and final["state"]["winner_id"] == a.id
    assert final["state"]["line"] == [[5, 2], [5, 3], [5, 4], [5, 5]]
    *_, (_, last) = await events(server)
    assert last["status"] == "won" and "next_turn" not in last
    await refused(server, await move(server, b, gid, 5), 409, "game_over")


async def test_tictactoe_to_a_draw(server: Server) -> None:
    rm = await room(server)
    gid = await ready_game(server, rm, "tictactoe")
    for i, cell in enumerate([0, 1, 2, 4, 3, 5, 7, 6, 8]):
        data(await move(server, rm.owner if i % 2 == 0 else rm.member, gid, cell))
    moves = await events(server)
    assert [ev["status"] for _, ev in moves] == ["active"] * 8 + ["draw"]
    assert all("next_turn" in ev for _, ev in moves[:-1]) and "next_turn" not in moves[-1][1]
    assert "winner_id" not in moves[-1][1]["state"]
    await refused(server, await move(server, rm.member, gid, 0), 409, "game_over")
