"""Phi-3's MLP from scratch: SwiGLU with a fused gate and up projection.

`SwiGLUMLP` has the weight names of transformers' `Phi3MLP` (`gate_up_proj`,
`down_proj`), so Phi-3's weights load into it one-to-one. The chapter's from-scratch
Phi-3 imports it from here.
"""

# --8<-- [start:mlp]
import torch
import torch.nn.functional as F


class SwiGLUMLP(torch.nn.Module):
    """down(SiLU(gate(x)) * up(x)): the gate decides how much of each unit passes."""

    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        # gate and up in one matrix: the first half of the rows is the gate
        self.gate_up_proj = torch.nn.Linear(
            hidden_size, 2 * intermediate_size, bias=False)
        self.down_proj = torch.nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x):  # (batch, seq, hidden)
        gate, up = self.gate_up_proj(x).chunk(2, dim=-1)  # 2 x (batch, seq, inter)
        return self.down_proj(F.silu(gate) * up)  # (batch, seq, hidden)
# --8<-- [end:mlp]
