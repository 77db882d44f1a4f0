"""exercises_pre_norm.py: the solutions of "Pre-norm and RMSNorm"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.inside_the_block.exercises_pre_norm as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/inside_the_block/exercises_pre_norm.py").splitlines()


def test_rmsnorm_ignores_scale_and_layernorm_also_shift(printed):
    assert printed[:2] == ["RMSNorm   ignores a scale: True, a shift: False",
                           "LayerNorm ignores a scale: True, a shift: True"]


def test_every_block_of_the_deepest_stacks(snippet, printed):
    shown = [int(block) for block in printed[2].split()[1:]]
    assert shown[0] == 1 and shown[-1] == snippet.deepest
    rows = {line.split()[0]: [float(n) for n in line.split()[1:]]
            for line in printed[3:5]}
    assert set(rows) == {"post-norm", "pre-norm"}
    assert all(len(row) == len(shown) for row in rows.values())
    post, pre = rows["post-norm"], rows["pre-norm"]
    # post-norm: the blocks next to the output get the largest gradients
    assert post[-1] == max(post) and post[-1] > 1.5 * post[0]
    # pre-norm: the gradient shrinks from the first block to the last
    assert pre == sorted(pre, reverse=True) and pre[0] > 2 * pre[-1]
