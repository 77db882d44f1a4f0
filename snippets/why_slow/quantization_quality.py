"""What int8 and int4 weights cost in predictions, measured on a model that learned.

Random weights can't say it: their predictions are flat. So this measures the tiny
Phi-3 of "From scores to text" (snippets/scores_to_text/tiny-phi3), trained by this
project on its own English prose: 4 layers of width 128, not Phi-3-mini. Its
checkpoint holds float16 weights; float32 computes with exactly those values, so
float32 is the reference, and bfloat16, int8 and int4 (the recipes of the page, with
their bfloat16 activations) are compared with it on text the model never trained on.
"""

import torch
from transformers import Phi3ForCausalLM

from snippets.why_slow.heldout_text import (  # noqa: F401  the page's, above
    CHECKPOINT, compare, heldout, ids, logits_and_loss, windows)
from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from snippets.why_slow.int8_linear import Int8Linear, quantize_linears

# --8<-- [start:measure]
# float32 holds the checkpoint's float16 values exactly: the reference.
reference = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
reference_logits, reference_loss = logits_and_loss(reference)
results = {}  # name: (KL per token, top-1 agreement, held-out loss)
LARGER_GROUPS = 128  # int4 with 4 times fewer steps and offsets per weight


def int4_larger_groups(linear):
    return Int4Linear(linear, group_size=LARGER_GROUPS)


formats = [("bfloat16", None), ("int8", Int8Linear),
           (f"int4 g{GROUP_SIZE}", Int4Linear),
           (f"int4 g{LARGER_GROUPS}", int4_larger_groups)]
print(f"{'':>9}  KL per token  top-1 agrees  held-out loss")
print(f"{'float32':>9}  {'(reference)':>12}  {'':>12}  {reference_loss:13.2f}")
for name, quantized in formats:
    model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.bfloat16)
    if quantized:  # as the recipes do: bfloat16 weights in, then quantized
        quantize_linears(model, quantized)
    logits, loss = logits_and_loss(model)
    kl, agreement = compare(reference_logits, logits)
    results[name] = (kl, agreement, loss)
    # As many digits as stay the same on every CPU: bfloat16 rounds differently with
    # other kernels, and the top token of a few positions changes.
    print(f"{name:>9}  {kl:12.4f}  {agreement:12.0%}  {loss:13.2f}")
# --8<-- [end:measure]
