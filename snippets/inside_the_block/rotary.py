"""Rotary position embeddings (RoPE) from scratch, as Phi-3 applies them.

`rotary_cos_sin` gives the same tensors as transformers' `Phi3RotaryEmbedding`, and
`apply_rotary` the same rotated queries and keys as its `apply_rotary_pos_emb`
(the "rotate half" layout). The chapter's from-scratch Phi-3 imports both from here.
"""

# --8<-- [start:frequencies]
import torch


def rotary_frequencies(head_dim, theta=10000.0):
    """theta_i = theta ** (-2i / head_dim): one angle per pair of dimensions."""
    exponents = torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim
    return 1.0 / theta**exponents  # (head_dim // 2,)
# --8<-- [end:frequencies]


# --8<-- [start:cos-sin]
def rotary_cos_sin(head_dim, positions, theta=10000.0):
    """cos and sin of the angle m * theta_i for every position m."""
    angles = positions[..., None].float() * rotary_frequencies(head_dim, theta)
    # Rotate-half layout: dimension j is paired with j + head_dim // 2, so both
    # halves use the same angles.
    angles = torch.cat((angles, angles), dim=-1)  # (..., seq, head_dim)
    return angles.cos(), angles.sin()
# --8<-- [end:cos-sin]


# --8<-- [start:apply]
def rotate_half(x):
    """(x1, x2) -> (-x2, x1) for the two halves of the last dimension."""
    first, second = x.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)


def apply_rotary(q, k, cos, sin):
    """Rotate queries and keys (batch, heads, seq, head_dim) by their positions."""
    cos = cos.unsqueeze(1).to(q.dtype)  # (batch, 1, seq, head_dim): same for every head
    sin = sin.unsqueeze(1).to(q.dtype)
    q_rotated = q * cos + rotate_half(q) * sin
    k_rotated = k * cos + rotate_half(k) * sin
    return q_rotated, k_rotated
# --8<-- [end:apply]
