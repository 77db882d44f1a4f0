"""The from-scratch attention equals transformers' Phi3Attention: MHA, GQA and MQA."""

import pytest
import torch
from transformers import Phi3Config
from transformers.masking_utils import sliding_window_causal_mask_function
from transformers.models.phi3.modeling_phi3 import Phi3Attention

from snippets.inside_the_block.attention import CausalSelfAttention, causal_mask
from snippets.inside_the_block.rotary import rotary_cos_sin
from tests.facts import real_size_phi3
from tests.helpers import run_script


def test_runs_as_a_script():
    assert run_script("snippets/inside_the_block/attention.py") == ""


def test_causal_mask_is_lower_triangular():
    assert torch.equal(causal_mask(6), torch.ones(6, 6, dtype=torch.bool).tril())


@pytest.mark.parametrize("window", [1, 3, 2047])
def test_sliding_window_mask_equals_transformers(window):
    seq = 9
    theirs = sliding_window_causal_mask_function(window)
    expected = torch.tensor(
        [[bool(theirs(0, 0, torch.tensor(i), torch.tensor(j))) for j in range(seq)]
         for i in range(seq)])
    assert torch.equal(causal_mask(seq, sliding_window=window), expected)


def compare(num_heads, num_kv_heads, dtype, implementation, window=None):
    torch.manual_seed(0)
    hidden, batch, seq = 48, 2, 9
    config = Phi3Config(hidden_size=hidden, num_attention_heads=num_heads,
                        num_key_value_heads=num_kv_heads, sliding_window=window,
                        attn_implementation=implementation)
    theirs = Phi3Attention(config, layer_idx=0).to(dtype).eval()
    ours = CausalSelfAttention(hidden, num_heads, num_kv_heads, window).to(dtype)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(batch, seq, hidden, dtype=dtype)
    positions = torch.arange(seq).expand(batch, seq) + torch.tensor([[0], [3]])
    cos, sin = rotary_cos_sin(ours.head_dim, positions)
    allowed = causal_mask(seq, window)
    mask = torch.zeros(seq, seq, dtype=dtype).masked_fill(~allowed, -torch.inf)
    with torch.no_grad():
        expected, _ = theirs(x, (cos.to(dtype), sin.to(dtype)), mask[None, None])
        actual = ours(x, cos, sin)
    assert actual.dtype == dtype
    return actual, expected


@pytest.mark.parametrize("implementation", ["eager", "sdpa"])
@pytest.mark.parametrize(("num_heads", "num_kv_heads"),
                         [(4, 4), (4, 2), (6, 2), (4, 1)])
def test_equals_phi3_attention_float32(num_heads, num_kv_heads, implementation):
    actual, expected = compare(num_heads, num_kv_heads, torch.float32, implementation)
    torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("num_heads", "num_kv_heads"), [(4, 4), (4, 2)])
def test_equals_phi3_attention_bfloat16(num_heads, num_kv_heads):
    actual, expected = compare(num_heads, num_kv_heads, torch.bfloat16, "eager")
    torch.testing.assert_close(actual, expected)


def test_equals_phi3_attention_with_a_sliding_window():
    actual, expected = compare(4, 2, torch.float32, "eager", window=3)
    torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-5)


def test_only_earlier_tokens_matter():
    torch.manual_seed(0)
    attention = CausalSelfAttention(32, 4, 2)
    x = torch.randn(1, 6, 32)
    cos, sin = rotary_cos_sin(8, torch.arange(6)[None])
    changed = x.clone()
    changed[:, 4:] = torch.randn(1, 2, 32)  # change the future of position 3
    with torch.no_grad():
        torch.testing.assert_close(attention(x, cos, sin)[:, :4],
                                   attention(changed, cos, sin)[:, :4])


@pytest.mark.parametrize("model_id", ["microsoft/Phi-3-mini-4k-instruct",
                                      "microsoft/Phi-3-medium-4k-instruct"])
def test_real_size_weights_have_transformers_names_and_shapes(model_id):
    config = real_size_phi3(model_id).config
    theirs = real_size_phi3(model_id).model.layers[0].self_attn
    with torch.device("meta"):
        ours = CausalSelfAttention(config.hidden_size, config.num_attention_heads,
                                   config.num_key_value_heads, config.sliding_window)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in theirs.state_dict().items()}
