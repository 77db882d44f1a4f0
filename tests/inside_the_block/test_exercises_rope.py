"""exercises_rope.py: the solutions of "Rotary position embeddings"'s exercises."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.inside_the_block.exercises_rope as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/inside_the_block/exercises_rope.py").splitlines()


def test_rotation_keeps_the_length_and_changes_the_vector(snippet, printed):
    assert printed[:2] == ["same length everywhere: True",
                           "same vector everywhere: False"]
    # position 0 is not rotated at all: only the later ones differ
    assert torch.equal(snippet.rotated[..., 0, :], snippet.same_query[..., 0, :])


def test_a_larger_base_turns_the_slowest_pair_slower(snippet, printed):
    from snippets.inside_the_block.rope_properties import wavelength

    tokens = [float(line.split("about ")[1].split()[0].replace(",", ""))
              for line in printed[2:4]]
    assert tokens[0] == round(wavelength[-1].item(), -3)  # the page's slowest pair
    assert tokens[1] > 10 * tokens[0]
