"""Two-player board games in a channel: tic-tac-toe and connect-four.

The creator takes seat 0 and the game waits; the first other member to join takes
seat 1 and the game becomes active, seat 0 to move. Every move is checked by the
rules in games_rules before anything is stored or published. Status goes
waiting → active → won | draw. Viewers of the channel see the events; members who
may post there create, join and play.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import games
from amityvox.errors import ApiError, bad_request, conflict, forbidden, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services import games_rules as R
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.activities import acting_channel
from amityvox.services.serialize import Row

WAITING = "waiting"


def game_out(row: Row) -> dict[str, Any]:
    """GAME_SESSION_CREATE and the REST answer."""
    return {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "game_type": row["game_type"],
        "state": row["state"],
        "status": row["status"],
    }


def _rules(game_type: str) -> R.Rules:
    rules = R.RULES.get(game_type)
    if rules is None:
        raise bad_request(f"game_type must be one of {', '.join(R.RULES)}", code="unknown_game_type")
    return rules


async def _game_row(conn: AsyncConnection, game_id: str, *, lock: bool = False) -> Row:
    q = select(games).where(games.c.id == game_id)
    if lock:
        q = q.with_for_update()
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("game")
    return row


async def _visible_game(conn: AsyncConnection, game_id: str, user_id: str, need: int) -> tuple[Row, ChannelAccess]:
    row = await _game_row(conn, game_id, lock=bool(need))
    try:
        ca = await channel_access(conn, row["channel_id"], user_id)
    except ApiError as exc:
        if exc.status == 404:
            raise not_found("game") from None
        raise
    if need:
        ca.require(need)
    return row, ca


async def create_game(ctx: Context, channel_id: str, user_id: str, game_type: str) -> dict[str, Any]:
    """POST /games (SendMessages) → GAME_SESSION_CREATE; the creator sits in seat 0."""
    rules = _rules(game_type)
    async with ctx.uow() as tx:
        ca = await acting_channel(tx.conn, channel_id, user_id)
        now = now_iso()
        values = {
            "id": new_id(),
            "channel_id": channel_id,
            "guild_id": ca.guild_id,
            "game_type": rules.name,
            "state": R.to_state(R.new_game(rules), [user_id]),
            "status": WAITING,
            "created_at": now,
            "updated_at": now,
        }
        await tx.conn.execute(insert(games).values(**values))
        game = game_out(values)
        tx.emit("GAME_SESSION_CREATE", game)
        return game


async def get_game(ctx: Context, game_id: str, user_id: str) -> dict[str, Any]:
    """GET /games/{id} (ViewChannel)."""
    async with ctx.db.read() as conn:
        row, _ = await _visible_game(conn, game_id, user_id, 0)
        return game_out(row)


async def join_game(ctx: Context, game_id: str, user_id: str) -> dict[str, Any]:
    """POST /games/{id}/join (SendMessages) → GAME_PLAYER_JOIN; a full table makes the game active."""
    async with ctx.uow() as tx:
        row, _ = await _visible_game(tx.conn, game_id, user_id, P.Perm.SendMessages)
        rules = _rules(row["game_type"])
        players: list[str] = list(row["state"]["players"])
        if user_id in players:
            raise conflict("you are already playing this game", code="already_joined")
        if row["status"] != WAITING or len(players) >= rules.players:
            raise conflict("this game has no free seat", code="game_full")
        players.append(user_id)
        status = R.ACTIVE if len(players) == rules.players else WAITING
        state = {**row["state"], "players": players}
        await tx.conn.execute(
            update(games).where(games.c.id == game_id).values(state=state, status=status, updated_at=now_iso())
        )
        tx.emit(
            "GAME_PLAYER_JOIN",
            {"game_id": game_id, "user_id": user_id, "player_index": len(players) - 1, "channel_id": row["channel_id"]},
        )
        return game_out({**row, "state": state, "status": status})


def _move_number(rules: R.Rules, move: int | dict[str, Any]) -> int:
    """A move is an integer, or the object events carry (`{"cell": n}` / `{"column": n}`)."""
    if isinstance(move, dict):
        if set(move) != {rules.move_key}:
            raise bad_request(f'move must be an integer or {{"{rules.move_key}": n}}', code="illegal_move")
        move = move[rules.move_key]
    if isinstance(move, bool) or not isinstance(move, int):
        raise bad_request(f"{rules.move_key} must be an integer", code="illegal_move")
    return move


async def make_move(ctx: Context, game_id: str, user_id: str, move: int | dict[str, Any]) -> dict[str, Any]:
    """POST /games/{id}/move (SendMessages) → GAME_MOVE.

    Anything the rules reject (not a player, not started, not your turn, over,
    illegal) answers 4xx and leaves the game untouched.
    """
    async with ctx.uow() as tx:
        row, _ = await _visible_game(tx.conn, game_id, user_id, P.Perm.SendMessages)
        rules = _rules(row["game_type"])
        number = _move_number(rules, move)
        players: list[str] = row["state"]["players"]
        if user_id not in players:
            raise forbidden("you are not playing this game", code="not_a_player")
        if row["status"] == WAITING:
            raise conflict("the game has not started: it waits for another player", code="game_not_started")
        before = R.from_state(rules, row["state"], row["status"])
        try:
            after = R.play(before, players.index(user_id), number)
        except R.IllegalMove as exc:
            status = 400 if exc.code == "illegal_move" else 409
            raise ApiError(status, exc.code, exc.message) from None
        state = R.to_state(after, players)
        await tx.conn.execute(
            update(games).where(games.c.id == game_id).values(state=state, status=after.status, updated_at=now_iso())
        )
        placed: dict[str, Any] = {rules.move_key: number}
        if rules.gravity:
            placed["row"] = R.landing_row(after)
        event: dict[str, Any] = {
            "game_id": game_id,
            "user_id": user_id,
            "move": placed,
            "state": state,
            "status": after.status,
            "channel_id": row["channel_id"],
        }
        if after.status == R.ACTIVE:
            event["next_turn"] = players[after.turn]
        tx.emit("GAME_MOVE", event)
        return game_out({**row, "state": state, "status": after.status})
