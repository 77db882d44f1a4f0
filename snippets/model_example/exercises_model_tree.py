"""Solutions to the exercises of "The module tree"."""

from snippets.model_example.model_tree import count_parameters, model

# --8<-- [start:ends]
ends = count_parameters(model.model.embed_tokens) + count_parameters(model.lm_head)
print(f"embedding table and LM head: {ends / count_parameters(model):.1%}")
# --8<-- [end:ends]

# --8<-- [start:gqa]
config = model.config
head_dim = config.hidden_size // config.num_attention_heads
for kv_heads in (config.num_key_value_heads, 8):  # Phi-3-mini's, then GQA's 8
    width = (config.num_attention_heads + 2 * kv_heads) * head_dim
    print(f"{kv_heads:>2} key/value heads: qkv_proj out_features {width}, "
          f"{width * config.hidden_size * config.num_hidden_layers:,} weights")
# --8<-- [end:gqa]

# --8<-- [start:norms]
from collections import Counter

kinds = Counter(type(module).__name__ for module in model.modules())
print(kinds["Phi3RMSNorm"], "Phi3RMSNorm,", kinds["Linear"], "Linear")
# --8<-- [end:norms]
