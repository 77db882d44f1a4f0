"""Phi-3's MLP sizes, the from-scratch SwiGLU checked against transformers, and the
MLP's parameters next to the 2017 Transformer's."""

import torch

from snippets.inside_the_block.mlp import SwiGLUMLP

# --8<-- [start:sizes]
from transformers import AutoConfig

config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
print(f"gate_up_proj: {config.hidden_size} -> 2 x {config.intermediate_size}"
      f" = {2 * config.intermediate_size}")
print(f"down_proj:    {config.intermediate_size} -> {config.hidden_size}")
print(f"activation:   {config.hidden_act}")
# --8<-- [end:sizes]

# --8<-- [start:compare]
from transformers import Phi3Config
from transformers.models.phi3.modeling_phi3 import Phi3MLP

torch.manual_seed(0)
tiny = Phi3Config(hidden_size=64, intermediate_size=160)  # random weights
theirs = Phi3MLP(tiny)
ours = SwiGLUMLP(tiny.hidden_size, tiny.intermediate_size)
ours.load_state_dict(theirs.state_dict())  # same names, same shapes

x = torch.randn(2, 5, tiny.hidden_size)  # (batch, seq, hidden)
with torch.no_grad():
    torch.testing.assert_close(ours(x), theirs(x))
print("same output as Phi3MLP")
# --8<-- [end:compare]


# --8<-- [start:parameters]
def count_parameters(module):
    return sum(parameter.numel() for parameter in module.parameters())


with torch.device("meta"):  # shapes only: nothing is allocated
    phi3_mlp = SwiGLUMLP(config.hidden_size, config.intermediate_size)
    # Transformer-base (2017): d_model 512, d_ff 2048, ReLU, biases
    mlp_2017 = torch.nn.Sequential(
        torch.nn.Linear(512, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 512))
    # A ReLU MLP of the classic width 4 x hidden for Phi-3's hidden size
    relu_4x = torch.nn.Sequential(
        torch.nn.Linear(config.hidden_size, 4 * config.hidden_size, bias=False),
        torch.nn.ReLU(),
        torch.nn.Linear(4 * config.hidden_size, config.hidden_size, bias=False),
    )
print(f"Phi-3 SwiGLU MLP, one layer:    {count_parameters(phi3_mlp):>12,}")
print(f"  x {config.num_hidden_layers} layers:"
      f"{config.num_hidden_layers * count_parameters(phi3_mlp):>29,}")
print(f"ReLU MLP, 4 x hidden wide:      {count_parameters(relu_4x):>12,}")
print(f"Transformer-base MLP (2017):    {count_parameters(mlp_2017):>12,}")
# --8<-- [end:parameters]
