"""What rotary position embeddings guarantee, checked with numbers.

1. The score q·k of a rotated query and key depends on their positions only
   through the distance m - n.
2. transformers' "rotate half" layout and the paper's interleaved pairs are the
   same rotation up to a fixed permutation of the head dimensions.
"""

import torch

from snippets.inside_the_block.rotary import (
    apply_rotary,
    rotary_cos_sin,
    rotary_frequencies,
)

# --8<-- [start:relative-position]
HEAD_DIM = 96  # Phi-3-mini: 3072 / 32 heads
generator = torch.Generator().manual_seed(0)
q = torch.randn(1, 1, 1, HEAD_DIM, generator=generator)  # (batch, heads, seq, head_dim)
k = torch.randn(1, 1, 1, HEAD_DIM, generator=generator)


def rotated_score(m, n):
    """q placed at position m, k at position n, both rotated, then dotted."""
    cos_m, sin_m = rotary_cos_sin(HEAD_DIM, torch.tensor([[m]]))
    cos_n, sin_n = rotary_cos_sin(HEAD_DIM, torch.tensor([[n]]))
    q_m, _ = apply_rotary(q, q, cos_m, sin_m)
    _, k_n = apply_rotary(k, k, cos_n, sin_n)
    return (q_m * k_n).sum().item()


for m, n in [(3, 0), (10, 7), (500, 497), (2000, 1997), (3, 3), (900, 900)]:
    print(f"m={m:>4}  n={n:>4}  m-n={m - n}  q·k={rotated_score(m, n):+.3f}")
# --8<-- [end:relative-position]


# --8<-- [start:interleaved]
def apply_rotary_interleaved(x, positions, theta=10000.0):
    """The paper's layout: rotate the pairs (x0, x1), (x2, x3), ... by m * theta_i."""
    angles = positions[..., None].float() * rotary_frequencies(x.shape[-1], theta)
    cos, sin = angles.cos().unsqueeze(1), angles.sin().unsqueeze(1)  # (b, 1, seq, d/2)
    even, odd = x[..., 0::2], x[..., 1::2]
    rotated = torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1)
    return rotated.flatten(-2)  # interleave back: (batch, heads, seq, head_dim)


# Rotate-half pairs dimension i with i + 48; interleaved pairs 2i with 2i + 1.
# Sorting the dimensions as (0, 2, 4, ..., 94, 1, 3, ..., 95) maps one onto the other.
to_halves = torch.cat((torch.arange(0, HEAD_DIM, 2), torch.arange(1, HEAD_DIM, 2)))
x = torch.randn(1, 2, 5, HEAD_DIM, generator=generator)  # (batch, heads, seq, head_dim)
positions = torch.arange(5)[None]  # (batch, seq)
cos, sin = rotary_cos_sin(HEAD_DIM, positions)
halves, _ = apply_rotary(x[..., to_halves], x[..., to_halves], cos, sin)
pairs = apply_rotary_interleaved(x, positions)
print("same rotation:", torch.allclose(halves, pairs[..., to_halves], atol=1e-6))
# --8<-- [end:interleaved]

# --8<-- [start:frequencies]
theta_i = rotary_frequencies(HEAD_DIM)  # (48,) radians per position
wavelength = 2 * torch.pi / theta_i  # positions for a full turn
print(f"{len(theta_i)} frequencies: {theta_i[0]:.0f} to {theta_i[-1]:.2e} rad/token")
print(f"full turn after {wavelength[0]:.1f} to {wavelength[-1]:,.0f} tokens")
# --8<-- [end:frequencies]

LABELS = {
    "en": {"pair": "pair i", "context": "context: 4096 tokens",
           "panel": "pair {i}", "fastest": " (fastest)", "slowest": " (slowest)",
           "position": "position m"},
    "zh": {"pair": "第 i 对", "context": "上下文：4096 个词元",
           "panel": "第 {i} 对", "fastest": "（最快）", "slowest": "（最慢）",
           "position": "位置 m"},
}
PAIRS = (0, 8, 16, 47)  # from the fastest pair to the slowest of head_dim 96
POSITIONS = torch.arange(24)  # the first 24 positions of a text


def rotated_pairs():
    """Where each of PAIRS takes the vector (1, 0) at each of POSITIONS: the unit
    vector of its first dimension, rotated by the page's own `apply_rotary`.

    Returns (len(PAIRS), len(POSITIONS), 2). Rotate-half pairs dimension i with
    i + HEAD_DIM // 2."""
    cos, sin = rotary_cos_sin(HEAD_DIM, POSITIONS[None])  # (1, seq, head_dim)
    points = []
    for i in PAIRS:
        x = torch.zeros(1, 1, len(POSITIONS), HEAD_DIM)  # (batch, heads, seq, dim)
        x[..., i] = 1.0
        rotated, _ = apply_rotary(x, x, cos, sin)
        points.append(torch.stack((rotated[0, 0, :, i],
                                   rotated[0, 0, :, i + HEAD_DIM // 2]), dim=-1))
    return torch.stack(points)


def draw_rotating_pairs(language="en"):
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    figure, panels = plt.subplots(1, len(PAIRS), figsize=(8.8, 2.6))
    circle = torch.linspace(0, 2 * torch.pi, 200)
    for axes, i, points in zip(panels, PAIRS, rotated_pairs()):
        axes.plot(circle.cos(), circle.sin(), ":", color="#8c8c8c", linewidth=0.8)
        axes.plot(points[:, 0], points[:, 1], "-", color="#8c8c8c", linewidth=0.6,
                  alpha=0.6)
        dots = axes.scatter(points[:, 0], points[:, 1], c=POSITIONS, s=14,
                            cmap="viridis", zorder=3)
        title = labels["panel"].format(i=i)
        if i == PAIRS[0]:
            title += labels["fastest"]
        elif i == PAIRS[-1]:
            title += labels["slowest"]
        axes.set_title(title, fontsize=10)
        axes.set_aspect("equal")
        axes.set_xlim(-1.25, 1.25)
        axes.set_ylim(-1.25, 1.25)
        axes.set_xticks([])
        axes.set_yticks([])
    colorbar = figure.colorbar(dots, ax=list(panels), shrink=0.8)
    colorbar.set_label(labels["position"])
    return figure


def draw_frequencies(language="en"):
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    figure, axes = plt.subplots(figsize=(6.4, 3.6))
    pair = torch.arange(len(theta_i))
    axes.semilogy(pair, theta_i, "o", markersize=3, label="θᵢ = 10000^(−2i/96)")
    axes.semilogy(pair, wavelength, "s", markersize=3, label="2π / θᵢ")
    axes.axhline(4096, color="#8c8c8c", linestyle=":", label=labels["context"])
    axes.set_xlabel(labels["pair"])
    axes.legend()
    axes.grid(True, which="major", alpha=0.3)
    return figure


FIGURES = {"rope-frequencies": draw_frequencies,
           "rope-rotating-pairs": draw_rotating_pairs}
