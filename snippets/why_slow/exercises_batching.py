"""Solutions to the exercises of "Why servers batch"."""

from snippets.why_slow.roofline import config, weight_bytes, weights  # the page's

# --8<-- [start:int4]
int4_bytes = weights * 5 // 8  # half a byte, and a bf16 step and offset per 32
for batch_size in (1, 4, 16):
    flops = 2 * weights * batch_size
    print(f"int4, batch size {batch_size:>2}: {flops / int4_bytes:4.1f} FLOPs per byte")
# --8<-- [end:int4]

# --8<-- [start:long-context]
head_dim = config.hidden_size // config.num_attention_heads
layers, heads = config.num_hidden_layers, config.num_attention_heads
kv_heads = config.num_key_value_heads
kept = config.sliding_window - 1  # positions of each row's cache at 4096 tokens
cache_bytes = 2 * layers * kv_heads * head_dim * 2 * kept  # keys and values, bf16
# every query head: a score per cached key, a weighted sum of the cached values
attention_flops = 2 * 2 * layers * heads * head_dim * kept
for batch_size in (1, 4, 16):
    flops = (2 * weights + attention_flops) * batch_size
    read = weight_bytes + cache_bytes * batch_size  # the cache is each row's own
    print(f"4096 tokens, batch size {batch_size:>2}: {flops / read:4.1f} FLOPs/byte")
# --8<-- [end:long-context]
