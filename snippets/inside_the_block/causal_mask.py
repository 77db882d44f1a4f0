"""The causal mask: a decoder's position sees only itself and earlier positions.

Change one token and compare hidden states: in Phi-3 (decoder-only) the positions
before the change keep exactly the same vectors; in an encoder every position changes.
"""

import torch

from snippets.inside_the_block.load_encoder import encoder, encoder_tokenizer
from snippets.model_example.load_model import model, tokenizer

# --8<-- [start:mask]
sequence_length = 6
# Row i is the query at position i; True where it may look (keys 0..i).
causal_mask = torch.ones(sequence_length, sequence_length, dtype=torch.bool).tril()
print(causal_mask.int())
# --8<-- [end:mask]


# --8<-- [start:edit-last-word]
def hidden_states_before_and_after(network, token_ids, edited_token_ids):
    with torch.no_grad():
        before = network(input_ids=token_ids).last_hidden_state  # (1, seq, hidden)
        after = network(input_ids=edited_token_ids).last_hidden_state
    return before, after


original, edited = "The cat sat on the mat.", "The cat sat on the rug."
# --8<-- [end:edit-last-word]

# --8<-- [start:encoder-sees-all]
ids = encoder_tokenizer(original, return_tensors="pt").input_ids
edited_ids = encoder_tokenizer(edited, return_tensors="pt").input_ids
assert ids.shape == edited_ids.shape  # one word swapped for one word
before, after = hidden_states_before_and_after(encoder, ids, edited_ids)
change = (after - before).abs().amax(-1)[0]  # largest change at each position
print(encoder_tokenizer.convert_ids_to_tokens(ids[0]))
print(change.round(decimals=2))
# --8<-- [end:encoder-sees-all]

# --8<-- [start:decoder-sees-past]
ids = tokenizer(original, return_tensors="pt").input_ids
edited_ids = tokenizer(edited, return_tensors="pt").input_ids
assert ids.shape == edited_ids.shape  # same length: matrices of the same shapes
first_edit = int((ids != edited_ids).nonzero()[0, 1])  # position of "mat" / "rug"
before, after = hidden_states_before_and_after(model.model, ids, edited_ids)
print("positions before the edit unchanged:",
      torch.equal(before[:, :first_edit], after[:, :first_edit]))
print("edited position changed:",
      not torch.equal(before[:, first_edit], after[:, first_edit]))
# --8<-- [end:decoder-sees-past]
