"""run_from_scratch.py: the stand-in's weights give the same logits and tokens."""

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/inside_the_block/run_from_scratch.py")


def test_every_tensor_loads(printed):
    # stand-in: 2 layers x 6 tensors + embedding + final norm + lm_head
    assert printed.startswith("15 tensors loaded, 4,186,432 parameters\n")
    assert "  model.layers.0.self_attn.qkv_proj.weight (192, 64)" in printed


def test_logits_and_tokens_equal_transformers(printed):
    # each line is printed after the assertion that checks it
    assert "same logits as transformers: (1, 5, 32064)" in printed
    assert "same tokens as model.generate:" in printed


@pytest.mark.real_model
def test_real_model_continues_with_paris(printed):
    assert printed.rstrip().endswith("3681 Paris")
