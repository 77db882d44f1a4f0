"""Phi-3's only input module is embed_tokens; rotary_emb holds no parameters."""

import torch
from transformers.models.phi3.modeling_phi3 import Phi3RotaryEmbedding

from snippets.inside_the_block.rotary import rotary_frequencies
from tests.facts import real_size_phi3
from tests.helpers import run_script
from tests.kernels import first_difference, kernel_trace


def test_only_embed_tokens_reads_the_input():
    phi3 = real_size_phi3()
    assert [name for name, _ in phi3.model.named_children()] == [
        "embed_tokens", "layers", "norm", "rotary_emb"]
    assert sum(p.numel() for p in phi3.model.rotary_emb.parameters()) == 0
    assert not any("position" in name for name, _ in phi3.named_parameters())
    assert [name for name, _ in phi3.model.rotary_emb.named_buffers()] == [
        "inv_freq", "original_inv_freq"]


def test_rotary_buffer_is_the_frequencies():
    on_cpu = Phi3RotaryEmbedding(real_size_phi3().config)  # meta buffers hold no values
    torch.testing.assert_close(on_cpu.inv_freq, rotary_frequencies(96))


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/positions_in_phi3.py")
    assert "cos, sin equal: True True" in output
    assert "rotated q, k equal: True" in output
    assert "\nembed_tokens " in output


def test_versus_transformers_prints_true():
    from snippets.inside_the_block import positions_in_phi3 as p

    torch.testing.assert_close(p.cos, p.their_cos, rtol=0, atol=0)
    torch.testing.assert_close(p.sin, p.their_sin, rtol=0, atol=0)
    for mine, reference in zip(p.ours, p.theirs):
        torch.testing.assert_close(mine, reference)


def test_cos_sin_run_the_same_kernels_as_transformers():
    """Why cos and sin are equal bit for bit: the same calls on the same layouts,
    counting what Phi3RotaryEmbedding computes when it is built (its frequencies)."""
    from snippets.inside_the_block import positions_in_phi3 as p
    from snippets.inside_the_block.rotary import rotary_cos_sin

    def theirs():
        return Phi3RotaryEmbedding(p.config)(p.q, p.positions)

    (cos, sin), our_calls = kernel_trace(
        rotary_cos_sin, p.head_dim, p.positions, theta=p.rope_theta)
    (their_cos, their_sin), their_calls = kernel_trace(theirs)
    assert our_calls and our_calls == their_calls, first_difference(
        our_calls, their_calls)
    assert torch.equal(cos, their_cos) and torch.equal(sin, their_sin)
