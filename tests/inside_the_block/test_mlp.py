"""The from-scratch SwiGLU MLP equals transformers' Phi3MLP."""

import pytest
import torch
import torch.nn.functional as F
from transformers import Phi3Config
from transformers.models.phi3.modeling_phi3 import Phi3MLP

from snippets.inside_the_block.mlp import SwiGLUMLP
from tests.facts import real_size_phi3
from tests.helpers import run_script


def test_runs_as_a_script():
    assert run_script("snippets/inside_the_block/mlp.py") == ""


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_equals_phi3_mlp(dtype):
    torch.manual_seed(0)
    config = Phi3Config(hidden_size=48, intermediate_size=96)
    theirs = Phi3MLP(config).to(dtype)
    ours = SwiGLUMLP(48, 96).to(dtype)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 7, 48, dtype=dtype)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x))


def test_first_half_of_gate_up_proj_is_the_gate():
    torch.manual_seed(0)
    mlp = SwiGLUMLP(16, 24)
    gate_weight, up_weight = mlp.gate_up_proj.weight[:24], mlp.gate_up_proj.weight[24:]
    x = torch.randn(3, 16)
    expected = mlp.down_proj(F.silu(x @ gate_weight.T) * (x @ up_weight.T))
    torch.testing.assert_close(mlp(x), expected)
    swapped = mlp.down_proj(F.silu(x @ up_weight.T) * (x @ gate_weight.T))
    assert not torch.allclose(mlp(x), swapped)


def test_real_size_weights_have_transformers_names_and_shapes():
    theirs = real_size_phi3().model.layers[0].mlp
    config = real_size_phi3().config
    with torch.device("meta"):
        ours = SwiGLUMLP(config.hidden_size, config.intermediate_size)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in theirs.state_dict().items()}


def test_silu_dips_below_zero_on_the_negative_side_only():
    """The page: close to 0 far left, close to z far right, a minimum below 0 between."""
    z = torch.linspace(-20, 20, 400_001, dtype=torch.float64)
    silu = F.silu(z)
    assert (silu[z < 0] < 0).all() and (silu[z > 0] > 0).all()
    assert abs(silu[0].item()) < 1e-6 and abs(silu[-1].item() - 20) < 1e-6
    # The minimum is where the derivative sigma(z) * (1 + z * (1 - sigma(z))) is 0.
    at = z[silu.argmin()].clone().requires_grad_()
    F.silu(at).backward()
    assert abs(at.grad.item()) < 1e-4
    assert -0.3 < silu.min().item() < -0.25  # "dips slightly": a quarter of a unit
