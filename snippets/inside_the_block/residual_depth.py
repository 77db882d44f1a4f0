"""Why the `x +` matters: gradients through 32 pre-norm blocks, with and without it.

Each block is a Phi-3 MLP behind an RMSNorm (Phi-3's arithmetic) at a small width,
initialised with the weight scale Phi-3's initialisation has at its real width. We
backpropagate one loss and look at the gradient that reaches each block's `down_proj`
weight. It runs in float64: without the residual the gradient grows about half at
every block on the way back, and so does every rounding error. In float32 the first
blocks' gradients would move by tens of percent from one CPU to another (other
kernels round differently); in float64 the experiment gives the same numbers on all.
"""

# --8<-- [start:experiment]
import torch
from transformers import Phi3Config
from transformers.models.phi3.modeling_phi3 import Phi3MLP

WIDTH, DEPTH = 64, 32  # Phi-3-mini has 32 layers too (of width 3072)
# float64: without the residual every rounding error grows with the gradient, and in
# float32 the first layers would come out tens of percent apart on another CPU.
# torch.nn.RMSNorm is Phi3RMSNorm's arithmetic in float64 (Phi3RMSNorm uses float32).
DTYPE = torch.float64
small_config = Phi3Config(hidden_size=WIDTH, intermediate_size=2 * WIDTH)
# Phi-3 draws weights with std 0.02 at width 3072; the same gain per matrix at width
# 64 needs a larger std (a matrix's gain grows with std * sqrt(width)).
INIT_STD = 0.02 * (3072 / WIDTH) ** 0.5


class PreNormBlock(torch.nn.Module):
    def __init__(self, residual):
        super().__init__()
        self.residual = residual
        self.norm = torch.nn.RMSNorm(WIDTH, eps=1e-5, dtype=DTYPE)
        self.mlp = Phi3MLP(small_config).to(DTYPE)
        for weight in self.mlp.parameters():
            torch.nn.init.normal_(weight, std=INIT_STD)

    def forward(self, x):  # (batch, seq, width)
        update = self.mlp(self.norm(x))
        return x + update if self.residual else update


def gradient_per_layer(residual, depth=DEPTH, seed=0):
    """Norm of d(loss)/d(down_proj.weight) in each block, first block first."""
    torch.manual_seed(seed)
    blocks = torch.nn.Sequential(*(PreNormBlock(residual) for _ in range(depth)))
    final_norm = torch.nn.RMSNorm(WIDTH, eps=1e-5, dtype=DTYPE)
    x = torch.randn(4, 8, WIDTH, dtype=DTYPE)  # (batch, seq, width)
    target = torch.randn(4, 8, WIDTH, dtype=DTYPE)
    loss = (final_norm(blocks(x)) - target).pow(2).mean()
    loss.backward()
    return [block.mlp.down_proj.weight.grad.norm().item() for block in blocks]


with_residual = gradient_per_layer(residual=True)
without_residual = gradient_per_layer(residual=False)
results = {"x + f(norm(x))": with_residual, "f(norm(x))": without_residual}
for name, norms in results.items():
    print(f"{name:>15}: largest / smallest over the layers "
          f"{max(norms) / min(norms):.0e}")
# --8<-- [end:experiment]


LABELS = {
    "en": {"layer": "layer"},
    "zh": {"layer": "层"},
}


def draw_gradients(language="en"):
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    figure, axes = plt.subplots(figsize=(6.4, 3.6))
    layers = range(1, DEPTH + 1)
    axes.semilogy(layers, with_residual, "o-", markersize=3, label="x + f(norm(x))")
    axes.semilogy(layers, without_residual, "s-", markersize=3, label="f(norm(x))")
    axes.set_xlabel(labels["layer"])
    axes.set_ylabel("‖∂loss / ∂W_down‖")
    axes.legend()
    axes.grid(True, which="major", alpha=0.3)
    return figure


FIGURES = {"residual-gradients": draw_gradients}
