"""run_from_scratch.py: the stand-in's weights give the same logits and tokens."""

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from tests.helpers import run_script


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/inside_the_block/run_from_scratch.py")


def test_every_tensor_loads(printed):
    config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
    with torch.device("meta"):
        reference = AutoModelForCausalLM.from_config(config)
    # embedding, 6 tensors per layer, final norm, lm_head
    tensors = 1 + 6 * config.num_hidden_layers + 2
    assert printed.startswith(
        f"{tensors} tensors loaded, {reference.num_parameters():,} parameters\n")
    qkv_shape = tuple(reference.model.layers[0].self_attn.qkv_proj.weight.shape)
    assert f"  model.layers.0.self_attn.qkv_proj.weight {qkv_shape}" in printed


def test_logits_and_tokens_equal_transformers(printed):
    # each line is printed after the assertion that checks it
    assert "same logits as transformers: (1, 5, 32064)" in printed
    assert "same tokens as model.generate:" in printed


@pytest.mark.real_model
def test_real_model_continues_with_paris(printed):
    assert printed.rstrip().endswith("3681 Paris")
