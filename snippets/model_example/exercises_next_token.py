"""Solutions to the exercises of "From token ids to "Paris"."""

from snippets.model_example.load_model import model

# --8<-- [start:tied]
print(model.config.tie_word_embeddings)  # False: two tables, not one
print(model.lm_head.weight is model.model.embed_tokens.weight)
print(model.lm_head.weight.shape, model.model.embed_tokens.weight.shape)
# --8<-- [end:tied]

# the page's prompt and scores (the solution above needs only the model)
from snippets.model_example.next_token import (  # noqa: E402
    input_ids, lm_head_output, token_id, tokenizer)

# --8<-- [start:top-five]
probabilities = lm_head_output[0, -1].float().softmax(-1)  # last position
best = probabilities.topk(5)
for probability, candidate in zip(best.values, best.indices):
    print(f"{tokenizer.decode(candidate)!r:>12} {probability:.1%}")
# --8<-- [end:top-five]

# --8<-- [start:second-token]
import torch

longer = torch.cat([input_ids, token_id.view(1, 1)], dim=1)  # append the winner
second = model(longer).logits[0, -1].argmax(-1)
print(tokenizer.decode(torch.cat([token_id.view(1), second.view(1)])))
# --8<-- [end:second-token]
