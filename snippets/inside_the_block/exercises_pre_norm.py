"""Solutions to the exercises of "Pre-norm and RMSNorm"."""

from snippets.inside_the_block.norm_placement import DEPTHS, SEEDS, gradients_per_block
from snippets.inside_the_block.rmsnorm import RMSNorm

# --8<-- [start:invariances]
import torch

torch.manual_seed(0)
vectors = torch.randn(4, 3072)  # four vectors of Phi-3-mini's width
norms = {"RMSNorm": RMSNorm(3072), "LayerNorm": torch.nn.LayerNorm(3072)}
with torch.no_grad():
    for name, norm in norms.items():
        scale = torch.allclose(norm(10 * vectors), norm(vectors), atol=1e-4)
        shift = torch.allclose(norm(vectors + 5), norm(vectors), atol=1e-4)
        print(f"{name:<9} ignores a scale: {scale}, a shift: {shift}")
# --8<-- [end:invariances]

# --8<-- [start:every-block]
deepest = DEPTHS[-1]
shown = [1, deepest // 4, deepest // 2, 3 * deepest // 4, deepest]  # block numbers
print(f"{'block':<10}", " ".join(f"{block:>5}" for block in shown))
for placement in ("post", "pre"):
    per_seed = [gradients_per_block(placement, deepest, seed) for seed in SEEDS]
    mean = [sum(seeds) / len(SEEDS) for seeds in zip(*per_seed)]  # block by block
    print(f"{placement + '-norm':<10}",
          " ".join(f"{mean[block - 1]:5.2f}" for block in shown))
# --8<-- [end:every-block]
