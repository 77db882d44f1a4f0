"""How much memory the KV cache takes: multi-head, grouped-query, multi-query attention.

During generation every layer keeps the key and value vectors of earlier tokens (the
KV cache), one per key/value head. Fewer key/value heads, smaller cache. With a
sliding window, transformers keeps only the positions the window can still see.
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


print(f"MiB for {CONTEXT} tokens if every position is kept:")
print(f"{'':<20}{'q heads':>8}{'kv heads':>9}{'bytes/token':>13}{'MiB':>8}")
for name, config in attention_variants().items():
    per_token = kv_cache_bytes_per_token(config)
    print(f"{name:<20}{config.num_attention_heads:>8}{config.num_key_value_heads:>9}"
          f"{per_token:>13,}{per_token * CONTEXT / MIB:>8,.0f}")
# --8<-- [end:kv-cache]


# --8<-- [start:sliding-window]
import torch
from transformers import AutoModelForCausalLM, DynamicCache, Phi3Config


def positions_kept(config, tokens):
    """How many positions per layer transformers' cache holds after `tokens` tokens."""
    if config.sliding_window is None:
        return tokens
    # A token sees itself and the window - 1 positions before it: no older key or
    # value will be read again, so the cache drops them.
    return min(tokens, config.sliding_window - 1)


tiny = Phi3Config(  # random weights: only the shapes of the cache matter
    hidden_size=64, intermediate_size=128, num_hidden_layers=2,
    num_attention_heads=4, num_key_value_heads=4, sliding_window=4,
)
model = AutoModelForCausalLM.from_config(tiny).eval()
prompt = torch.arange(10)[None]  # (batch, seq): 10 tokens, longer than the window
with torch.no_grad():
    cache = model(prompt, use_cache=True).past_key_values
for index, layer in enumerate(cache.layers):  # keys: (batch, kv heads, seq, head_dim)
    print(f"layer {index}: {type(layer).__name__}, keys {tuple(layer.keys.shape)}")
print(f"window {tiny.sliding_window}, {prompt.shape[1]} tokens: "
      f"{positions_kept(tiny, prompt.shape[1])} positions kept")

mini = AutoConfig.from_pretrained(MINI)
first_layer = DynamicCache(config=mini).layers[0]  # the cache generate() builds
print(f"Phi-3-mini: {type(first_layer).__name__}, "
      f"sliding_window={first_layer.sliding_window}")
per_token = kv_cache_bytes_per_token(mini)
kept = positions_kept(mini, CONTEXT)
print(f"{CONTEXT} tokens, every position:  {per_token * CONTEXT / MIB:>6,.0f} MiB")
print(f"{CONTEXT} tokens, last {kept} kept: {per_token * kept / MIB:>6,.0f} MiB")
# --8<-- [end:sliding-window]


LABELS = {
    "en": {"all": f"every position ({CONTEXT})",
           "kept": "what transformers keeps (sliding window)",
           "n_kv": "n_kv"},
    "zh": {"all": f"保留全部位置（{CONTEXT} 个）",
           "kept": "transformers 实际保留的（滑动窗口）",
           "n_kv": "n_kv"},
}


def draw_kv_cache(language="en"):
    """Bars: KV cache at a 4k context per variant, all positions and what is kept."""
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    variants = attention_variants()
    names = [
        f"{name.replace(' ', chr(10))}\n{labels['n_kv']} = {config.num_key_value_heads}"
        for name, config in variants.items()
    ]
    every = [kv_cache_bytes_per_token(c) * CONTEXT / MIB for c in variants.values()]
    kept = [kv_cache_bytes_per_token(c) * positions_kept(c, CONTEXT) / MIB
            for c in variants.values()]
    x = range(len(names))
    width = 0.4
    figure, axes = plt.subplots(figsize=(7.5, 3.8))
    for offset, sizes, label in ((-width / 2, every, labels["all"]),
                                 (width / 2, kept, labels["kept"])):
        bars = axes.bar([i + offset for i in x], sizes, width, label=label)
        axes.bar_label(bars, labels=[f"{size:,.0f}" for size in sizes], fontsize=8)
    axes.set_xticks(list(x), names)
    axes.set_ylabel("MiB")
    axes.set_ylim(0, max(every) * 1.2)
    axes.legend()
    axes.spines[["top", "right"]].set_visible(False)
    return figure


FIGURES = {"kv-cache": draw_kv_cache}
