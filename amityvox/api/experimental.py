"""/channels/{c}/experimental/…: location sharing, message effects, super reactions,
whiteboards, code snippets and kanban boards.

Reading needs ViewChannel; acting needs SendMessages (AddReactions for super reactions).
DM and group recipients may use every feature.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import (
    CodeSnippet,
    KanbanBoard,
    KanbanBoardWithColumns,
    KanbanCard,
    KanbanColumn,
    LocationShare,
    MessageEffect,
    SuperReaction,
    Whiteboard,
    WhiteboardSummary,
)
from amityvox.services import effects, kanban, locations, snippets, whiteboards

router = APIRouter(prefix="/channels/{channel_id}/experimental", tags=["experimental"])

# ---- location sharing ------------------------------------------------------------------------


class ShareLocation(Body):
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy: float | None = Field(default=None, ge=0, le=1_000_000, allow_inf_nan=False)
    label: str | None = Field(default=None, max_length=200)
    live: bool
    duration_seconds: int | None = None


class MoveLocation(Body):
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    accuracy: float | None = Field(default=None, ge=0, le=1_000_000, allow_inf_nan=False)
    label: str | None = Field(default=None, max_length=200)


@router.post("/location", status_code=201, response_model=Data[LocationShare])
async def share_location(channel_id: str, body: ShareLocation, caller: Me, ctx: Ctx) -> Response:
    """Share a location (SendMessages) → LOCATION_SHARE_CREATE.

    A live share needs `duration_seconds` (60-28800) and ends by itself when that runs
    out (LOCATION_SHARE_STOP); a one-off share lasts until it is stopped.
    """
    share = await locations.create_share(
        ctx,
        channel_id,
        caller.id,
        latitude=body.latitude,
        longitude=body.longitude,
        accuracy=body.accuracy,
        label=body.label,
        live=body.live,
        duration_seconds=body.duration_seconds,
    )
    return ok(share, 201)


@router.patch("/location/{share_id}", response_model=Data[LocationShare])
async def move_location(channel_id: str, share_id: str, body: MoveLocation, caller: Me, ctx: Ctx) -> Response:
    """Move a live share (its sharer, before it expires) → LOCATION_SHARE_UPDATE."""
    changes = body.model_dump(exclude_unset=True)
    return ok(await locations.update_share(ctx, channel_id, share_id, caller.id, changes))


@router.delete("/location/{share_id}", status_code=204)
async def stop_location(channel_id: str, share_id: str, caller: Me, ctx: Ctx) -> Response:
    """Stop a share (its sharer, or ManageMessages) → LOCATION_SHARE_STOP."""
    await locations.stop_share(ctx, channel_id, share_id, caller.id)
    return no_content()


@router.get("/locations", response_model=Data[list[LocationShare]])
async def list_locations(
    channel_id: str,
    caller: Me,
    ctx: Ctx,
    before: str | None = None,
    limit: int = Query(locations.PAGE_MAX, ge=1, le=locations.PAGE_MAX),
) -> Response:
    """The channel's running shares, newest first (ViewChannel)."""
    return ok(await locations.list_shares(ctx, channel_id, caller.id, before=before, limit=limit))


# ---- message effects and super reactions -------------------------------------------------------


class CreateEffect(Body):
    effect_type: str = Field(max_length=32)
    config: dict[str, Any] | None = None


class CreateSuperReaction(Body):
    emoji: str = Field(max_length=128)
    intensity: int = Field(ge=effects.MIN_INTENSITY, le=effects.MAX_INTENSITY)


@router.post(
    "/messages/{message_id}/effects",
    status_code=201,
    description=(
        "Play an effect over a message (SendMessages) → MESSAGE_EFFECT_CREATE. "
        f"`effect_type` is one of {', '.join(effects.EFFECT_TYPES)}; each has its own `config` fields, "
        f"all optional. At most {effects.EFFECTS_PER_MINUTE} effects per user per minute."
    ),
    response_model=Data[MessageEffect],
)
async def create_effect(channel_id: str, message_id: str, body: CreateEffect, caller: Me, ctx: Ctx) -> Response:
    effect = await effects.create_effect(ctx, channel_id, message_id, caller.id, body.effect_type, body.config)
    return ok(effect, 201)


