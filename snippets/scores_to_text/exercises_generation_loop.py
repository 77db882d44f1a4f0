"""Solutions to the exercises of "The generation loop by hand"."""

from snippets.scores_to_text.generation_loop import (
    generate_by_hand, input_ids, model, tokenizer)

# --8<-- [start:positions]
prompt_length, new_tokens = input_ids.shape[1], 20
without_cache = sum(prompt_length + step for step in range(new_tokens))
with_cache = prompt_length + (new_tokens - 1)  # the prompt once, then one per step
print(f"{without_cache} positions computed without a cache, {with_cache} with one")
# --8<-- [end:positions]

# --8<-- [start:temperatures]
import torch

for temperature in (0.3, 1.5):
    torch.manual_seed(0)
    ids = generate_by_hand(model, input_ids, max_new_tokens=12,
                           temperature=temperature)
    print(f"t = {temperature}: {tokenizer.decode(ids[0, input_ids.shape[1]:])!r}")
# --8<-- [end:temperatures]
