"""The from-scratch KV cache gives transformers' logits, fed in any chunks."""

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from snippets.inside_the_block.attention import causal_mask
from snippets.scores_to_text.cached_attention import (
    Phi3WithCache,
    generate_with_cache,
    generate_without_cache,
    mask_with_past,
)
from tests.helpers import run_script


def test_runs_as_a_script():
    assert run_script("snippets/scores_to_text/cached_attention.py") == ""


@pytest.mark.parametrize("window", [None, 3])
def test_mask_with_past_is_the_lower_rows_of_the_full_mask(window):
    full = causal_mask(9, window)
    for past in range(9):
        assert torch.equal(mask_with_past(9 - past, past, window), full[past:])


def tiny_pair(num_kv_heads, sliding_window):
    torch.manual_seed(0)
    config = AutoConfig.for_model(
        "phi3", hidden_size=48, intermediate_size=80, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=num_kv_heads, vocab_size=120,
        sliding_window=sliding_window, pad_token_id=0)
    theirs = AutoModelForCausalLM.from_config(config).eval()
    with torch.device("meta"):
        ours = Phi3WithCache(theirs.config)
    ours.load_state_dict(theirs.state_dict(), strict=True, assign=True)
    return ours.eval(), theirs


@pytest.mark.parametrize(("num_kv_heads", "sliding_window"),
                         [(4, None), (2, 2047), (1, 3)])
@pytest.mark.parametrize("chunks", [[11], [6, 5], [4, 1, 1, 5]])
def test_logits_in_chunks_equal_one_pass_of_transformers(num_kv_heads, sliding_window,
                                                         chunks):
    ours, theirs = tiny_pair(num_kv_heads, sliding_window)
    input_ids = torch.randint(0, 120, (2, 11))
    logits, past, start = [], None, 0
    with torch.no_grad():
        for size in chunks:
            chunk_logits, past = ours(input_ids[:, start:start + size], past)
            logits.append(chunk_logits)
            start += size
        expected = theirs(input_ids).logits
    torch.testing.assert_close(torch.cat(logits, dim=1), expected, rtol=1e-5, atol=1e-5)
    assert past[0][0].shape == (2, num_kv_heads, 11, 12)


def test_greedy_with_and_without_cache_equal_generate():
    ours, theirs = tiny_pair(2, 4)
    input_ids = torch.randint(0, 120, (1, 3))
    expected = theirs.generate(input_ids, do_sample=False, max_new_tokens=10,
                               eos_token_id=None, pad_token_id=0)
    assert torch.equal(generate_with_cache(ours, input_ids, 10), expected)
    assert torch.equal(generate_without_cache(ours, input_ids, 10), expected)
