"""Solutions to the exercises of "Attention: multi-head, multi-query, grouped-query"."""

from snippets.inside_the_block.attention_in_phi3 import head_dim
from snippets.inside_the_block.kv_cache import (
    attention_variants,
    kv_cache_bytes_per_token,
)

# --8<-- [start:per-gib]
GIB = 1024**3
for name, variant in attention_variants().items():
    tokens = GIB // kv_cache_bytes_per_token(variant)
    print(f"{name:<17} {tokens:>7,} tokens per GiB of KV cache")
# --8<-- [end:per-gib]

# --8<-- [start:no-scaling]
import torch

torch.manual_seed(0)
queries = torch.randn(1000, head_dim)  # random queries and keys of the head size
keys = torch.randn(10, head_dim)
scores = queries @ keys.T  # (1000, 10): each query against each key
for name, scaled in [("times 1/sqrt(d)", scores * head_dim**-0.5),
                     ("unscaled", scores)]:
    top = scaled.softmax(dim=-1).amax(dim=-1)  # the largest weight of each row
    print(f"{name:<15}: the largest weight of a row is {top.mean():.2f} on average")
# --8<-- [end:no-scaling]
