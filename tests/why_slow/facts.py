"""Numbers the pages of docs/why-slow state in prose, each computed.

Sizes come from the real-size models built on the meta device from the configs in
tests/data, the int8 and int4 sizes from quantizing such a model with the page's own code,
the token count from the benchmark. Measured numbers (seconds, GB/s, GB of peak
memory) are never in the prose: the pages include bench/output/*.md, generated from
docs/why-slow/benchmark.json by `make bench`.
"""

from __future__ import annotations

import json

import torch

from bench.phi3_cpu import NEW_TOKENS, PIPELINE_SETTINGS
from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from snippets.why_slow.int8_linear import bytes_per_token, quantize_linears
from tests.facts import build_real_size_phi3
from tools.paths import TEST_DATA

GB = 1000**3


def kv_bytes_per_token(config: dict, kv_heads: int | None = None, dtype_bytes=2) -> int:
    """Keys and values, every layer, every KV head: 2 x layers x heads x head_dim."""
    head_dim = config["hidden_size"] // config["num_attention_heads"]
    heads = kv_heads or config["num_key_value_heads"]
    return 2 * config["num_hidden_layers"] * heads * head_dim * dtype_bytes


mini = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
medium = json.loads((TEST_DATA / "phi3-medium-4k-instruct.config.json").read_text())
model = build_real_size_phi3()
parameters = sum(p.numel() for p in model.parameters())
bf16_per_token = bytes_per_token(model)
int4_model = build_real_size_phi3()
quantize_linears(int4_model, Int4Linear)
int4_per_token = bytes_per_token(int4_model)
quantize_linears(model)
int8_per_token = bytes_per_token(model)
# One Int4Linear of a real size: its bytes per weight, step and offset included.
int4_layer = Int4Linear(torch.nn.Linear(mini["hidden_size"], mini["hidden_size"],
                                        bias=False, dtype=torch.bfloat16, device="meta"))
int4_bytes_per_weight = bytes_per_token(int4_layer) / mini["hidden_size"] ** 2
group_extra_bytes = int4_layer.step_and_offset[0, 0].nbytes  # per group
int4_levels = 2**4
mini_kv = kv_bytes_per_token(mini)
medium_kv = kv_bytes_per_token(medium)
medium_kv_without_gqa = kv_bytes_per_token(medium, medium["num_attention_heads"])

assert PIPELINE_SETTINGS["max_new_tokens"] == NEW_TOKENS

FACTS = {
    "parameters": f"{parameters:,}",
    "all weights, GB (bf16)": f"{parameters * 2 / GB:.1f}",
    "all weights, GB (float32)": f"{parameters * 4 / GB:.1f}",
    "bytes read per token, GB (bf16)": f"{bf16_per_token / GB:.1f}",
    "bytes read per token, GB (int8)": f"{int8_per_token / GB:.1f}",
    "new tokens": str(NEW_TOKENS),
    "tokens generated before the last step": str(NEW_TOKENS - 1),
    "layers": str(mini["num_hidden_layers"]),
    "key/value heads": str(mini["num_key_value_heads"]),
    "head_dim": str(mini["hidden_size"] // mini["num_attention_heads"]),
    "hidden size": str(mini["hidden_size"]),
    "KV cache per token, bytes (bf16)": f"{mini_kv:,}",
    "context length": str(mini["max_position_embeddings"]),
    "KV cache for the full context, GB": f"{mini_kv * mini['max_position_embeddings'] / GB:.1f}",
    "medium layers": str(medium["num_hidden_layers"]),
    "medium query heads": str(medium["num_attention_heads"]),
    "medium key/value heads": str(medium["num_key_value_heads"]),
    "medium head_dim": str(medium["hidden_size"] // medium["num_attention_heads"]),
    "medium KV cache per token, bytes": f"{medium_kv:,}",
    "medium KV cache per token without GQA, bytes": f"{medium_kv_without_gqa:,}",
    "largest int8 value": str(torch.iinfo(torch.int8).max),
    "int8 levels": str(2 * torch.iinfo(torch.int8).max + 1),
    "bytes read per token, GB (int4)": f"{int4_per_token / GB:.1f}",
    "int4 levels": str(int4_levels),
    "largest int4 level": str(int4_levels - 1),
    "int4 group size": str(GROUP_SIZE),
    "step and offset bytes per group": str(group_extra_bytes),
    "int4 bytes per weight": f"{int4_bytes_per_weight:g}",
    "bf16 bytes per weight": str(torch.finfo(torch.bfloat16).bits // 8),
}
NOT_FACTS: dict[str, str] = {}
