"""Solutions to the exercises of "The memory floor"."""

from snippets.why_slow.int8_linear import bytes_per_token  # the page's function

# --8<-- [start:meta]
import torch
from transformers import AutoConfig, AutoModelForCausalLM

config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
with torch.device("meta"):  # real shapes, no weights, no memory
    phi3 = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
weights = bytes_per_token(phi3)
print(f"{weights:,} bytes per token: {weights / 1e9:.1f} GB")
# --8<-- [end:meta]

# --8<-- [start:cache-share]
head_dim = config.hidden_size // config.num_attention_heads
# a key and a value per layer and key/value head, 2 bytes each in bfloat16
layers, kv_heads = config.num_hidden_layers, config.num_key_value_heads
cache_per_token = 2 * layers * kv_heads * head_dim * 2
tenth = weights / 9 / cache_per_token  # cache = weights / 9: a tenth of the total
kept = config.sliding_window - 1  # positions transformers keeps per layer
largest_cache = kept * cache_per_token
print(f"the cache would be a tenth of a step's bytes at {tenth:,.0f} tokens")
share = largest_cache / (weights + largest_cache)
print(f"the window keeps {kept:,}: at most {share:.1%}")
# --8<-- [end:cache-share]

# --8<-- [start:int4-share]
linears = [m for m in phi3.modules() if isinstance(m, torch.nn.Linear)]
linear_weights = sum(m.weight.numel() for m in linears)
# int4: half a byte per weight, and a bfloat16 step and offset per group of 32
int4_weights = weights - 2 * linear_weights + linear_weights * 5 // 8
int4_share = largest_cache / (int4_weights + largest_cache)
print(f"int4: {int4_weights:,} bytes of weights, the cache {int4_share:.1%} of a step")
# --8<-- [end:int4-share]
