"""How Phi-3 handles positions: rotary embeddings, and nothing added to the input.

1. The from-scratch RoPE (rotary.py) gives what transformers' Phi-3 code gives.
2. embed_tokens is the only input module: positions enter inside every attention
   layer, as rotations of queries and keys (rotary_emb has no parameters).
"""

from snippets.inside_the_block.rotary import apply_rotary, rotary_cos_sin

# --8<-- [start:versus-transformers]
import torch
from transformers import AutoConfig
from transformers.models.phi3.modeling_phi3 import (
    Phi3RotaryEmbedding,
    apply_rotary_pos_emb,
)

config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
phi3_rotary = Phi3RotaryEmbedding(config)  # what Phi3Model.rotary_emb is

head_dim = config.hidden_size // config.num_attention_heads  # 96
positions = torch.arange(10)[None]  # (batch, seq)
torch.manual_seed(0)
q = torch.randn(1, 4, 10, head_dim)  # (batch, heads, seq, head_dim)
k = torch.randn(1, 4, 10, head_dim)

rope_theta = config.rope_parameters["rope_theta"]  # 10000.0
cos, sin = rotary_cos_sin(head_dim, positions, theta=rope_theta)
their_cos, their_sin = phi3_rotary(q, positions)
ours = apply_rotary(q, k, cos, sin)
theirs = apply_rotary_pos_emb(q, k, their_cos, their_sin)
print("cos, sin equal:", torch.equal(cos, their_cos), torch.equal(sin, their_sin))
print("rotated q, k equal:", all(map(torch.allclose, ours, theirs)))
# --8<-- [end:versus-transformers]

# --8<-- [start:no-position-embedding]
from transformers import AutoModelForCausalLM

with torch.device("meta"):
    phi3 = AutoModelForCausalLM.from_config(config)
for name, module in phi3.model.named_children():
    parameters = sum(p.numel() for p in module.parameters())
    print(f"{name:<13} {type(module).__name__:<20} {parameters:>13,} parameters")
buffers = [name for name, _ in phi3.model.rotary_emb.named_buffers()]
print("rotary_emb buffers:", buffers)  # computed from rope_theta, never trained
# --8<-- [end:no-position-embedding]
