"""Solutions to the exercises of "Where the int4 recipe loses time"."""

from snippets.why_slow.kernel_alone import (  # the page's program
    Int4Linear, linear, seconds_per_call, stored_bytes)

# --8<-- [start:groups]
for group_size in (32, 128):
    layer = Int4Linear(linear, group_size=group_size)
    seconds = seconds_per_call(layer)
    print(f"groups of {group_size:>3}: {stored_bytes(layer):,} bytes, "
          f"{seconds * 1e3:.2f} ms")
# --8<-- [end:groups]

# --8<-- [start:threads]
import torch

layer = Int4Linear(linear)
all_threads = torch.get_num_threads()
for threads in sorted({1, all_threads}):
    torch.set_num_threads(threads)
    print(f"{threads} thread(s): {seconds_per_call(layer) * 1e3:.2f} ms")
torch.set_num_threads(all_threads)
# --8<-- [end:threads]
