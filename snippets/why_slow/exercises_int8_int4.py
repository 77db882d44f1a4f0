"""Solutions to the exercises of "Fewer bytes per weight: int8 and int4"."""

from snippets.why_slow.int4_linear import Int4Linear  # the page's layers
from snippets.why_slow.int8_linear import Int8Linear

# --8<-- [start:bytes-per-weight]
import torch

linear = torch.nn.Linear(3072, 8192, bias=False, dtype=torch.bfloat16)  # a real width
layers = {"bfloat16": linear, "int8": Int8Linear(linear), "int4": Int4Linear(linear)}
for name, layer in layers.items():
    stored = sum(t.nbytes for t in [*layer.parameters(), *layer.buffers()])
    print(f"{name:>8}: {stored / linear.weight.numel():.4f} bytes per weight")
# --8<-- [end:bytes-per-weight]

# --8<-- [start:output-error]
torch.manual_seed(0)
linear = torch.nn.Linear(3072, 8192, bias=False, dtype=torch.bfloat16)  # random weights
rows = torch.randn(16, 3072, dtype=torch.bfloat16)  # (rows, in_features)
exact = linear(rows).float()  # (rows, out_features)
for name, layer in [("int8", Int8Linear(linear)), ("int4", Int4Linear(linear))]:
    error = (layer(rows).float() - exact).norm() / exact.norm()
    print(f"{name}: the outputs move by {error:.1%} of their size")
# --8<-- [end:output-error]
