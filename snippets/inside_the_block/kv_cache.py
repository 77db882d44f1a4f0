"""How much memory the KV cache takes: multi-head, grouped-query, multi-query attention.

During generation every layer keeps the key and value vectors of all earlier tokens
(the KV cache), one per key/value head. Fewer key/value heads, smaller cache.
"""

# --8<-- [start:kv-cache]
from transformers import AutoConfig

MINI = "microsoft/Phi-3-mini-4k-instruct"
MEDIUM = "microsoft/Phi-3-medium-4k-instruct"
BYTES_PER_VALUE = 2  # bfloat16
CONTEXT = 4096  # tokens: the "4k" in the model names
MIB = 1024**2


def kv_cache_bytes_per_token(config):
    """A key and a value vector per key/value head, in every layer."""
    head_dim = config.hidden_size // config.num_attention_heads
    values = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim
    return values * BYTES_PER_VALUE


def attention_variants():
    """{name: config}: Phi-3-mini as it is, as it could be (GQA, MQA), Phi-3-medium."""
    return {
        "Phi-3-mini MHA": AutoConfig.from_pretrained(MINI),
        "mini GQA": AutoConfig.from_pretrained(MINI, num_key_value_heads=8),
        "mini MQA": AutoConfig.from_pretrained(MINI, num_key_value_heads=1),
        "Phi-3-medium GQA": AutoConfig.from_pretrained(MEDIUM),
    }


print(f"{'':<20}{'q heads':>8}{'kv heads':>9}{'bytes/token':>13}"
      f"{f'MiB at {CONTEXT}':>13}")
for name, config in attention_variants().items():
    per_token = kv_cache_bytes_per_token(config)
    print(f"{name:<20}{config.num_attention_heads:>8}{config.num_key_value_heads:>9}"
          f"{per_token:>13,}{per_token * CONTEXT / MIB:>13,.0f}")
# --8<-- [end:kv-cache]


def draw_kv_cache():
    """Bar chart: KV cache size at a full 4k context for each variant."""
    import matplotlib.pyplot as plt

    variants = attention_variants()
    # Code names and numbers only: the same figure serves every language.
    labels = [
        f"{name.replace(' ', chr(10))}\nn_kv = {config.num_key_value_heads}"
        for name, config in variants.items()
    ]
    sizes = [kv_cache_bytes_per_token(c) * CONTEXT / MIB for c in variants.values()]
    figure, axes = plt.subplots(figsize=(7, 3.6))
    bars = axes.bar(labels, sizes, color=["#3f51b5", "#7986cb", "#c5cae9", "#ff9800"])
    axes.bar_label(bars, labels=[f"{size:,.0f} MiB" for size in sizes])
    axes.set_ylabel("MiB")  # the caption on the page says: at a 4k context
    axes.set_ylim(0, max(sizes) * 1.15)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


FIGURES = {"kv-cache": draw_kv_cache}
