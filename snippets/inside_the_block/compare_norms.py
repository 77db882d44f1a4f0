"""The from-scratch norms against the library ones: same numbers, same parameters."""

from snippets.inside_the_block.rmsnorm import RMSNorm, layer_norm

# --8<-- [start:compare]
import torch
from transformers.models.phi3.modeling_phi3 import Phi3RMSNorm

torch.manual_seed(0)
phi3_norm = Phi3RMSNorm(3072, eps=1e-5)  # Phi-3-mini's width and eps
with torch.no_grad():
    phi3_norm.weight.normal_(mean=1.0, std=0.1)  # a gain that is not all ones
our_norm = RMSNorm(3072, eps=1e-5)
our_norm.load_state_dict(phi3_norm.state_dict())  # same names: loads one to one

x = torch.randn(2, 5, 3072, dtype=torch.bfloat16) * 4 + 1  # (batch, seq, hidden)
print("RMSNorm == Phi3RMSNorm:",
      torch.equal(our_norm.bfloat16()(x), phi3_norm.bfloat16()(x)))

torch_layer_norm = torch.nn.LayerNorm(3072)
with torch.no_grad():
    print("layer_norm == nn.LayerNorm:", torch.allclose(
        layer_norm(x.float(), torch_layer_norm.weight, torch_layer_norm.bias),
        torch_layer_norm(x.float()), atol=1e-5))
# --8<-- [end:compare]
