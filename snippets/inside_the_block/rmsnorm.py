"""RMSNorm from scratch, the normalisation Phi-3 uses before attention and the MLP.

`RMSNorm` has the same parameter name (`weight`) and arithmetic as transformers'
`Phi3RMSNorm`, so a Phi-3 state dict loads into it one-to-one. The chapter's
from-scratch Phi-3 imports it from here.
"""

# --8<-- [start:layernorm]
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    """LayerNorm (2017 Transformer): centre, scale to unit variance, then affine."""
    mean = x.mean(-1, keepdim=True)
    variance = x.var(-1, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(variance + eps) * weight + bias
# --8<-- [end:layernorm]


# --8<-- [start:rmsnorm]
class RMSNorm(torch.nn.Module):
    """Scale each vector to unit root mean square: no mean subtracted, no bias."""

    def __init__(self, hidden_size, eps=1e-5):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(hidden_size))  # learned gain
        self.eps = eps

    def forward(self, x):  # (..., hidden)
        input_dtype = x.dtype
        x = x.to(torch.float32)  # squares of bfloat16 values lose too much precision
        mean_square = x.pow(2).mean(-1, keepdim=True)  # (..., 1)
        x = x * torch.rsqrt(mean_square + self.eps)
        return self.weight * x.to(input_dtype)  # (..., hidden)
# --8<-- [end:rmsnorm]

