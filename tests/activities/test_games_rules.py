"""The board-game rules against a brute-force reference, over random move sequences."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amityvox.services import games_rules as R

_ALL_DIRECTIONS = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]


def brute_force_winners(rules: R.Rules, board: R.Board) -> set[int]:
    """Every player with `in_a_row` pieces on a straight line, found by trying each start and direction."""
    found = set()
    for r in range(rules.rows):
        for c in range(rules.columns):
            for dr, dc in _ALL_DIRECTIONS:
                cells = [(r + i * dr, c + i * dc) for i in range(rules.in_a_row)]
                if not all(0 <= y < rules.rows and 0 <= x < rules.columns for y, x in cells):
                    continue
                owners = {board[y][x] for y, x in cells}
                if len(owners) == 1 and None not in owners:
                    found.add(owners.pop())
    return found


def check_invariants(game: R.Game, last_player: int | None) -> None:
    rules, board = game.rules, game.board
    counts = [sum(cell == p for row in board for cell in row) for p in (0, 1)]
    assert counts[0] - counts[1] in (0, 1)  # seat 0 moves first, turns alternate
    assert sum(counts) == game.moves
    assert all(cell in (None, 0, 1) for row in board for cell in row)
    if rules.gravity:  # nothing floats above an empty cell
        for c in range(rules.columns):
            column = [board[r][c] for r in range(rules.rows)]
            filled = [cell is not None for cell in column]
            assert filled == sorted(filled)
    winners = brute_force_winners(rules, board)
    assert len(winners) <= 1  # play stops at the first line, so two players never both have one
    if winners:
        assert game.status == R.WON and game.winner == last_player and winners == {last_player}
        assert game.line is not None and len(game.line) >= rules.in_a_row
        assert all(board[y][x] == game.winner for y, x in game.line)
    elif R.is_full(board):
        assert game.status == R.DRAW and game.winner is None
    else:
        assert game.status == R.ACTIVE and game.winner is None
        assert game.turn == game.moves % 2


@pytest.mark.parametrize("rules", list(R.RULES.values()), ids=list(R.RULES))
@settings(max_examples=150, deadline=None)
@given(moves=st.lists(st.integers(min_value=-1, max_value=9), max_size=80))
def test_random_sequences_stay_legal_and_wins_match_brute_force(rules: R.Rules, moves: list[int]) -> None:
    game = R.new_game(rules)
    last: int | None = None
    for move in moves:
        before = copy.deepcopy(game)
        player = game.turn
        try:
            after = R.play(game, player, move)
        except R.IllegalMove as exc:
            if game.status != R.ACTIVE:
                assert exc.code == "game_over"
            else:
                assert exc.code == "illegal_move"
                if 0 <= move < rules.move_count:  # in range, so the cell or the whole column is taken
                    taken = game.board[0][move] if rules.gravity else game.board[move // 3][move % 3]
                    assert taken is not None
            assert game == before  # a refused move changes nothing
            continue
        assert game == before  # play never mutates its input
        game, last = after, player
        check_invariants(game, last)
        with pytest.raises(R.IllegalMove) as wrong:
            R.play(game, 1 - game.turn, 0)
        assert wrong.value.code in ("not_your_turn", "game_over")


def test_tictactoe_row_win_and_line() -> None:
    game = R.new_game(R.TIC_TAC_TOE)
    for player, cell in [(0, 0), (1, 3), (0, 1), (1, 4), (0, 2)]:
        game = R.play(game, player, cell)
    assert (game.status, game.winner, game.line) == (R.WON, 0, [[0, 0], [0, 1], [0, 2]])
    with pytest.raises(R.IllegalMove) as over:
        R.play(game, 1, 8)
    assert over.value.code == "game_over"


def test_tictactoe_draw() -> None:
    game = R.new_game(R.TIC_TAC_TOE)
    for i, cell in enumerate([0, 1, 2, 4, 3, 5, 7, 6, 8]):
        game = R.play(game, i % 2, cell)
    assert game.status == R.DRAW and game.winner is None


def test_connect_four_gravity_column_full_and_diagonal() -> None:
    game = R.new_game(R.CONNECT_FOUR)
    for i in range(6):
        game = R.play(game, i % 2, 3)
    assert [game.board[r][3] for r in range(6)] == [1, 0, 1, 0, 1, 0]  # filled from the bottom
    with pytest.raises(R.IllegalMove) as full:
        R.play(game, 0, 3)
    assert full.value.code == "illegal_move"
    # Seat 0 completes a rising diagonal from (5,0) to (2,3).
    game = R.new_game(R.CONNECT_FOUR)
    for column in [0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3]:
        game = R.play(game, game.turn, column)
    assert game.status == R.WON and game.winner == 0
    assert game.line == [[2, 3], [3, 2], [4, 1], [5, 0]]


def test_out_of_range_and_wrong_types_are_illegal() -> None:
    for rules, bad in ((R.TIC_TAC_TOE, 9), (R.CONNECT_FOUR, 7)):
        for move in (-1, bad):
            with pytest.raises(R.IllegalMove):
                R.play(R.new_game(rules), 0, move)
    with pytest.raises(R.IllegalMove):
        R.play(R.new_game(R.TIC_TAC_TOE), 0, True)  # type: ignore[arg-type]


def test_state_round_trip() -> None:
    game = R.play(R.new_game(R.CONNECT_FOUR), 0, 4)
    state = R.to_state(game, ["A", "B"])
    back = R.from_state(R.CONNECT_FOUR, copy.deepcopy(state), game.status)
    assert (back.board, back.turn, back.moves) == (game.board, game.turn, game.moves)
    assert R.landing_row(game) == 5
