"""exercises_residual.py: the solutions of "Residual connections"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.inside_the_block.exercises_residual as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/inside_the_block/exercises_residual.py").splitlines()


def spreads(line: str) -> tuple[float, float]:
    """'32 blocks: largest / smallest 2e+01 with the x +, 3e+05 without' -> both."""
    numbers = line.split("smallest ")[1].split(" with the x +, ")
    return float(numbers[0]), float(numbers[1].split()[0])


def test_without_the_residual_the_spread_grows_with_depth(printed):
    lines = printed[:4]
    assert [int(line.split()[0]) for line in lines] == [8, 16, 32, 64]
    with_x, without = zip(*map(spreads, lines))
    assert all(a < b for a, b in zip(with_x, without))
    assert all(a < b / 10 for a, b in zip(without, without[1:]))  # multiplied, not added
    assert max(with_x) < 100  # "stays within a few tens"


def test_a_small_step_lowers_the_loss_and_a_large_one_overshoots(snippet, printed):
    lines = printed[4:]
    assert len(lines) == 3
    losses = [tuple(map(float, line.split("loss ")[1].split(" -> "))) for line in lines]
    assert len({before for before, _ in losses}) == 1  # the same start each time
    (start, small), (_, larger), (_, too_large) = losses
    assert larger < small < start
    assert too_large > start


def test_doubling_the_stack_roughly_squares_the_spread(snippet):
    """What the solution says, from the unrounded spreads."""
    spread = {depth: max(norms) / min(norms) for depth in (8, 16, 32, 64)
              for norms in [snippet.gradient_per_layer(False, depth=depth)]}
    for depth in (8, 16, 32):
        assert 0.1 < spread[2 * depth] / spread[depth] ** 2 < 10
