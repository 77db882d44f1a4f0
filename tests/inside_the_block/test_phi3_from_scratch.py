"""The whole from-scratch Phi-3 equals transformers' Phi3ForCausalLM.

"Bit for bit" only where the kernel traces of the two are identical (tests/kernels.py,
CONTRIBUTING.md "Bit for bit"); where they differ, within a tolerance derived from
what differs.
"""

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from snippets.inside_the_block.phi3_from_scratch import Phi3FromScratch, generate_greedy
from tests.facts import real_size_phi3
from tests.helpers import run_script
from tests.kernels import (
    differences,
    first_difference,
    kernel_trace,
    reordering_tolerance,
)
from tools.paths import TEST_DATA

LAYERS, HEADS, HEAD_DIM = 3, 4, 12


def test_runs_as_a_script():
    assert run_script("snippets/inside_the_block/phi3_from_scratch.py") == ""


def tiny_pair(num_kv_heads, sliding_window, implementation, dtype=torch.float32):
    torch.manual_seed(0)
    config = AutoConfig.for_model(
        "phi3", hidden_size=HEADS * HEAD_DIM, intermediate_size=80,
        num_hidden_layers=LAYERS, num_attention_heads=HEADS,
        num_key_value_heads=num_kv_heads, vocab_size=120,
        sliding_window=sliding_window, pad_token_id=0,
        attn_implementation=implementation)
    theirs = AutoModelForCausalLM.from_config(config, dtype=dtype).eval()
    with torch.device("meta"):
        ours = Phi3FromScratch(theirs.config)
    ours.load_state_dict(theirs.state_dict(), strict=True, assign=True)
    return ours.eval(), theirs


def both_traces(ours, theirs, input_ids, **their_kwargs):
    """Our logits and transformers', and the kernel trace of each.

    transformers without its KV cache, as our model: the cache copies the keys and
    values it returns, which changes the layout the attention's products read.
    """
    our_logits, our_calls = kernel_trace(
        ours, input_ids, sources=list(ours.parameters()))
    output, their_calls = kernel_trace(
        theirs, input_ids, use_cache=False, sources=list(theirs.parameters()),
        **their_kwargs)
    return our_logits, output.logits, our_calls, their_calls


# (key/value heads, sliding window, are the traces identical?). With one key/value
# head transformers' repeat_kv leaves a view in which all query heads read the same
# keys (stride 0), torch.matmul copies the transposed keys out of it, and the product
# q @ k^T reads its second matrix in another layout than ours: other kernels, other
# rounding in the last bit on some CPUs (seen on AMD EPYC, not on Intel Xeon).
CONFIGS = [(4, None, True), (4, 2047, True), (2, 3, True), (1, 5, False)]


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
@pytest.mark.parametrize(("num_kv_heads", "sliding_window", "same_trace"), CONFIGS)
def test_logits_equal_eager_attention(num_kv_heads, sliding_window, same_trace, dtype,
                                      batch):
    ours, theirs = tiny_pair(num_kv_heads, sliding_window, "eager", dtype)
    input_ids = torch.randint(0, 120, (batch, 11))
    our_logits, their_logits, our_calls, their_calls = both_traces(
        ours, theirs, input_ids)
    assert (our_calls == their_calls) == same_trace, first_difference(
        our_calls, their_calls)
    if same_trace:  # the same kernels on the same layouts: the same bits, on every CPU
        assert torch.equal(our_logits, their_logits)
        return
    # Only the layouts of the keys in q @ k^T (and, in a batch of one, of the values in
    # weights @ v) differ: per layer, a score sums HEAD_DIM products and an output
    # seq of them, maybe in another order.
    different = differences(our_calls, their_calls)
    assert LAYERS <= len(different) <= 2 * LAYERS
    for our_call, their_call in different:
        assert our_call.op == their_call.op == "aten.bmm.default"
        assert our_call.inputs[0] == their_call.inputs[0]  # the left matrix: the same
        assert our_call.inputs[1][0] == their_call.inputs[1][0]  # the right: same shape
    tolerance = reordering_tolerance(dtype, terms=HEAD_DIM + input_ids.shape[1],
                                     depth=LAYERS,
                                     magnitude=their_logits.abs().max().item())
    torch.testing.assert_close(our_logits, their_logits, rtol=0, atol=tolerance)


@pytest.mark.parametrize(("num_kv_heads", "sliding_window"),
                         [(4, None), (2, 3), (1, 5)])
def test_logits_close_to_sdpa(num_kv_heads, sliding_window):
    """transformers' default attention, one fused kernel, adds up in another order."""
    ours, theirs = tiny_pair(num_kv_heads, sliding_window, "sdpa")
    seq = 11
    input_ids = torch.randint(0, 120, (2, seq))
    our_logits, their_logits, our_calls, their_calls = both_traces(
        ours, theirs, input_ids)
    assert any(c.op.startswith("aten._scaled_dot_product") for c in their_calls)
    assert our_calls != their_calls
    # Per layer, the fused kernel sums the scores (HEAD_DIM terms), the softmax's
    # denominators and the weighted values (up to seq terms) in its own order.
    tolerance = reordering_tolerance(torch.float32, terms=HEAD_DIM + 2 * seq,
                                     depth=LAYERS,
                                     magnitude=their_logits.abs().max().item())
    torch.testing.assert_close(our_logits, their_logits, rtol=0, atol=tolerance)


