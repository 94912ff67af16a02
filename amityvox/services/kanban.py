"""Kanban boards in a channel: ordered columns holding ordered cards.

Positions within a board's columns, and within each column's cards, are always
0..n-1: every change renumbers what it touched in the same transaction, with the
board row locked (on PostgreSQL; SQLite serialises writers) so concurrent moves
cannot interleave. A client keeps the same order by applying KANBAN_CARD_MOVE as
"take the card out of its column, insert it into `column_id` at index `position`".

Boards and columns are announced by no event (the catalog has none): clients load a
board with GET …/kanban/{b}. Cards are announced on creation (KANBAN_CARD_CREATE) and
on every move (KANBAN_CARD_MOVE); deleting a card has no catalog event either, so
other clients see a deletion when they next load the board.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from amityvox import permissions as P
from amityvox.context import Context
from amityvox.db.schema import kanban_boards, kanban_cards, kanban_columns
from amityvox.errors import bad_request, not_found
from amityvox.ids import new_id, now_iso
from amityvox.services.access import ChannelAccess, channel_access
from amityvox.services.messages import require_message_channel, require_unlocked
from amityvox.services.serialize import Row

MAX_NAME = 100
MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_BOARDS = 25  # per channel
MAX_COLUMNS = 20  # per board
MAX_CARDS = 500  # per board
PAGE_MAX = 100


def board_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "name": row["name"],
        "creator_id": row["creator_id"],
        "created_at": row["created_at"],
    }


def column_out(row: Row, cards: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "board_id": row["board_id"],
        "name": row["name"],
        "position": row["position"],
        "cards": cards,
    }


def card_out(row: Row) -> dict[str, Any]:
    """The KanbanCard object (REST and KANBAN_CARD_CREATE)."""
    out = {
        "id": row["id"],
        "board_id": row["board_id"],
        "column_id": row["column_id"],
        "channel_id": row["channel_id"],
        "title": row["title"],
        "position": row["position"],
        "creator_id": row["creator_id"],
        "created_at": row["created_at"],
    }
    if row["description"] is not None:
        out["description"] = row["description"]
    return out


def _text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not 1 <= len(value) <= limit:
        raise bad_request(f"{what} must be 1-{limit} characters")
    return value


def _description(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_DESCRIPTION:
        raise bad_request(f"description must be at most {MAX_DESCRIPTION} characters")
    return value if value.strip() else None


async def _acting(conn: AsyncConnection, channel_id: str, user_id: str) -> ChannelAccess:
    ca = await channel_access(conn, channel_id, user_id, need=P.Perm.SendMessages)
    require_message_channel(ca)
    require_unlocked(ca)
    return ca


async def _board(conn: AsyncConnection, channel_id: str, board_id: str, *, lock: bool = False) -> Row:
    q = select(kanban_boards).where(kanban_boards.c.id == board_id, kanban_boards.c.channel_id == channel_id)
    if lock:
        q = q.with_for_update()
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("kanban board")
    return row


async def _column(conn: AsyncConnection, board_id: str, column_id: str) -> Row:
    q = select(kanban_columns).where(kanban_columns.c.id == column_id, kanban_columns.c.board_id == board_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("kanban column")
    return row


async def _card(conn: AsyncConnection, board_id: str, card_id: str) -> Row:
    q = select(kanban_cards).where(kanban_cards.c.id == card_id, kanban_cards.c.board_id == board_id)
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise not_found("kanban card")
    return row


async def _cards_in(conn: AsyncConnection, column_id: str) -> list[Row]:
    """The column's cards in order (id, column_id, position)."""
    q = (
        select(kanban_cards.c.id, kanban_cards.c.column_id, kanban_cards.c.position)
        .where(kanban_cards.c.column_id == column_id)
        .order_by(kanban_cards.c.position, kanban_cards.c.id)
    )
    return list((await conn.execute(q)).mappings())


async def _renumber(conn: AsyncConnection, column_id: str, cards: list[Row]) -> None:
    """Put `cards` into `column_id` at positions 0..n-1 in that order, writing only what changes."""
    for position, card in enumerate(cards):
        if card["column_id"] != column_id or card["position"] != position:
            await conn.execute(
                update(kanban_cards)
                .where(kanban_cards.c.id == card["id"])
                .values(column_id=column_id, position=position)
            )


async def create_board(ctx: Context, channel_id: str, user_id: str, name: str) -> dict[str, Any]:
    """POST …/experimental/kanban (SendMessages): an empty board; no event."""
    name = _text(name, "name", MAX_NAME)
    async with ctx.uow() as tx:
        await _acting(tx.conn, channel_id, user_id)
        held = await tx.conn.scalar(select(func.count()).where(kanban_boards.c.channel_id == channel_id))
        if (held or 0) >= MAX_BOARDS:
            raise bad_request(f"a channel holds at most {MAX_BOARDS} kanban boards", code="limit_reached")
        row = {"id": new_id(), "channel_id": channel_id, "name": name, "creator_id": user_id, "created_at": now_iso()}
        await tx.conn.execute(kanban_boards.insert().values(**row))
        return {**board_out(row), "columns": []}


async def list_boards(ctx: Context, channel_id: str, user_id: str, *, limit: int = PAGE_MAX) -> list[dict[str, Any]]:
    """GET …/experimental/kanban (ViewChannel): the channel's boards without columns, oldest first."""
    async with ctx.db.read() as conn:
        ca = await channel_access(conn, channel_id, user_id)
        require_message_channel(ca)
        q = (
            select(kanban_boards)
            .where(kanban_boards.c.channel_id == channel_id)
            .order_by(kanban_boards.c.id)
            .limit(limit)
        )
        return [board_out(r) for r in (await conn.execute(q)).mappings()]


