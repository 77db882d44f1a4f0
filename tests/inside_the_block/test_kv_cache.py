"""The KV-cache formula matches the configs and what transformers really stores."""

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM, DynamicCache

from snippets.inside_the_block import kv_cache
from tests.helpers import run_script
from tools.paths import TEST_DATA


def real_config(name, **overrides):
    return AutoConfig.from_pretrained(TEST_DATA / f"{name}.config.json", **overrides)


def tiny_model(num_kv_heads=4, sliding_window=None, layers=3):
    torch.manual_seed(0)
    config = AutoConfig.for_model(
        "phi3", hidden_size=64, intermediate_size=64, num_hidden_layers=layers,
        num_attention_heads=4, num_key_value_heads=num_kv_heads, vocab_size=100,
        pad_token_id=0, bos_token_id=1, eos_token_id=2, sliding_window=sliding_window)
    return AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).eval()


def stored_bytes(cache):
    return sum(tensor.numel() * tensor.element_size()
               for layer in cache.layers for tensor in (layer.keys, layer.values))


def test_script_prints_a_row_per_variant_then_the_cache_it_fills():
    printed = run_script("snippets/inside_the_block/kv_cache.py").splitlines()
    assert "bytes/token" in printed[1]
    names = ["Phi-3-mini MHA", "mini GQA", "mini MQA", "Phi-3-medium GQA"]
    assert [line.split("  ")[0] for line in printed[2:6]] == names
    # the tiny window-4 model of the page: 3 positions kept of 10, in every layer
    assert printed[6:8] == [
        f"layer {i}: DynamicSlidingWindowLayer, keys (1, 4, 3, 16)" for i in (0, 1)]
    assert printed[8] == "window 4, 10 tokens: 3 positions kept"


@pytest.mark.parametrize(("name", "overrides", "per_token"), [
    ("phi3-mini-4k-instruct", {}, 2 * 32 * 32 * 96 * 2),
    ("phi3-mini-4k-instruct", {"num_key_value_heads": 8}, 2 * 32 * 8 * 96 * 2),
    ("phi3-mini-4k-instruct", {"num_key_value_heads": 1}, 2 * 32 * 1 * 96 * 2),
    ("phi3-medium-4k-instruct", {}, 2 * 40 * 10 * 128 * 2),
])
def test_bytes_per_token_of_the_real_configs(name, overrides, per_token):
    config = real_config(name, **overrides)
    assert kv_cache.kv_cache_bytes_per_token(config) == per_token


def test_phi3_mini_at_4k_needs_1536_mib_for_every_position_and_767_as_kept():
    config = real_config("phi3-mini-4k-instruct")
    per_token = kv_cache.kv_cache_bytes_per_token(config)
    assert per_token == 393_216
    assert per_token * kv_cache.CONTEXT / kv_cache.MIB == 1536
    assert config.sliding_window == 2047
    assert kv_cache.positions_kept(config, kv_cache.CONTEXT) == 2046
    assert round(per_token * 2046 / kv_cache.MIB) == 767


def test_real_config_gets_a_sliding_window_cache_in_every_layer():
    config = real_config("phi3-mini-4k-instruct")
    layers = DynamicCache(config=config).layers
    assert len(layers) == config.num_hidden_layers
    assert {type(layer).__name__ for layer in layers} == {"DynamicSlidingWindowLayer"}
    assert {layer.sliding_window for layer in layers} == {2047}


@pytest.mark.parametrize("num_kv_heads", [4, 2, 1])
def test_formula_matches_the_cache_transformers_fills(num_kv_heads):
    """Run a tiny bfloat16 Phi-3 and weigh the keys and values it keeps."""
    model = tiny_model(num_kv_heads)
    seq = 5
    with torch.no_grad():
        cache = model(torch.arange(seq)[None], use_cache=True).past_key_values
    assert stored_bytes(cache) == seq * kv_cache.kv_cache_bytes_per_token(model.config)


@pytest.mark.parametrize(("window", "seq"), [(4, 3), (4, 10), (6, 6), (6, 40)])
def test_positions_kept_matches_the_cache_after_prefill_and_decode(window, seq):
    model = tiny_model(sliding_window=window, layers=2)
    per_token = kv_cache.kv_cache_bytes_per_token(model.config)
    with torch.no_grad():
        cache = model(torch.arange(seq)[None], use_cache=True).past_key_values
        assert stored_bytes(cache) == per_token * kv_cache.positions_kept(
            model.config, seq)
        for step in range(1, 4):  # decode steps: one token at a time
            model(torch.tensor([[7]]), past_key_values=cache, use_cache=True)
            assert stored_bytes(cache) == per_token * kv_cache.positions_kept(
                model.config, seq + step)


def test_without_a_window_every_position_is_kept():
    config = real_config("phi3-mini-4k-instruct", sliding_window=None)
    assert kv_cache.positions_kept(config, 4096) == 4096


@pytest.mark.parametrize("language", ["en", "zh"])
def test_figure_has_two_bars_per_variant(language):
    figure = kv_cache.draw_kv_cache(language)
    bars = figure.axes[0].patches
    assert len(bars) == 2 * len(kv_cache.attention_variants())
    configs = list(kv_cache.attention_variants().values())
    every, kept = bars[:len(configs)], bars[len(configs):]
    for config, full, window in zip(configs, every, kept):
        per_token = kv_cache.kv_cache_bytes_per_token(config) / kv_cache.MIB
        assert full.get_height() == pytest.approx(per_token * kv_cache.CONTEXT)
        assert window.get_height() == pytest.approx(
            per_token * kv_cache.positions_kept(config, kv_cache.CONTEXT))
