"""int8_linear.py: int8 weights with one scale per row, close to the bf16 layer."""

from __future__ import annotations

import torch

from snippets.why_slow.int8_linear import Int8Linear, bytes_per_token, quantize_linears
from tests.facts import build_real_size_phi3
from tests.helpers import run_script


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a.float() - b.float()).norm() / b.float().norm()).item()


def test_output_is_close_to_the_bf16_layer():
    torch.manual_seed(0)
    linear = torch.nn.Linear(3072, 8192, bias=False, dtype=torch.bfloat16)
    x = torch.randn(2, 5, 3072, dtype=torch.bfloat16)  # (batch, seq, hidden)
    int8_linear = Int8Linear(linear)
    assert int8_linear(x).shape == (2, 5, 8192)
    assert relative_error(int8_linear(x), linear(x)) < 0.01


def test_weights_are_int8_and_dequantize_to_the_original():
    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 32, bias=False, dtype=torch.bfloat16)
    int8_linear = Int8Linear(linear)
    assert int8_linear.weight_int8.dtype == torch.int8
    assert int8_linear.weight_int8.abs().amax(dim=1).eq(127).all()  # each row's max
    weight = linear.weight.detach().float()
    step = weight.abs().amax(dim=1, keepdim=True) / 127  # float32, as computed
    assert torch.equal(int8_linear.scale, step[:, 0].to(torch.bfloat16))
    # With the exact step, every weight is off by at most half a step.
    dequantized = int8_linear.weight_int8.float() * step
    assert ((dequantized - weight).abs() <= 0.5 * step * (1 + 1e-5)).all()


def test_quantize_linears_replaces_every_projection_and_halves_the_bytes():
    model = build_real_size_phi3()  # a bfloat16 model of its own: quantized below
    config = model.config
    linears = sum(isinstance(m, torch.nn.Linear) for m in model.modules())
    before = bytes_per_token(model)
    quantize_linears(model)
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())
    assert sum(isinstance(m, Int8Linear) for m in model.modules()) == linears
    assert linears == 4 * config.num_hidden_layers + 1  # qkv, o, gate_up, down; lm_head
    after = bytes_per_token(model)
    assert 0.49 < after / before < 0.51  # one byte instead of two, plus the scales


def test_bytes_per_token_leaves_out_the_embedding_table():
    model = torch.nn.Module()
    model.embed_tokens = torch.nn.Embedding(100, 8)
    model.proj = torch.nn.Linear(8, 8, bias=False)
    assert bytes_per_token(model) == 8 * 8 * 4


def test_runs_as_a_script():
    printed = run_script("snippets/why_slow/int8_linear.py")
    error = float(printed.split(":")[-1])
    assert 0 < error < 0.01
