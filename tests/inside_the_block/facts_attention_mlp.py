"""Numbers the pages attention, mlp and from-scratch of docs/inside-the-block state.

Sizes come from the real-size Phi-3 models built on the meta device from the configs in
tests/data, KV-cache sizes from the snippet's own formula applied to those configs, and
the predicted token from the output recorded from the real model.
"""

from __future__ import annotations

import re

import torch
from transformers import AutoConfig

from snippets.inside_the_block import kv_cache
from snippets.inside_the_block.kv_cache import (
    CONTEXT,
    MIB,
    kv_cache_bytes_per_token,
    positions_kept,
)
from tests.facts import real_size_phi3
from tools.paths import SNIPPETS, TEST_DATA

MINI = "microsoft/Phi-3-mini-4k-instruct"
MEDIUM = "microsoft/Phi-3-medium-4k-instruct"
GB = 1000**3


def count(module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def mini_config(**overrides):
    return AutoConfig.from_pretrained(
        TEST_DATA / "phi3-mini-4k-instruct.config.json", **overrides)


def recorded_next_token() -> str:
    path = SNIPPETS / "inside_the_block/output/run_from_scratch/next-token.real.txt"
    return re.match(r"(\d+) ", path.read_text(encoding="utf-8")).group(1)


mini = real_size_phi3(MINI)
medium = real_size_phi3(MEDIUM)
config, medium_config = mini.config, medium.config
head_dim = config.hidden_size // config.num_attention_heads
medium_head_dim = medium_config.hidden_size // medium_config.num_attention_heads
attention = mini.model.layers[0].self_attn
medium_attention = medium.model.layers[0].self_attn

mini_kv = kv_cache_bytes_per_token(config)
gqa_kv = kv_cache_bytes_per_token(mini_config(num_key_value_heads=8))
mqa_kv = kv_cache_bytes_per_token(mini_config(num_key_value_heads=1))
medium_kv = kv_cache_bytes_per_token(medium_config)
kept_at_4k = positions_kept(config, CONTEXT)  # with the sliding window
assert positions_kept(medium_config, CONTEXT) == kept_at_4k  # the same window

mlp = mini.model.layers[0].mlp
mlp_parameters = count(mlp)
all_mlp_parameters = sum(count(layer.mlp) for layer in mini.model.layers)
total = count(mini)
# Transformer-base (Vaswani et al. 2017, Table 3): d_model 512, d_ff 2048, biases
d_model_2017, d_ff_2017 = 512, 2048
mlp_2017 = 2 * d_model_2017 * d_ff_2017 + d_ff_2017 + d_model_2017
# SiLU's minimum, on a grid fine enough for the digits the page shows
z = torch.linspace(-4, 0, 400_001, dtype=torch.float64)
silu = torch.nn.functional.silu(z)
silu_minimum, silu_argmin = silu.min().item(), z[silu.argmin()].item()

FACTS = {
    # attention.md
    "query heads of mini": str(config.num_attention_heads),
    "key/value heads of mini": str(config.num_key_value_heads),
    "layers of mini": str(config.num_hidden_layers),
    "head_dim of mini": str(head_dim),
    "hidden size of mini": str(config.hidden_size),
    "qkv_proj outputs of mini": str(attention.qkv_proj.out_features),
    "sliding window": str(config.sliding_window),
    "query heads of medium": str(medium_config.num_attention_heads),
    "key/value heads of medium": str(medium_config.num_key_value_heads),
    "head_dim of medium": str(medium_head_dim),
    "hidden size of medium": str(medium_config.hidden_size),
    "qkv_proj outputs of medium": str(medium_attention.qkv_proj.out_features),
    "KV cache bytes per token, mini": f"{mini_kv:,}",
    "KV cache bytes per token, mini with 8 KV heads": f"{gqa_kv:,}",
    "KV cache bytes per token, mini with 1 KV head": f"{mqa_kv:,}",
    "KV cache bytes per token, medium": f"{medium_kv:,}",
    "context": str(CONTEXT),
    "KV cache MiB at 4k, mini": f"{mini_kv * CONTEXT / MIB:,.0f}",
    "KV cache MiB at 4k, mini with 8 KV heads": f"{gqa_kv * CONTEXT / MIB:,.0f}",
    "KV cache MiB at 4k, mini with 1 KV head": f"{mqa_kv * CONTEXT / MIB:,.0f}",
    "KV cache MiB at 4k, medium": f"{medium_kv * CONTEXT / MIB:,.0f}",
    "positions the cache keeps at 4k (sliding window)": str(kept_at_4k),
    "positions a token sees before itself": str(config.sliding_window - 1),
    "KV cache MiB kept at 4k, mini": f"{mini_kv * kept_at_4k / MIB:,.0f}",
    "tokens of the tiny prompt": str(kv_cache.prompt.shape[1]),
    # mlp.md
    "intermediate size": str(config.intermediate_size),
    "gate_up_proj outputs": str(mlp.gate_up_proj.out_features),
    "MLP parameters per layer": f"{mlp_parameters:,}",
    "MLP parameters, all layers": f"{all_mlp_parameters:,}",
    "parameters": f"{total:,}",
    "MLP share of the parameters, %": f"{100 * all_mlp_parameters / total:.0f}",
    "width of a ReLU MLP with 4 x hidden": str(4 * config.hidden_size),
    "d_model 2017": str(d_model_2017),
    "d_ff 2017": str(d_ff_2017),
    "MLP parameters per layer, 2017": f"{mlp_2017:,}",
    "Phi-3 MLP layer / 2017 MLP layer": f"{mlp_parameters / mlp_2017:.0f}",
    "SiLU minimum (its magnitude; the page writes the minus)": f"{-silu_minimum:.3f}",
    "z of SiLU's minimum (magnitude)": f"{-silu_argmin:.2f}",
    # from-scratch.md
    "tensors in the state dict": str(len(mini.state_dict())),
    "float32 weights, GB": f"{total * 4 / GB:.1f}",
    "bfloat16 weights, GB": f"{total * 2 / GB:.1f}",
    "next token id (recorded from the real model)": recorded_next_token(),
}
# Chinese pages write numbers below 100000 without thousands separators
FACTS["KV cache MiB at 4k, mini (zh)"] = f"{mini_kv * CONTEXT / MIB:.0f}"

NOT_FACTS = {
    "2017": "year of 'Attention Is All You Need' (Vaswani et al.)",
    "2019": "year of multi-query attention (Shazeer)",
    "2020": "year of 'GLU Variants Improve Transformer' (Shazeer)",
    "2023": "year of grouped-query attention (Ainslie et al.)",
    "2018": "year of GPT and BERT",
}
