"""exercises_mlp.py: the solutions of "The MLP: SwiGLU"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.inside_the_block.exercises_mlp as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/inside_the_block/exercises_mlp.py").splitlines()


def test_the_widths_and_the_weights_against_a_relu_mlp(snippet, printed):
    for line, config in zip(printed, (snippet.config, snippet.medium)):
        hidden, inner = config.hidden_size, config.intermediate_size
        assert f" {hidden} -> {inner}: {inner / hidden:.2f} x hidden, " in line
        assert line.endswith(f"{3 * inner / (8 * hidden):.2f} x the weights of a "
                             "4 x hidden ReLU MLP")


def test_phi3_mini_has_exactly_the_weights_of_a_4x_relu_mlp():
    from tests.facts import real_size_phi3

    config = real_size_phi3().config
    assert 3 * config.intermediate_size == 8 * config.hidden_size


def test_the_mlp_works_on_each_position_alone(printed):
    assert printed[2] == "one position at a time == all at once: True"
