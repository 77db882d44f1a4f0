"""Solutions to the exercises of "The MLP: SwiGLU"."""

from snippets.inside_the_block.mlp_in_phi3 import config, ours, x

# --8<-- [start:medium]
from transformers import AutoConfig

medium = AutoConfig.from_pretrained("microsoft/Phi-3-medium-4k-instruct")
for name, sizes in [("Phi-3-mini", config), ("Phi-3-medium", medium)]:
    hidden, inner = sizes.hidden_size, sizes.intermediate_size
    # SwiGLU's three matrices against a ReLU MLP's two, four times the hidden size
    versus_relu = 3 * hidden * inner / (2 * hidden * 4 * hidden)
    print(f"{name:<12} {hidden} -> {inner}: {inner / hidden:.2f} x hidden, "
          f"{versus_relu:.2f} x the weights of a 4 x hidden ReLU MLP")
# --8<-- [end:medium]

# --8<-- [start:each-position]
import torch

with torch.no_grad():
    one_by_one = torch.stack([ours(x[:, i]) for i in range(x.shape[1])], dim=1)
    all_at_once = ours(x)  # (batch, seq, hidden)
print("one position at a time == all at once:",
      torch.allclose(one_by_one, all_at_once, atol=1e-6))
# --8<-- [end:each-position]
