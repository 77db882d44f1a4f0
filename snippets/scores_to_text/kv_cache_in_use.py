"""The KV cache at work: ours equals no cache and transformers' DynamicCache, the
sliding window, and the time per token with and without it."""

from snippets.scores_to_text.cached_attention import (
    Phi3WithCache,
    generate_with_cache,
    generate_without_cache,
)

# --8<-- [start:load]
import torch
from transformers import AutoTokenizer, DynamicCache, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

torch.set_num_threads(1)  # tiny matrices: a second thread costs more than it saves
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
trained = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
with torch.device("meta"):
    ours = Phi3WithCache(trained.config)
ours.load_state_dict(trained.state_dict(), strict=True, assign=True)
ours.eval()
input_ids = tokenizer("The KV cache keeps", return_tensors="pt").input_ids
# --8<-- [end:load]

# --8<-- [start:same-logits]
with torch.no_grad():
    full, _ = ours(input_ids)  # every position at once, no cache
    first, past = ours(input_ids[:, :-1])  # all but the last token...
    last, _ = ours(input_ids[:, -1:], past)  # ...then the last one, with the cache
torch.testing.assert_close(last[:, -1], full[:, -1])
torch.testing.assert_close(full, trained(input_ids).logits)
keys, values = past[0]
print("layer 0 keys cached:", tuple(keys.shape), "(batch, heads, tokens, head size)")
print("last position, with cache = without:", True)
# --8<-- [end:same-logits]

# --8<-- [start:generate]
with_cache = generate_with_cache(ours, input_ids, 20)
assert torch.equal(with_cache, generate_without_cache(ours, input_ids, 20))
assert torch.equal(with_cache, trained.generate(input_ids, do_sample=False,
                                                max_new_tokens=20))
print(tokenizer.decode(with_cache[0]))
# --8<-- [end:generate]

# --8<-- [start:dynamic-cache]
cache = DynamicCache(config=trained.config)  # empty; one layer object per decoder layer
with torch.no_grad():
    out = trained(input_ids, past_key_values=cache, use_cache=True)
print(type(out.past_key_values).__name__, "is our cache:", out.past_key_values is cache)
print("tokens in it:", cache.get_seq_length())
print(type(cache.layers[0]).__name__, "x", len(cache.layers))
print("keys:", tuple(cache.layers[0].keys.shape), "values:",
      tuple(cache.layers[0].values.shape))
# --8<-- [end:dynamic-cache]

# --8<-- [start:same-as-ours]
# transformers stores rotated keys too: the same tensors as our cache.
with torch.no_grad():
    _, past = ours(input_ids)
for layer, (keys, values) in zip(cache.layers, past):
    torch.testing.assert_close(layer.keys, keys)
    torch.testing.assert_close(layer.values, values)
print("transformers' keys and values = ours, in every layer")
# --8<-- [end:same-as-ours]

# --8<-- [start:sliding-window]
# Phi-3-mini: sliding_window 2047. The same model with a window of 4 shows the idea.
small = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32,
                                        sliding_window=4)
cache = DynamicCache(config=small.config)
with torch.no_grad():
    logits = small(input_ids, past_key_values=cache, use_cache=True).logits
print(type(cache.layers[0]).__name__)
print("tokens seen:", cache.get_seq_length(),
      "| keys kept:", cache.layers[0].keys.shape[2])
with torch.device("meta"):
    ours = Phi3WithCache(small.config)
ours.load_state_dict(small.state_dict(), strict=True, assign=True)
with torch.no_grad():
    our_logits, past = ours(input_ids)  # keeps every key, masks all but the last 4
torch.testing.assert_close(our_logits, logits)
print("same logits as our mask with sliding_window = 4:", True)
# --8<-- [end:sliding-window]


# --8<-- [start:timing]
import time


def seconds_per_token(generate, tokens=20):
    start = time.perf_counter()
    generate(ours, input_ids, tokens)
    return (time.perf_counter() - start) / tokens


without = seconds_per_token(generate_without_cache)
with_ = seconds_per_token(generate_with_cache)
print(f"without cache {without * 1000:.1f} ms/token, with {with_ * 1000:.1f} ms/token")
# --8<-- [end:timing]
