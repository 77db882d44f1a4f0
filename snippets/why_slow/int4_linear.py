"""Keep a linear layer's weight as int4: a quarter of the bytes of bfloat16 per token.

Each row of the weight is cut into groups of GROUP_SIZE consecutive weights; every
group gets its own scale and offset, so that its smallest weight maps to 0 and its
largest to 15. Two weights share one byte, plus the groups' scales and offsets.
"""

# --8<-- [start:int4-linear]
import torch

# Weights per step and offset. Groups of 128 read 15 % fewer bytes and cost a little
# more in predictions (measured on the tiny model), but in the benchmark's rounds the
# kernel was not reliably faster with them (their times overlap). 32 is also the
# block of ONNX Runtime's int4 builder and of llama.cpp's Q4_0, so the chapter
# compares the three formats at one block size.
GROUP_SIZE = 32


class Int4Linear(torch.nn.Module):
    """A bias-free nn.Linear whose weight is kept as int4, group by group."""

    def __init__(self, linear: torch.nn.Linear, group_size: int = GROUP_SIZE):
        super().__init__()
        weight = linear.weight.detach().float()  # (out_features, in_features)
        out_features, in_features = weight.shape
        groups = weight.reshape(out_features, in_features // group_size, group_size)
        low = groups.amin(dim=2, keepdim=True)  # (out, groups, 1)
        step = (groups.amax(dim=2, keepdim=True) - low).clamp(min=1e-12) / 15
        quantized = torch.round((groups - low) / step).clamp(0, 15)  # 0 ... 15
        offset = low + 8 * step  # (1)!
        packed = torch._convert_weight_to_int4pack_for_cpu(
            quantized.reshape(out_features, in_features).to(torch.int32), 1)
        step_and_offset = torch.cat([step, offset], dim=2).transpose(0, 1)
        self.group_size = group_size
        self.register_buffer("weight_int4", packed)  # (out_features, in_features / 2)
        self.register_buffer(  # (groups, out_features, 2)
            "step_and_offset", step_and_offset.contiguous().to(linear.weight.dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.reshape(-1, x.shape[-1])  # (batch * seq, in_features)
        out = torch._weight_int4pack_mm_for_cpu(
            rows, self.weight_int4, self.group_size, self.step_and_offset)
        return out.reshape(*x.shape[:-1], -1)  # (batch, seq, out_features)
# --8<-- [end:int4-linear]


if __name__ == "__main__":
    linear = torch.nn.Linear(3072, 8192, bias=False, dtype=torch.bfloat16)
    x = torch.randn(1, 1, 3072, dtype=torch.bfloat16)  # (batch, seq, hidden)
    int4_linear = Int4Linear(linear)
    error = (int4_linear(x) - linear(x)).float().norm() / linear(x).float().norm()
    print(f"relative error of the int4 output: {error:.4f}")
