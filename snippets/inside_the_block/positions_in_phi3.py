"""Phi-3 adds no position vector to its input: embed_tokens is the only input module.

Positions enter inside every attention layer instead, as rotations of queries and
keys (rotary_emb computes them once per forward pass; it has no parameters).
"""

import torch
from transformers import AutoConfig, AutoModelForCausalLM

# --8<-- [start:no-position-embedding]
config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
with torch.device("meta"):
    phi3 = AutoModelForCausalLM.from_config(config)
for name, module in phi3.model.named_children():
    parameters = sum(p.numel() for p in module.parameters())
    print(f"{name:<13} {type(module).__name__:<20} {parameters:>13,} parameters")
print("rotary_emb buffers:", [name for name, _ in phi3.model.rotary_emb.named_buffers()])
# --8<-- [end:no-position-embedding]
