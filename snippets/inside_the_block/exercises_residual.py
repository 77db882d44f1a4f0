"""Solutions to the exercises of "Residual connections"."""

from snippets.inside_the_block.residual_depth import (
    DTYPE,
    WIDTH,
    PreNormBlock,
    gradient_per_layer,
)

# --8<-- [start:depth]
for depth in (8, 16, 32, 64):
    spreads = []
    for residual in (True, False):
        norms = gradient_per_layer(residual, depth=depth)
        spreads.append(max(norms) / min(norms))
    print(f"{depth:>2} blocks: largest / smallest {spreads[0]:.0e} with the x +, "
          f"{spreads[1]:.0e} without")
# --8<-- [end:depth]

# --8<-- [start:one-step]
import copy

import torch

torch.manual_seed(0)
stack = torch.nn.Sequential(*(PreNormBlock(residual=True) for _ in range(4)))
inputs = torch.randn(4, 8, WIDTH, dtype=DTYPE)  # (batch, seq, width)
targets = torch.randn(4, 8, WIDTH, dtype=DTYPE)


def loss_of(network):
    return (network(inputs) - targets).pow(2).mean()  # how far from the targets


for learning_rate in (0.01, 0.1, 10.0):
    network = copy.deepcopy(stack)  # the same starting weights every time
    loss = loss_of(network)
    loss.backward()  # every weight's .grad: how the loss changes as it moves
    with torch.no_grad():
        for weight in network.parameters():
            weight -= learning_rate * weight.grad  # one step against the gradient
        after = loss_of(network)
    print(f"learning rate {learning_rate:>5}: loss {loss:.4f} -> {after:.4f}")
# --8<-- [end:one-step]