@router.post(
    "/messages/{message_id}/super-reactions",
    status_code=201,
    description=(
        "Send a super reaction (AddReactions) → SUPER_REACTION_ADD. `intensity` is 1-5; "
        f"at most {effects.SUPER_REACTIONS_PER_MINUTE} per user per minute (429 with `retry_after`)."
    ),
    response_model=Data[SuperReaction],
)
async def add_super_reaction(
    channel_id: str, message_id: str, body: CreateSuperReaction, caller: Me, ctx: Ctx
) -> Response:
    reaction = await effects.add_super_reaction(ctx, channel_id, message_id, caller.id, body.emoji, body.intensity)
    return ok(reaction, 201)


# ---- whiteboards -------------------------------------------------------------------------------


class CreateWhiteboard(Body):
    name: str = Field(max_length=200)
    state: dict[str, Any] | None = None


class EditWhiteboard(Body):
    state: dict[str, Any]
    version: int = Field(ge=0, description="the version this edit is based on")


@router.post("/whiteboards", status_code=201, response_model=Data[Whiteboard])
async def create_whiteboard(channel_id: str, body: CreateWhiteboard, caller: Me, ctx: Ctx) -> Response:
    """Create a whiteboard at version 0 (SendMessages). No event is published for creation."""
    board = await whiteboards.create_whiteboard(ctx, channel_id, caller.id, body.name, body.state)
    return ok(board, 201)


@router.get("/whiteboards", response_model=Data[list[WhiteboardSummary]])
async def list_whiteboards(
    channel_id: str, caller: Me, ctx: Ctx, limit: int = Query(whiteboards.PAGE_MAX, ge=1, le=whiteboards.PAGE_MAX)
) -> Response:
    """The channel's whiteboards without their state, oldest first (ViewChannel)."""
    return ok(await whiteboards.list_whiteboards(ctx, channel_id, caller.id, limit=limit))


@router.get("/whiteboards/{board_id}", response_model=Data[Whiteboard])
async def get_whiteboard(channel_id: str, board_id: str, caller: Me, ctx: Ctx) -> Response:
    """A whiteboard with its state and version (ViewChannel)."""
    return ok(await whiteboards.get_whiteboard(ctx, channel_id, board_id, caller.id))


@router.patch("/whiteboards/{board_id}", response_model=Data[Whiteboard])
async def edit_whiteboard(channel_id: str, board_id: str, body: EditWhiteboard, caller: Me, ctx: Ctx) -> Response:
    """Replace the state (≤ 256 KiB of JSON) → WHITEBOARD_UPDATE with version + 1.

    `version` must be the board's current version; otherwise 409 `version_conflict`
    with `current_version`, and nothing changes.
    """
    board = await whiteboards.update_whiteboard(ctx, channel_id, board_id, caller.id, body.state, body.version)
    return ok(board)


# ---- code snippets ---------------------------------------------------------------------------


class CreateSnippet(Body):
    title: str = Field(max_length=200)
    language: str = Field(max_length=32)
    code: str


_SNIPPETS_ARE_TEXT = "Snippets are stored and displayed only: the server never executes code."


@router.post(
    "/code-snippets",
    status_code=201,
    description=(
        "Share a code snippet (SendMessages) → CODE_SNIPPET_CREATE. "
        f"{_SNIPPETS_ARE_TEXT} `title` 1-{snippets.MAX_TITLE} characters; `code` at most "
        f"{snippets.MAX_CODE_BYTES // 1024} KiB (413 beyond); `language` names the highlighting, one of: "
        f"{', '.join(snippets.LANGUAGES)}."
    ),
    response_model=Data[CodeSnippet],
)
async def create_snippet(channel_id: str, body: CreateSnippet, caller: Me, ctx: Ctx) -> Response:
    snippet = await snippets.create_snippet(ctx, channel_id, caller.id, body.title, body.language, body.code)
    return ok(snippet, 201)


