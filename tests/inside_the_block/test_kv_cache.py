"""The KV-cache formula matches the configs and what transformers really stores."""

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from snippets.inside_the_block import kv_cache
from tests.helpers import run_script
from tools.paths import TEST_DATA


def real_config(name, **overrides):
    return AutoConfig.from_pretrained(TEST_DATA / f"{name}.config.json", **overrides)


def test_script_prints_a_row_per_variant():
    printed = run_script("snippets/inside_the_block/kv_cache.py").splitlines()
    assert "bytes/token" in printed[0]
    names = ["Phi-3-mini MHA", "mini GQA", "mini MQA", "Phi-3-medium GQA"]
    assert [line.split("  ")[0] for line in printed[1:]] == names


@pytest.mark.parametrize(("name", "overrides", "per_token"), [
    ("phi3-mini-4k-instruct", {}, 2 * 32 * 32 * 96 * 2),
    ("phi3-mini-4k-instruct", {"num_key_value_heads": 8}, 2 * 32 * 8 * 96 * 2),
    ("phi3-mini-4k-instruct", {"num_key_value_heads": 1}, 2 * 32 * 1 * 96 * 2),
    ("phi3-medium-4k-instruct", {}, 2 * 40 * 10 * 128 * 2),
])
def test_bytes_per_token_of_the_real_configs(name, overrides, per_token):
    config = real_config(name, **overrides)
    assert kv_cache.kv_cache_bytes_per_token(config) == per_token


def test_phi3_mini_needs_393216_bytes_per_token_and_1536_mib_at_4k():
    per_token = kv_cache.kv_cache_bytes_per_token(real_config("phi3-mini-4k-instruct"))
    assert per_token == 393_216
    assert per_token * kv_cache.CONTEXT / kv_cache.MIB == 1536


@pytest.mark.parametrize("num_kv_heads", [4, 2, 1])
def test_formula_matches_the_cache_transformers_fills(num_kv_heads):
    """Run a tiny bfloat16 Phi-3 and weigh the keys and values it keeps."""
    torch.manual_seed(0)
    config = AutoConfig.for_model(
        "phi3", hidden_size=64, intermediate_size=64, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=num_kv_heads, vocab_size=100,
        pad_token_id=0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).eval()
    seq = 5
    with torch.no_grad():
        cache = model(torch.arange(seq)[None], use_cache=True).past_key_values
    stored = sum(tensor.numel() * tensor.element_size()
                 for layer in cache.layers for tensor in (layer.keys, layer.values))
    assert stored == seq * kv_cache.kv_cache_bytes_per_token(config)


def test_figure_has_a_bar_per_variant():
    figure = kv_cache.draw_kv_cache()
    assert len(figure.axes[0].patches) == len(kv_cache.attention_variants())
