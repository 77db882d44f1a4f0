"""The from-scratch norms equal PyTorch's LayerNorm and transformers' Phi3RMSNorm."""

import pytest
import torch
from transformers.models.phi3.modeling_phi3 import Phi3RMSNorm

from snippets.inside_the_block.rmsnorm import RMSNorm, layer_norm
from tests.helpers import run_script


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_rmsnorm_equals_phi3_rmsnorm(dtype):
    torch.manual_seed(0)
    hidden = 96
    ours, theirs = RMSNorm(hidden, eps=1e-5), Phi3RMSNorm(hidden, eps=1e-5)
    with torch.no_grad():
        theirs.weight.copy_(torch.randn(hidden) * 0.5 + 1)
    ours.load_state_dict(theirs.state_dict())  # same parameter names, one to one
    x = (torch.randn(2, 7, hidden) * 3 + 1).to(dtype)
    ours, theirs = ours.to(dtype), theirs.to(dtype)
    torch.testing.assert_close(ours(x), theirs(x), rtol=0, atol=0)
    assert ours(x).dtype == dtype


def test_rmsnorm_state_dict_keys_match():
    assert RMSNorm(8).state_dict().keys() == Phi3RMSNorm(8).state_dict().keys()


def test_rmsnorm_output_has_unit_root_mean_square():
    x = torch.randn(4, 64) * 10 + 3
    y = RMSNorm(64)(x)
    torch.testing.assert_close(y.pow(2).mean(-1), torch.ones(4), rtol=1e-4, atol=1e-4)


def test_layer_norm_equals_torch_layernorm():
    torch.manual_seed(0)
    reference = torch.nn.LayerNorm(32, eps=1e-5)
    with torch.no_grad():
        reference.weight.normal_()
        reference.bias.normal_()
    x = torch.randn(3, 5, 32) * 4 - 2
    ours = layer_norm(x, reference.weight, reference.bias, eps=1e-5)
    torch.testing.assert_close(ours, reference(x))


def test_runs_as_a_script():
    run_script("snippets/inside_the_block/rmsnorm.py")
