"""The from-scratch RoPE equals transformers' Phi-3 rotary embedding."""

import json

import pytest
import torch
from transformers import Phi3Config
from transformers.models.phi3.modeling_phi3 import (
    Phi3RotaryEmbedding,
    apply_rotary_pos_emb,
)

from snippets.inside_the_block.rotary import (
    apply_rotary,
    rotary_cos_sin,
    rotary_frequencies,
)
from tests.helpers import run_script
from tools.paths import TEST_DATA


def phi3_mini_config():
    config = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
    config.pop("auto_map")
    return Phi3Config(**config)


@pytest.fixture(scope="module")
def phi3_rotary():
    return Phi3RotaryEmbedding(phi3_mini_config())


def test_frequencies_equal_transformers_inv_freq(phi3_rotary):
    torch.testing.assert_close(rotary_frequencies(96), phi3_rotary.inv_freq)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_cos_sin_and_rotation_equal_transformers(phi3_rotary, dtype):
    torch.manual_seed(0)
    batch, heads, seq, head_dim = 2, 3, 11, 96
    positions = torch.arange(seq).expand(batch, seq) + torch.tensor([[0], [5]])
    q = torch.randn(batch, heads, seq, head_dim, dtype=dtype)
    k = torch.randn(batch, heads, seq, head_dim, dtype=dtype)

    cos, sin = rotary_cos_sin(head_dim, positions, theta=10000.0)
    their_cos, their_sin = phi3_rotary(q, positions)
    assert cos.shape == their_cos.shape == (batch, seq, head_dim)
    torch.testing.assert_close(cos.to(dtype), their_cos)
    torch.testing.assert_close(sin.to(dtype), their_sin)

    ours = apply_rotary(q, k, cos, sin)
    theirs = apply_rotary_pos_emb(q, k, their_cos, their_sin)
    for mine, reference in zip(ours, theirs):
        assert mine.dtype == dtype
        torch.testing.assert_close(mine, reference)


def test_rotation_keeps_lengths():
    torch.manual_seed(0)
    q, k = torch.randn(2, 1, 1, 5, 16).unbind(0)
    cos, sin = rotary_cos_sin(16, torch.arange(5)[None])
    q_rotated, _ = apply_rotary(q, k, cos, sin)
    torch.testing.assert_close(q_rotated.norm(dim=-1), q.norm(dim=-1))


def test_runs_as_a_script():
    run_script("snippets/inside_the_block/rotary.py")
