"""Post-norm (2017) against pre-norm (Phi-3): the gradient of the last layer at init.

After Xiong et al. 2020, "On Layer Normalization in the Transformer Architecture":
with the norm after the residual add, the last layer's gradient does not depend on
the depth; with the norm before each sublayer it shrinks like 1 / sqrt(depth). The
blocks are small attention + feed-forward layers with Xavier initialisation, as in
the paper; both placements use the same LayerNorm so only the placement differs.
"""

# --8<-- [start:blocks]
import torch
from torch import nn

WIDTH, HEADS = 32, 4


class Block(nn.Module):
    def __init__(self, placement):
        super().__init__()
        self.placement = placement  # "post" (2017) or "pre" (Phi-3)
        self.attention = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        self.feed_forward = nn.Sequential(
            nn.Linear(WIDTH, 4 * WIDTH), nn.ReLU(), nn.Linear(4 * WIDTH, WIDTH)
        )
        self.norm_1, self.norm_2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        # Xavier for the matrices only. Biases keep PyTorch's defaults: zero in
        # attention, small uniform values in the feed-forward nn.Linear layers.
        for parameter in self.parameters():
            if parameter.dim() == 2:
                nn.init.xavier_normal_(parameter)

    def attend(self, x):
        return self.attention(x, x, x, need_weights=False)[0]

    def forward(self, x):  # (batch, seq, width)
        if self.placement == "post":  # 2017: normalise the sum
            x = self.norm_1(x + self.attend(x))
            return self.norm_2(x + self.feed_forward(x))
        x = x + self.attend(self.norm_1(x))  # Phi-3: normalise the input of each part
        return x + self.feed_forward(self.norm_2(x))
# --8<-- [end:blocks]


# --8<-- [start:experiment]
def gradients_per_block(placement, depth, seed):
    """Norm of the loss gradient on each block's second feed-forward matrix."""
    torch.manual_seed(seed)
    blocks = nn.Sequential(*(Block(placement) for _ in range(depth)))
    to_vocabulary = nn.Linear(WIDTH, 100, bias=False)  # a small "LM head"
    x = torch.randn(2, 8, WIDTH)  # (batch, seq, width)
    next_tokens = torch.randint(100, (2, 8))
    hidden = blocks(x)
    if placement == "pre":
        hidden = nn.functional.layer_norm(hidden, (WIDTH,))  # pre-norm's final norm
    logits = to_vocabulary(hidden)  # (batch, seq, vocabulary)
    loss = nn.functional.cross_entropy(logits.flatten(0, 1), next_tokens.flatten())
    loss.backward()
    return [block.feed_forward[2].weight.grad.norm().item() for block in blocks]


def last_layer_gradient(placement, depth, seed):
    return gradients_per_block(placement, depth, seed)[-1]


DEPTHS, SEEDS = [1, 2, 4, 8, 16, 32], range(4)  # average 4 random initialisations
gradients = {
    placement: [
        sum(last_layer_gradient(placement, depth, seed) for seed in SEEDS) / len(SEEDS)
        for depth in DEPTHS
    ]
    for placement in ("post", "pre")
}
for placement, norms in gradients.items():
    print(f"{placement}-norm:", " ".join(f"{norm:.2f}" for norm in norms))
# --8<-- [end:experiment]


LABELS = {
    "en": {"depth": "number of blocks L", "gradient": "‖∂loss / ∂W₂‖ (block L)"},
    "zh": {"depth": "块数 L", "gradient": "‖∂loss / ∂W₂‖（第 L 块）"},
}


def draw_gradients(language="en"):
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    figure, axes = plt.subplots(figsize=(6.4, 3.6))
    axes.loglog(DEPTHS, gradients["post"], "o-", label="x = LN(x + F(x))")
    axes.loglog(DEPTHS, gradients["pre"], "s-", label="x = x + F(LN(x))")
    reference = [gradients["pre"][0] / depth**0.5 for depth in DEPTHS]
    axes.loglog(DEPTHS, reference, ":", color="#8c8c8c", label="∝ 1/√L")
    axes.set_xticks(DEPTHS, [str(depth) for depth in DEPTHS])
    axes.set_xlabel(labels["depth"])
    axes.set_ylabel(labels["gradient"])
    axes.legend()
    axes.grid(True, which="major", alpha=0.3)
    return figure


FIGURES = {"norm-placement-gradients": draw_gradients}
