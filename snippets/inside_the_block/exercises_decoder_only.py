"""Solutions to the exercises of "Encoder-decoder → decoder-only"."""

import torch

from snippets.inside_the_block.three_families import phi3, transformer_2017

# --8<-- [start:attentions]
from collections import Counter


def attention_kinds(network):
    """How many attention modules of each kind, by the last part of their names."""
    return Counter(name.rsplit(".", 1)[-1] for name, _ in network.named_modules()
                   if name.endswith("_attn"))


print("2017: ", dict(attention_kinds(transformer_2017)))
print("Phi-3:", dict(attention_kinds(phi3)))
# --8<-- [end:attentions]

# The page's Phi-3, loaded with its weights (the next solution runs it).
from snippets.inside_the_block.causal_mask import (  # noqa: E402
    hidden_states_before_and_after,
    model,
    tokenizer,
)

# --8<-- [start:edit-second-word]
ids = tokenizer("The cat sat on the mat.", return_tensors="pt").input_ids
edited_ids = tokenizer("The dog sat on the mat.", return_tensors="pt").input_ids
assert ids.shape == edited_ids.shape  # "cat" and "dog": one token each
before, after = hidden_states_before_and_after(model.model, ids, edited_ids)
unchanged = [torch.equal(before[0, i], after[0, i]) for i in range(ids.shape[1])]
print(tokenizer.convert_ids_to_tokens(edited_ids[0]))
print("unchanged:", unchanged)
# --8<-- [end:edit-second-word]
