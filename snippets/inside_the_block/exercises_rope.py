"""Solutions to the exercises of "Rotary position embeddings"."""

from snippets.inside_the_block.rope_properties import HEAD_DIM, q
from snippets.inside_the_block.rotary import (
    apply_rotary,
    rotary_cos_sin,
    rotary_frequencies,
)

# --8<-- [start:lengths]
import torch

positions = torch.tensor([[0, 1, 100, 4000]])  # (batch, seq): four places in a text
cos, sin = rotary_cos_sin(HEAD_DIM, positions)
same_query = q.expand(1, 1, 4, HEAD_DIM)  # one query, at each of the four positions
rotated, _ = apply_rotary(same_query, same_query, cos, sin)
lengths = rotated.norm(dim=-1)  # (batch, heads, seq)
print("same length everywhere:", torch.allclose(lengths, q.norm(), rtol=1e-5))
print("same vector everywhere:", torch.allclose(rotated, same_query))
# --8<-- [end:lengths]

# --8<-- [start:base]
for base in (10000.0, 500000.0):
    slowest = 2 * torch.pi / rotary_frequencies(HEAD_DIM, theta=base)[-1]
    tokens = round(slowest.item(), -3)  # to the thousand: the last bits vary by CPU
    print(f"base {base:>9,.0f}: the slowest pair turns once in about {tokens:,.0f} "
          "tokens")
# --8<-- [end:base]
