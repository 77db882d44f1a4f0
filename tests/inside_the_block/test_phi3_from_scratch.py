"""The whole from-scratch Phi-3 equals transformers' Phi3ForCausalLM."""

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from snippets.inside_the_block.phi3_from_scratch import Phi3FromScratch, generate_greedy
from tests.facts import real_size_phi3
from tests.helpers import run_script
from tools.paths import TEST_DATA


def test_runs_as_a_script():
    assert run_script("snippets/inside_the_block/phi3_from_scratch.py") == ""


def tiny_pair(num_kv_heads, sliding_window, implementation, dtype=torch.float32):
    torch.manual_seed(0)
    config = AutoConfig.for_model(
        "phi3", hidden_size=48, intermediate_size=80, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=num_kv_heads, vocab_size=120,
        sliding_window=sliding_window, pad_token_id=0,
        attn_implementation=implementation)
    theirs = AutoModelForCausalLM.from_config(config, dtype=dtype).eval()
    with torch.device("meta"):
        ours = Phi3FromScratch(theirs.config)
    ours.load_state_dict(theirs.state_dict(), strict=True, assign=True)
    return ours.eval(), theirs


@pytest.mark.parametrize("implementation", ["eager", "sdpa"])
@pytest.mark.parametrize(("num_kv_heads", "sliding_window"),
                         [(4, None), (4, 2047), (2, 3), (1, 5)])
def test_logits_equal_transformers(num_kv_heads, sliding_window, implementation):
    ours, theirs = tiny_pair(num_kv_heads, sliding_window, implementation)
    input_ids = torch.randint(0, 120, (2, 11))
    with torch.no_grad():
        torch.testing.assert_close(ours(input_ids), theirs(input_ids).logits,
                                   rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize(("num_kv_heads", "sliding_window"), [(4, None), (2, 3), (1, 5)])
def test_logits_equal_eager_attention_bit_for_bit(num_kv_heads, sliding_window, dtype):
    # The page's claim: the same operations in the same order give the same bits.
    ours, theirs = tiny_pair(num_kv_heads, sliding_window, "eager", dtype)
    input_ids = torch.randint(0, 120, (2, 11))
    with torch.no_grad():
        assert torch.equal(ours(input_ids), theirs(input_ids).logits)


def test_logits_equal_eager_attention_bit_for_bit_at_real_widths():
    """Phi-3-mini's real widths and head size (96: 1/sqrt(96) is inexact), 2 layers."""
    config = AutoConfig.from_pretrained(
        TEST_DATA / "phi3-mini-4k-instruct.config.json", num_hidden_layers=2,
        vocab_size=512, pad_token_id=0, attn_implementation="eager")
    torch.manual_seed(0)
    theirs = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    with torch.device("meta"):
        ours = Phi3FromScratch(theirs.config)
    ours.load_state_dict(theirs.state_dict(), strict=True, assign=True)
    input_ids = torch.randint(0, 512, (1, 7))
    with torch.no_grad():
        assert torch.equal(ours.eval()(input_ids), theirs(input_ids).logits)


def test_logits_close_to_transformers_in_bfloat16():
    ours, theirs = tiny_pair(2, 2047, "sdpa", dtype=torch.bfloat16)
    input_ids = torch.randint(0, 120, (1, 9))
    with torch.no_grad():
        ours_logits, their_logits = ours(input_ids), theirs(input_ids).logits
    assert ours_logits.dtype == torch.bfloat16
    torch.testing.assert_close(ours_logits, their_logits, rtol=0.05, atol=0.05)


def test_greedy_generation_equals_generate():
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