@router.get(
    "/code-snippets",
    description=f"The channel's snippets, newest first (ViewChannel). {_SNIPPETS_ARE_TEXT}",
    response_model=Data[list[CodeSnippet]],
)
async def list_snippets(
    channel_id: str,
    caller: Me,
    ctx: Ctx,
    before: str | None = None,
    limit: int = Query(snippets.PAGE_MAX, ge=1, le=snippets.PAGE_MAX),
) -> Response:
    return ok(await snippets.list_snippets(ctx, channel_id, caller.id, before=before, limit=limit))


@router.get(
    "/code-snippets/{snippet_id}",
    description=f"One snippet (ViewChannel). {_SNIPPETS_ARE_TEXT}",
    response_model=Data[CodeSnippet],
)
async def get_snippet(channel_id: str, snippet_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await snippets.get_snippet(ctx, channel_id, snippet_id, caller.id))


# ---- kanban ----------------------------------------------------------------------------------


class CreateBoard(Body):
    name: str = Field(max_length=200)


class CreateColumn(Body):
    name: str = Field(max_length=200)


class CreateCard(Body):
    title: str = Field(max_length=400)
    description: str | None = Field(default=None, max_length=kanban.MAX_DESCRIPTION)


class MoveCard(Body):
    column_id: str = Field(max_length=26)
    position: int = Field(ge=0)


@router.post("/kanban", status_code=201, response_model=Data[KanbanBoardWithColumns])
async def create_board(channel_id: str, body: CreateBoard, caller: Me, ctx: Ctx) -> Response:
    """Create an empty board (SendMessages). No event is published for boards or columns."""
    return ok(await kanban.create_board(ctx, channel_id, caller.id, body.name), 201)


@router.get("/kanban", response_model=Data[list[KanbanBoard]])
async def list_boards(
    channel_id: str, caller: Me, ctx: Ctx, limit: int = Query(kanban.PAGE_MAX, ge=1, le=kanban.PAGE_MAX)
) -> Response:
    """The channel's boards without their columns, oldest first (ViewChannel)."""
    return ok(await kanban.list_boards(ctx, channel_id, caller.id, limit=limit))


@router.get("/kanban/{board_id}", response_model=Data[KanbanBoardWithColumns])
async def get_board(channel_id: str, board_id: str, caller: Me, ctx: Ctx) -> Response:
    """The board with its columns and their cards, each in position order (ViewChannel)."""
    return ok(await kanban.get_board(ctx, channel_id, board_id, caller.id))


@router.post("/kanban/{board_id}/columns", status_code=201, response_model=Data[KanbanColumn])
async def create_column(channel_id: str, board_id: str, body: CreateColumn, caller: Me, ctx: Ctx) -> Response:
    """Add a column after the last one (SendMessages). No event."""
    return ok(await kanban.create_column(ctx, channel_id, board_id, caller.id, body.name), 201)


@router.post("/kanban/{board_id}/columns/{column_id}/cards", status_code=201, response_model=Data[KanbanCard])
async def create_card(
    channel_id: str, board_id: str, column_id: str, body: CreateCard, caller: Me, ctx: Ctx
) -> Response:
    """Add a card at the end of a column (SendMessages) → KANBAN_CARD_CREATE."""
    card = await kanban.create_card(ctx, channel_id, board_id, column_id, caller.id, body.title, body.description)
    return ok(card, 201)


@router.patch("/kanban/{board_id}/cards/{card_id}/move", response_model=Data[KanbanCard])
async def move_card(channel_id: str, board_id: str, card_id: str, body: MoveCard, caller: Me, ctx: Ctx) -> Response:
    """Move a card to index `position` of `column_id` (past the end: last) → KANBAN_CARD_MOVE.

    Positions in the source and target columns stay 0..n-1.
    """
    card = await kanban.move_card(ctx, channel_id, board_id, card_id, caller.id, body.column_id, body.position)
    return ok(card)


@router.delete("/kanban/{board_id}/cards/{card_id}", status_code=204)
async def delete_card(channel_id: str, board_id: str, card_id: str, caller: Me, ctx: Ctx) -> Response:
    """Delete a card (its creator, or ManageMessages); the column closes up. No event is published."""
    await kanban.delete_card(ctx, channel_id, board_id, card_id, caller.id)
    return no_content()
