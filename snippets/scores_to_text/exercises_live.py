"""Solutions to the exercises of "Play with the tiny model"."""

from snippets.scores_to_text.live import input_ids, logits, model

# --8<-- [start:float16]
import torch

weights = dict(model.named_parameters())  # the tied table once
exact = [name for name, w in weights.items() if torch.equal(w.half().float(), w)]
print(f"{len(exact)} of {len(weights)} weights are float16 numbers")
# --8<-- [end:float16]

# --8<-- [start:filters]
from transformers import (
    MinPLogitsWarper,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

scores = logits[None]  # (1, 32064): the processors work on a batch
for processor in [TemperatureLogitsWarper(0.7), TopKLogitsWarper(50),
                  TopPLogitsWarper(0.9), MinPLogitsWarper(0.05)]:  # generate()'s order
    scores = processor(input_ids, scores)
    kept = torch.isfinite(scores).sum().item()
    print(f"{type(processor).__name__:>23}: {kept:>5} tokens kept")
# --8<-- [end:filters]
