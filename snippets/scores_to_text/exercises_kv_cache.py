"""Solutions to the exercises of "The KV cache from scratch"."""

import torch
from transformers import Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

# the page's trained model
trained = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)

# --8<-- [start:bytes]
config = trained.config
head_dim = config.hidden_size // config.num_attention_heads
for kv_heads in (config.num_key_value_heads, 1):  # the tiny model's, then MQA's one
    # a key and a value per layer, per key/value head: 4 bytes each in float32
    per_token = 2 * config.num_hidden_layers * kv_heads * head_dim * 4
    print(f"{kv_heads} key/value heads: {per_token:,} bytes per token, "
          f"{per_token * config.sliding_window / 2**20:.1f} MiB for a full window")
# --8<-- [end:bytes]

# --8<-- [start:measure]
from transformers import DynamicCache

cache = DynamicCache(config=config)
ids = torch.arange(10)[None]  # ten token ids, any will do
with torch.no_grad():
    trained(ids, past_key_values=cache, use_cache=True)
stored = sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)
print(stored // 10, "bytes per token in the cache")
# --8<-- [end:measure]
