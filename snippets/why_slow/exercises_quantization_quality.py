"""Solutions to the exercises of "What quantization costs in predictions"."""

import torch
from transformers import Phi3ForCausalLM

from snippets.why_slow.heldout_text import CHECKPOINT, compare, windows  # the page's
from snippets.why_slow.int4_linear import Int4Linear
from snippets.why_slow.int8_linear import quantize_linears

# the page's reference: the checkpoint's float16 values, computed in float32
reference = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)

# --8<-- [start:close-calls]
few = windows[:8]  # (8, 64): enough positions to see it, and quick
int4_model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.bfloat16)
quantize_linears(int4_model, Int4Linear)  # the recipe's groups of 32
with torch.no_grad():
    reference_logits = reference(few).logits  # (8, 64, vocab)
    int4_logits = int4_model(few).logits.float()
best_two = reference_logits.softmax(dim=-1).topk(2, dim=-1).values  # (8, 64, 2)
lead = best_two[..., 0] - best_two[..., 1]  # how far the top token leads
changed = reference_logits.argmax(dim=-1) != int4_logits.argmax(dim=-1)  # (8, 64)
print(f"int4 changed the top token at {changed.float().mean():.0%} of the positions")
print(f"median lead of the reference's top token there: {lead[changed].median():.2f}")
print(f"median lead elsewhere:                          {lead[~changed].median():.2f}")
# --8<-- [end:close-calls]

# --8<-- [start:windows]
kl_per_window = [compare(reference_logits[i], int4_logits[i])[0] for i in range(8)]
print("int4 KL per token, window by window:",
      " ".join(f"{kl:.3f}" for kl in kl_per_window))
# --8<-- [end:windows]
