"""The int4 matrix kernel alone on your machine, against bfloat16's matrix product.

One matrix of Phi-3-mini's size (its MLP's down projection), one row of input, as in
a decode step. The figures are your machine's and change from run to run.
"""

# --8<-- [start:kernel]
import time

import torch

from snippets.why_slow.int4_linear import Int4Linear

linear = torch.nn.Linear(8192, 3072, bias=False, dtype=torch.bfloat16)  # down_proj
row = torch.randn(1, 8192, dtype=torch.bfloat16)  # (1, in_features): one token


def seconds_per_call(layer: torch.nn.Module, repeats: int = 50) -> float:
    """The layer's time for one row of input, as in a decode step."""
    with torch.no_grad():
        layer(row)  # warm-up
        start = time.perf_counter()
        for _ in range(repeats):
            layer(row)
    return (time.perf_counter() - start) / repeats


def stored_bytes(layer: torch.nn.Module) -> int:
    return sum(t.nbytes for t in [*layer.parameters(), *layer.buffers()])


for name, layer in [("bfloat16", linear), ("int4", Int4Linear(linear))]:
    seconds = seconds_per_call(layer)
    print(f"{name:>8}: {seconds * 1e3:.2f} ms, "
          f"{stored_bytes(layer) / seconds / 1e9:.1f} GB/s")
# --8<-- [end:kernel]
