"""Keep a linear layer's weight as int8: half the bytes of bfloat16 to read per token.

On a CPU, producing one token reads every weight matrix once, so the time per token
is bounded by memory bandwidth. Storing the matrices as int8 (one byte per weight,
plus one scale per output row) halves the bytes compared with bfloat16.
"""

# --8<-- [start:bytes-per-token]
import torch


def bytes_per_token(model: torch.nn.Module) -> int:
    """Bytes of weights read to produce one token: all but the embedding table,
    of which only the token's own row is read."""
    tensors = [*model.named_parameters(), *model.named_buffers()]
    return sum(t.nbytes for name, t in tensors if "embed_tokens" not in name)
# --8<-- [end:bytes-per-token]


# --8<-- [start:int8-linear]
import torch


class Int8Linear(torch.nn.Module):
    """A bias-free nn.Linear whose weight is kept as int8 with one scale per row."""

    def __init__(self, linear: torch.nn.Linear):
        super().__init__()
        weight = linear.weight.detach()  # (out_features, in_features)
        scale = weight.float().abs().amax(dim=1).clamp(min=1e-12) / 127  # (1)!
        quantized = torch.round(weight.float() / scale[:, None]).to(torch.int8)
        self.register_buffer("weight_int8", quantized)  # (out_features, in_features)
        self.register_buffer("scale", scale.to(weight.dtype))  # (out_features,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.reshape(-1, x.shape[-1])  # (batch * seq, in_features)
        # One fused kernel reads the int8 weight and scales each output column:
        # no bfloat16 copy of the weight is ever made.
        out = torch._weight_int8pack_mm(rows, self.weight_int8, self.scale)
        return out.reshape(*x.shape[:-1], -1)  # (batch, seq, out_features)


def quantize_linears(module: torch.nn.Module, quantized=Int8Linear) -> None:
    """Replace each bias-free nn.Linear in `module` by quantized(linear), in place."""
    for name, child in module.named_children():
        if isinstance(child, torch.nn.Linear) and child.bias is None:
            setattr(module, name, quantized(child))  # the bf16 weight is freed
        else:
            quantize_linears(child, quantized)
# --8<-- [end:int8-linear]


if __name__ == "__main__":
    linear = torch.nn.Linear(3072, 8192, bias=False, dtype=torch.bfloat16)
    x = torch.randn(1, 1, 3072, dtype=torch.bfloat16)  # (batch, seq, hidden)
    int8_linear = Int8Linear(linear)
    error = (int8_linear(x) - linear(x)).float().norm() / linear(x).float().norm()
    print(f"relative error of the int8 output: {error:.4f}")
