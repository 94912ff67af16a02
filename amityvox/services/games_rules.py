"""Rules of the board games, as pure functions over plain data (no I/O, no clock).

A board is a list of rows, row 0 at the top; each cell is None or the index of the
player whose piece is there. Both games are "k in a row" on a grid: tic-tac-toe
places anywhere (3 by 3, three in a row), connect-four drops a piece into a column
where it falls to the lowest empty cell (7 columns by 6 rows, four in a row).
A move is one integer: a cell 0-8 (row * 3 + column) or a column 0-6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Board = list[list[int | None]]

ACTIVE, WON, DRAW = "active", "won", "draw"

# The four line directions: right, down, down-right, down-left (the others are their mirrors).
_DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


class IllegalMove(Exception):
    """A move the rules do not allow; `code` is the API error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Rules:
    name: str
    rows: int
    columns: int
    in_a_row: int
    gravity: bool  # pieces fall to the lowest empty cell of the chosen column
    players: int = 2

    @property
    def move_count(self) -> int:
        """How many distinct moves exist: cells without gravity, columns with it."""
        return self.columns if self.gravity else self.rows * self.columns

    @property
    def move_key(self) -> str:
        return "column" if self.gravity else "cell"


TIC_TAC_TOE = Rules("tictactoe", rows=3, columns=3, in_a_row=3, gravity=False)
CONNECT_FOUR = Rules("connect4", rows=6, columns=7, in_a_row=4, gravity=True)
RULES: dict[str, Rules] = {r.name: r for r in (TIC_TAC_TOE, CONNECT_FOUR)}


@dataclass
class Game:
    """Where a game stands: the board, whose turn it is, and how it ended."""

    rules: Rules
    board: Board
    turn: int = 0  # index of the player to move
    status: str = ACTIVE
    winner: int | None = None
    line: list[list[int]] | None = None  # the winning cells as [row, column]
    moves: int = 0
    history: list[int] = field(default_factory=list)


def new_board(rules: Rules) -> Board:
    return [[None] * rules.columns for _ in range(rules.rows)]


def new_game(rules: Rules) -> Game:
    return Game(rules=rules, board=new_board(rules))


def target_cell(rules: Rules, board: Board, move: int) -> tuple[int, int]:
    """The (row, column) a move fills; IllegalMove if it is out of range or taken."""
    if isinstance(move, bool) or not isinstance(move, int) or not 0 <= move < rules.move_count:
        what = "column" if rules.gravity else "cell"
        raise IllegalMove("illegal_move", f"{what} must be an integer from 0 to {rules.move_count - 1}")
    if rules.gravity:
        for row in range(rules.rows - 1, -1, -1):
            if board[row][move] is None:
                return row, move
        raise IllegalMove("illegal_move", f"column {move} is full")
    row, column = divmod(move, rules.columns)
    if board[row][column] is not None:
        raise IllegalMove("illegal_move", f"cell {move} is already taken")
    return row, column


def line_through(rules: Rules, board: Board, row: int, column: int) -> list[list[int]] | None:
    """The winning run through (row, column), if the piece there completes one.

    Only lines through the last piece can be new, so checking them is enough after each move.
    """
    player = board[row][column]
    if player is None:
        return None
    for dr, dc in _DIRECTIONS:
        cells = [[row, column]]
        for sign in (1, -1):
            r, c = row + sign * dr, column + sign * dc
            while 0 <= r < rules.rows and 0 <= c < rules.columns and board[r][c] == player:
                cells.append([r, c])
                r, c = r + sign * dr, c + sign * dc
        if len(cells) >= rules.in_a_row:
            return sorted(cells)
    return None


def is_full(board: Board) -> bool:
    return all(cell is not None for row in board for cell in row)


def play(game: Game, player: int, move: int) -> Game:
    """The game after `player` makes `move`; the input is left unchanged.

    Raises IllegalMove with code `game_over`, `not_your_turn` or `illegal_move`.
    """
    if game.status != ACTIVE:
        raise IllegalMove("game_over", "the game is over")
    if player != game.turn:
        raise IllegalMove("not_your_turn", "it is not your turn")
    row, column = target_cell(game.rules, game.board, move)
    board = [list(r) for r in game.board]
    board[row][column] = player
    after = Game(
        rules=game.rules,
        board=board,
        turn=(player + 1) % game.rules.players,
        moves=game.moves + 1,
        history=[*game.history, move],
    )
    line = line_through(game.rules, board, row, column)
    if line is not None:
        after.status, after.winner, after.line = WON, player, line
    elif is_full(board):
        after.status = DRAW
    return after


def landing_row(game: Game) -> int | None:
    """Where the last piece of a gravity game came to rest (for clients that animate the drop)."""
    if not game.history or not game.rules.gravity:
        return None
    column = game.history[-1]
    for row in range(game.rules.rows):
        if game.board[row][column] is not None:
            return row
    return None


# ---- the stored / wire form -------------------------------------------------------------------


def to_state(game: Game, players: list[str]) -> dict[str, Any]:
    """The JSON state clients see and the database keeps; player ids are in seat order."""
    state: dict[str, Any] = {
        "board": game.board,
        "players": players,
        "turn": game.turn,
        "moves": game.moves,
        "rows": game.rules.rows,
        "columns": game.rules.columns,
    }
    if game.winner is not None:
        state["winner"] = game.winner
        state["winner_id"] = players[game.winner]
        state["line"] = game.line
    return state


def from_state(rules: Rules, state: dict[str, Any], status: str) -> Game:
    return Game(
        rules=rules,
        board=[list(row) for row in state["board"]],
        turn=int(state["turn"]),
        status=status,
        winner=state.get("winner"),
        line=state.get("line"),
        moves=int(state["moves"]),
    )
