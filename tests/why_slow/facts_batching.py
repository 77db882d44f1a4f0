"""Numbers of the sections "Why servers batch" and "What int4 costs" of docs/why-slow.

Batching: the batch sizes bench/batching.py measures, the arithmetic intensity of a
decode step from the real-size model built on the meta device (weights and their
bytes), and the KV cache a decode step reads at long contexts, from the config.
Quantization quality: the tiny trained Phi-3's sizes, and what
snippets/why_slow/quantization_quality.py measured on it (its printed table).
"""

from __future__ import annotations

import json

from transformers import AutoConfig

from bench.batching import BATCH_SIZES, weights_read
from snippets.inside_the_block.kv_cache import positions_kept
from snippets.scores_to_text.train_tiny import tiny_config
from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from snippets.why_slow.int8_linear import bytes_per_token, quantize_linears
from tests.facts import build_real_size_phi3
from tools.paths import ROOT, TEST_DATA

GB = 1000**3
MEASURED = ROOT / "snippets/why_slow/output/quantization_quality/measure.txt"

# ------------------------------------------------------------ why servers batch
mini = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
model = build_real_size_phi3()
weights = weights_read(model)
bf16_bytes = bytes_per_token(model)
quantize_linears(model, Int4Linear)
int4_bytes = bytes_per_token(model)


def intensity(batch_size: int, weight_bytes: int) -> float:
    """FLOPs per byte of weights: a multiply and an add per weight and row."""
    return 2 * batch_size * weights / weight_bytes


smallest, middle, largest = BATCH_SIZES
context = mini["max_position_embeddings"]
head_dim = mini["hidden_size"] // mini["num_attention_heads"]
kv_per_token = 2 * mini["num_hidden_layers"] * mini["num_key_value_heads"] * head_dim * 2
config = AutoConfig.from_pretrained(TEST_DATA / "phi3-mini-4k-instruct.config.json")
kv_per_row = kv_per_token * positions_kept(config, context)  # read by each step
kv_largest = largest * kv_per_row
# Attention: each query head multiplies every cached key and value of its KV head
# once (2 FLOPs per element, 2 bytes per element in bfloat16).
queries_per_kv_head = mini["num_attention_heads"] // mini["num_key_value_heads"]

# ------------------------------------------------------------ quantization quality
tiny = tiny_config()
# The table quantization_quality.py printed (make update-examples wrote it just now or
# before): its digits stay the same on every CPU, and the run is not made twice.
quality = {}  # name: (KL per token, top-1 agreement), as printed
for line in MEASURED.read_text().splitlines()[2:]:
    *name, kl, agrees, loss = line.split()
    quality[" ".join(name)] = (kl, int(agrees.rstrip("%")))
LARGER_GROUPS = int(list(quality)[-1].split(" g")[1])  # "int4 g128": the last row

int4, larger = quality[f"int4 g{GROUP_SIZE}"], quality[f"int4 g{LARGER_GROUPS}"]
larger_model = build_real_size_phi3()
quantize_linears(larger_model, lambda linear: Int4Linear(linear, LARGER_GROUPS))
larger_bytes = bytes_per_token(larger_model)

FACTS = {
    "smallest batch size": str(smallest),
    "middle batch size": str(middle),
    "largest batch size": str(largest),
    "FLOPs per weight byte at batch 1 (bf16)": f"{intensity(smallest, bf16_bytes):.0f}",
    "FLOPs per weight byte at batch 4 (bf16)": f"{intensity(middle, bf16_bytes):.0f}",
    "FLOPs per weight byte at batch 16 (bf16)": f"{intensity(largest, bf16_bytes):.0f}",
    "FLOPs per weight byte at batch 1 (int4)": f"{intensity(smallest, int4_bytes):.1f}",
    "FLOPs per multiply-add": "2",
    "KV cache read per step at batch 16, 4k context, GB": f"{kv_largest / GB:.1f}",
    "bytes read per step at batch 16, 4k context, GB":
        f"{(bf16_bytes + kv_largest) / GB:.1f}",
    "KV cache share of the bytes at batch 16, 4k context, %":
        f"{kv_largest / (bf16_bytes + kv_largest):.0%}".rstrip("%"),
    "KV cache share of the bytes at batch 1, 4k context, %":
        f"{kv_per_row / (bf16_bytes + kv_per_row):.0%}".rstrip("%"),
    "attention FLOPs per cached byte (bf16)": f"{2 * queries_per_kv_head / 2:.0f}",
    "tiny layers": str(tiny.num_hidden_layers),
    "tiny width": str(tiny.hidden_size),
    "tiny intermediate size": str(tiny.intermediate_size),
    # The printed table's digits (they stay the same on every CPU), not a ratio of
    # them, which could round either way on another CPU's kernels.
    "int4 top-1 changed, %": str(100 - int4[1]),
    "int8 KL per token": quality["int8"][0],
    "int4 KL per token": int4[0],
    "int4 KL per token, larger groups": larger[0],
    "int4, larger groups: top-1 changed, %": str(100 - larger[1]),
    "larger groups: fewer bytes per token, %": f"{1 - larger_bytes / int4_bytes:.0%}"
        .rstrip("%"),
    "int8 top-1 changed, %": str(100 - quality["int8"][1]),
    "bf16 top-1 changed, %": str(100 - quality["bfloat16"][1]),
}
NOT_FACTS: dict[str, str] = {}