async def get_board(ctx: Context, channel_id: str, board_id: str, user_id: str) -> dict[str, Any]:
    """GET …/experimental/kanban/{b} (ViewChannel): the board, its columns and their cards, in order."""
    async with ctx.db.read() as conn:
        await channel_access(conn, channel_id, user_id)
        board = await _board(conn, channel_id, board_id)
        columns = list(
            (
                await conn.execute(
                    select(kanban_columns)
                    .where(kanban_columns.c.board_id == board["id"])
                    .order_by(kanban_columns.c.position, kanban_columns.c.id)
                )
            ).mappings()
        )
        cards = (
            await conn.execute(
                select(kanban_cards)
                .where(kanban_cards.c.board_id == board["id"])
                .order_by(kanban_cards.c.position, kanban_cards.c.id)
            )
        ).mappings()
        by_column: dict[str, list[dict[str, Any]]] = {c["id"]: [] for c in columns}
        for card in cards:
            by_column[card["column_id"]].append(card_out(card))
        return {**board_out(board), "columns": [column_out(c, by_column[c["id"]]) for c in columns]}


async def create_column(ctx: Context, channel_id: str, board_id: str, user_id: str, name: str) -> dict[str, Any]:
    """POST …/experimental/kanban/{b}/columns (SendMessages): a column after the last one; no event."""
    name = _text(name, "name", MAX_NAME)
    async with ctx.uow() as tx:
        await _acting(tx.conn, channel_id, user_id)
        board = await _board(tx.conn, channel_id, board_id, lock=True)
        held = int(await tx.conn.scalar(select(func.count()).where(kanban_columns.c.board_id == board["id"])) or 0)
        if held >= MAX_COLUMNS:
            raise bad_request(f"a board holds at most {MAX_COLUMNS} columns", code="limit_reached")
        row = {"id": new_id(), "board_id": board["id"], "name": name, "position": held, "created_at": now_iso()}
        await tx.conn.execute(kanban_columns.insert().values(**row))
        return column_out(row, [])


async def create_card(
    ctx: Context, channel_id: str, board_id: str, column_id: str, user_id: str, title: str, description: str | None
) -> dict[str, Any]:
    """POST …/experimental/kanban/{b}/columns/{col}/cards (SendMessages): a card at the column's end
    → KANBAN_CARD_CREATE."""
    title = _text(title, "title", MAX_TITLE)
    description = _description(description)
    async with ctx.uow() as tx:
        await _acting(tx.conn, channel_id, user_id)
        board = await _board(tx.conn, channel_id, board_id, lock=True)
        column = await _column(tx.conn, board["id"], column_id)
        held = await tx.conn.scalar(select(func.count()).where(kanban_cards.c.board_id == board["id"]))
        if (held or 0) >= MAX_CARDS:
            raise bad_request(f"a board holds at most {MAX_CARDS} cards", code="limit_reached")
        in_column = len(await _cards_in(tx.conn, column["id"]))
        row = {
            "id": new_id(),
            "board_id": board["id"],
            "column_id": column["id"],
            "channel_id": channel_id,
            "title": title,
            "description": description,
            "position": in_column,
            "creator_id": user_id,
            "created_at": now_iso(),
        }
        await tx.conn.execute(kanban_cards.insert().values(**row))
        card = card_out(row)
        tx.emit("KANBAN_CARD_CREATE", card)
        return card


async def move_card(
    ctx: Context, channel_id: str, board_id: str, card_id: str, user_id: str, column_id: str, position: int
) -> dict[str, Any]:
    """PATCH …/experimental/kanban/{b}/cards/{card}/move (SendMessages) → KANBAN_CARD_MOVE.

    `position` is the card's index in the target column once moved; past the end means
    last. The source and target columns are renumbered 0..n-1 in the same transaction.
    """
    if position < 0:
        raise bad_request("position must be 0 or more")
    async with ctx.uow() as tx:
        await _acting(tx.conn, channel_id, user_id)
        board = await _board(tx.conn, channel_id, board_id, lock=True)
        card = await _card(tx.conn, board["id"], card_id)
        target = await _column(tx.conn, board["id"], column_id)
        source_id = card["column_id"]
        target_cards = [c for c in await _cards_in(tx.conn, target["id"]) if c["id"] != card["id"]]
        position = min(position, len(target_cards))
        target_cards.insert(position, card)
        if source_id != target["id"]:
            rest = [c for c in await _cards_in(tx.conn, source_id) if c["id"] != card["id"]]
            await _renumber(tx.conn, source_id, rest)
        await _renumber(tx.conn, target["id"], target_cards)
        event = {
            "card_id": card["id"],
            "board_id": board["id"],
            "column_id": target["id"],
            "position": position,
            "channel_id": channel_id,
        }
        tx.emit("KANBAN_CARD_MOVE", event)
        return card_out({**card, "column_id": target["id"], "position": position})


async def delete_card(ctx: Context, channel_id: str, board_id: str, card_id: str, user_id: str) -> None:
    """DELETE …/experimental/kanban/{b}/cards/{card} (its creator, or ManageMessages).

    The rest of the column closes up (renumbered 0..n-1). No event: the catalog has none
    for a deleted card.
    """
    async with ctx.uow() as tx:
        ca = await channel_access(tx.conn, channel_id, user_id)
        board = await _board(tx.conn, channel_id, board_id, lock=True)
        card = await _card(tx.conn, board["id"], card_id)
        if card["creator_id"] != user_id:
            ca.require(P.Perm.ManageMessages)
        await tx.conn.execute(kanban_cards.delete().where(kanban_cards.c.id == card["id"]))
        await _renumber(tx.conn, card["column_id"], await _cards_in(tx.conn, card["column_id"]))
