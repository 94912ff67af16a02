"""/games: two-player board games played in a channel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field, StrictInt

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import GameSession
from amityvox.services import games

router = APIRouter(prefix="/games", tags=["games"])


class CreateGame(Body):
    channel_id: str = Field(min_length=1, max_length=26)
    game_type: str = Field(min_length=1, max_length=32)


class Move(Body):
    move: StrictInt | dict[str, Any]  # a cell / column number, or {"cell": n} / {"column": n}


@router.post("", status_code=201, response_model=Data[GameSession])
async def create_game(body: CreateGame, caller: Me, ctx: Ctx) -> Response:
    return ok(await games.create_game(ctx, body.channel_id, caller.id, body.game_type), 201)


@router.get("/{game_id}", response_model=Data[GameSession])
async def get_game(game_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await games.get_game(ctx, game_id, caller.id))


@router.post("/{game_id}/join", response_model=Data[GameSession])
async def join_game(game_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await games.join_game(ctx, game_id, caller.id))


@router.post("/{game_id}/move", response_model=Data[GameSession])
async def move(game_id: str, body: Move, caller: Me, ctx: Ctx) -> Response:
    return ok(await games.make_move(ctx, game_id, caller.id, body.move))
