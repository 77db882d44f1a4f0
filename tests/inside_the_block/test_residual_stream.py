"""Redoing a Phi3DecoderLayer by hand from its submodules gives its exact output."""

import contextlib
import io
from pathlib import Path

import torch

from tests.helpers import run_script
from tests.kernels import first_difference, kernel_trace
from tools.sections import split_sections


def test_by_hand_equals_layer():
    from snippets.inside_the_block import residual_stream as r

    assert torch.equal(r.out, r.caught["stream_out"])
    # The two residual adds matter: without them the result is different.
    assert not torch.allclose(r.out - r.x, r.caught["stream_out"])


def test_by_hand_runs_the_same_kernels_as_the_layer():
    """Why torch.equal holds: the by-hand section makes the same kernel calls, on the
    same layouts, as the layer made inside the model (no KV cache on either side)."""
    from snippets.inside_the_block import residual_stream as r

    by_hand = next(chunk.code for chunk in split_sections(Path(r.__file__))
                   if chunk.section == "by-hand")
    sources = [*r.layer.parameters(), r.x]
    with contextlib.redirect_stdout(io.StringIO()):
        _, hand_calls = kernel_trace(exec, by_hand, dict(vars(r)), sources=sources)
    assert r.caught["past_key_values"] is None
    kwargs = {k: v for k, v in r.caught.items() if k not in ("stream_in", "stream_out")}
    _, layer_calls = kernel_trace(r.layer, r.x, sources=sources, **kwargs)
    assert hand_calls and hand_calls == layer_calls, first_difference(hand_calls,
                                                                      layer_calls)


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/residual_stream.py")
    assert "by hand == Phi3DecoderLayer: True" in output
