"""Redoing a Phi3DecoderLayer by hand from its submodules gives its exact output."""

import torch

from tests.helpers import run_script


def test_by_hand_equals_layer():
    from snippets.inside_the_block import residual_stream as r

    assert torch.equal(r.out, r.caught["stream_out"])
    # The two residual adds matter: without them the result is different.
    assert not torch.allclose(r.out - r.x, r.caught["stream_out"])


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/residual_stream.py")
    assert "by hand == Phi3DecoderLayer: True" in output
