"""int4_linear.py: int4 weights in groups, each with its own step and offset.

Measured with torch 2.13.0: the relative error of one layer's output is about 0.06
(uniform random weights, groups of 32); on the tiny stand-in the logits move by
about 0.12 and the top token agrees at about three prompt positions in four. With
random weights the logits of the stand-in are nearly flat, so its greedy texts part
after a few tokens: that says little about the real model and is not asserted.
"""

from __future__ import annotations

import pytest
import torch

from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from snippets.why_slow.int8_linear import bytes_per_token, quantize_linears
from tests.facts import build_real_size_phi3
from tests.helpers import run_script

PROMPT = ("Write an email apologizing to Sarah for the tragic gardening mishap. "
          "Explain how it happened.")


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a.float() - b.float()).norm() / b.float().norm()).item()


def dequantized_weight(layer: Int4Linear, in_features: int) -> torch.Tensor:
    """The weight as the kernel sees it, read back through the kernel itself."""
    identity = torch.eye(in_features, dtype=layer.step_and_offset.dtype)
    return layer(identity).float().t()  # (out_features, in_features)


def test_output_is_close_to_the_bf16_layer():
    torch.manual_seed(0)
    linear = torch.nn.Linear(3072, 8192, bias=False, dtype=torch.bfloat16)
    x = torch.randn(2, 5, 3072, dtype=torch.bfloat16)  # (batch, seq, hidden)
    int4_linear = Int4Linear(linear)
    assert int4_linear(x).shape == (2, 5, 8192)
    error = relative_error(int4_linear(x), linear(x))
    assert 0.03 < error < 0.08  # measured 0.060: sixteen levels per group


def test_every_weight_is_within_half_a_step_of_its_group():
    torch.manual_seed(0)
    linear = torch.nn.Linear(128, 64, bias=False, dtype=torch.bfloat16)
    layer = Int4Linear(linear)
    weight = linear.weight.detach().float()  # (64, 128)
    groups = weight.reshape(64, 128 // GROUP_SIZE, GROUP_SIZE)
    step = (groups.amax(dim=2) - groups.amin(dim=2)) / 15  # (out, groups)
    error = (dequantized_weight(layer, 128) - weight).reshape_as(groups).abs()
    # Half a step from rounding, plus the bfloat16 rounding of step and offset.
    assert (error <= (0.5 + 0.1) * step[:, :, None]).all()
    assert error.amax() > 0.3 * step.amin()  # it is quantized, not copied


def test_bytes_per_weight():
    linear = torch.nn.Linear(3072, 8192, bias=False, dtype=torch.bfloat16)
    layer = Int4Linear(linear)
    assert layer.weight_int4.dtype == torch.uint8
    assert layer.weight_int4.shape == (8192, 3072 // 2)  # two weights per byte
    assert layer.step_and_offset.shape == (3072 // GROUP_SIZE, 8192, 2)
    per_weight = bytes_per_token(layer) / linear.weight.numel()
    assert per_weight == 0.5 + 2 * 2 / GROUP_SIZE  # bf16 step and offset per group


def test_quantize_linears_on_the_real_size_model_reads_under_a_third():
    model = build_real_size_phi3()  # a bfloat16 model of its own: quantized below
    linears = sum(isinstance(m, torch.nn.Linear) for m in model.modules())
    before = bytes_per_token(model)
    quantize_linears(model, Int4Linear)
    assert sum(isinstance(m, Int4Linear) for m in model.modules()) == linears
    assert 0.30 < bytes_per_token(model) / before < 0.33  # 0.625 bytes instead of 2


@pytest.fixture(scope="module")
def standins():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model_id = "microsoft/Phi-3-mini-4k-instruct"
    original = AutoModelForCausalLM.from_pretrained(model_id, dtype="auto")
    quantized = AutoModelForCausalLM.from_pretrained(model_id, dtype="auto")
    quantize_linears(quantized, Int4Linear)
    ids = AutoTokenizer.from_pretrained(model_id)(PROMPT, return_tensors="pt").input_ids
    with torch.no_grad():
        return original(ids).logits.float(), quantized(ids).logits.float()


def test_standin_logits_stay_near_the_bf16_ones(standins):
    original, quantized = standins  # (batch, seq, vocab)
    assert relative_error(quantized, original) < 0.2  # measured 0.12


def test_standin_top_token_mostly_agrees(standins):
    original, quantized = standins
    agreement = (original.argmax(-1) == quantized.argmax(-1)).float().mean().item()
    assert agreement >= 0.5  # measured 0.74 over the prompt positions


def test_runs_as_a_script():
    printed = run_script("snippets/why_slow/int4_linear.py")
    error = float(printed.split(":")[-1])
    assert 0.03 < error < 0.08