def real_widths(layers, vocab_size, device=None, dtype=torch.float32):
    """Phi-3-mini's real widths and head size (96: 1/sqrt(96) is inexact)."""
    config = AutoConfig.from_pretrained(
        TEST_DATA / "phi3-mini-4k-instruct.config.json", num_hidden_layers=layers,
        vocab_size=vocab_size, pad_token_id=0, attn_implementation="eager")
    torch.manual_seed(0)
    with torch.device(device or "cpu"):
        theirs = AutoModelForCausalLM.from_config(config, dtype=dtype).eval()
    with torch.device("meta"):
        ours = Phi3FromScratch(theirs.config)
    ours.load_state_dict(theirs.state_dict(), strict=True, assign=True)
    return ours.eval(), theirs


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_logits_equal_bit_for_bit_at_real_widths(dtype):
    ours, theirs = real_widths(layers=2, vocab_size=512, dtype=dtype)
    input_ids = torch.randint(0, 512, (1, 7))
    our_logits, their_logits, our_calls, their_calls = both_traces(
        ours, theirs, input_ids)
    assert our_calls == their_calls, first_difference(our_calls, their_calls)
    assert torch.equal(our_logits, their_logits)


@pytest.mark.parametrize("seq", [5, 12])
def test_run_from_scratch_runs_the_same_kernels_at_real_size(seq):
    """run_from_scratch.py's comparisons, traced at Phi-3-mini's real size on the meta
    device (shapes, strides and dtypes without memory): bfloat16, the prompt's 5
    tokens, up to 12 after 7 generated. Identical traces: the same bits on any CPU."""
    ours, theirs = real_widths(layers=real_size_phi3().config.num_hidden_layers,
                               vocab_size=real_size_phi3().config.vocab_size,
                               device="meta", dtype=torch.bfloat16)
    with torch.device("meta"):
        input_ids = torch.zeros(1, seq, dtype=torch.long)
        # An explicit all-ones mask: without one transformers looks for packed
        # sequences in the positions, a check that reads values (none on meta).
        _, _, our_calls, their_calls = both_traces(
            ours, theirs, input_ids, attention_mask=torch.ones_like(input_ids))
    assert our_calls == their_calls, first_difference(our_calls, their_calls)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_greedy_generation_runs_the_same_kernels_as_generate(dtype):
    """generate without its KV cache and keeping every position's logits recomputes
    what our loop computes, step by step: the same trace, so the same tokens."""
    ours, theirs = tiny_pair(4, 2047, "eager", dtype)
    input_ids = torch.randint(0, 120, (1, 4))
    generated, our_calls = kernel_trace(generate_greedy, ours, input_ids, 12,
                                        sources=list(ours.parameters()))
    expected, their_calls = kernel_trace(
        theirs.generate, input_ids, do_sample=False, max_new_tokens=12,
        use_cache=False, logits_to_keep=0, eos_token_id=None, pad_token_id=0,
        sources=list(theirs.parameters()))
    assert our_calls == their_calls, first_difference(our_calls, their_calls)
    assert torch.equal(generated, expected)


def test_greedy_generation_equals_generate_with_its_cache():
    """With its KV cache generate multiplies other shapes; the tokens still agree here
    (a token changes only if two scores are closer than the rounding differences)."""
    ours, theirs = tiny_pair(2, 2047, "sdpa")
    input_ids = torch.randint(0, 120, (1, 4))
    generated = generate_greedy(ours, input_ids, max_new_tokens=12)
    expected = theirs.generate(input_ids, do_sample=False, max_new_tokens=12,
                               eos_token_id=None, pad_token_id=0)
    assert torch.equal(generated, expected)


def test_generation_stops_at_an_end_token():
    ours, _ = tiny_pair(4, None, "sdpa")
    input_ids = torch.randint(0, 120, (1, 4))
    free = generate_greedy(ours, input_ids, max_new_tokens=6)
    first_new = free[0, 4].item()
    stopped = generate_greedy(ours, input_ids, max_new_tokens=6,
                              eos_token_ids=[first_new])
    assert stopped.shape[1] == 5


def test_real_size_state_dict_loads_one_to_one():
    theirs = real_size_phi3()
    with torch.device("meta"):
        ours = Phi3FromScratch(theirs.config)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in theirs.state_dict().items()}
    ours.load_state_dict(theirs.state_dict(), strict=True, assign=True)
    assert sum(p.numel() for p in ours.parameters()) == theirs.num_parameters()
