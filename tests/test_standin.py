"""The offline stand-in is faithful to Phi-3-mini where it matters, and deterministic."""

from __future__ import annotations

import re

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from tests.facts import real_size_phi3
from tools import hfcache

pytestmark = pytest.mark.standin


@pytest.fixture(scope="module")
def standin():
    return AutoModelForCausalLM.from_pretrained(hfcache.MINI_ID, device_map="cpu", dtype="auto")


def layer_agnostic(names):
    return {re.sub(r"layers\.\d+", "layers.N", name) for name in names}


def test_same_class_and_module_names_as_the_real_model(standin):
    real = real_size_phi3()
    assert type(standin) is type(real)
    assert layer_agnostic(n for n, _ in standin.named_modules()) == layer_agnostic(
        n for n, _ in real.named_modules()
    )
    assert layer_agnostic(standin.state_dict()) == layer_agnostic(real.state_dict())


def test_same_vocabulary_special_ids_and_dtype(standin):
    real = real_size_phi3().config
    config = standin.config
    for key in ("vocab_size", "bos_token_id", "eos_token_id", "pad_token_id",
                "max_position_embeddings", "sliding_window", "rms_norm_eps",
                "tie_word_embeddings", "hidden_act"):
        assert getattr(config, key) == getattr(real, key), key
    assert config.rope_parameters == real.rope_parameters
    assert standin.dtype == torch.bfloat16 == real.dtype


def test_tiny_sizes(standin):
    for key, value in hfcache.STANDIN_SIZES.items():
        assert getattr(standin.config, key) == value
    assert sum(p.numel() for p in standin.parameters()) < 5_000_000


def test_no_remote_code_in_the_cache():
    config = AutoConfig.from_pretrained(hfcache.MINI_ID)
    assert not getattr(config, "auto_map", None)


def test_building_twice_gives_identical_weights(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        hfcache._save_standin_model(folder)
    assert (first / "model.safetensors").read_bytes() == (
        second / "model.safetensors"
    ).read_bytes()


def test_greedy_generation_is_deterministic(standin):
    ids = torch.tensor([[450, 7483, 310, 3444, 338]])
    runs = [standin.generate(ids, max_new_tokens=8, do_sample=False) for _ in range(2)]
    assert torch.equal(*runs)


def test_pytest_header_names_the_mode():
    import conftest

    header = "\n".join(conftest.pytest_report_header(None))
    assert "offline stand-in Phi3ForCausalLM" in header
    assert ("real Phi-3 tokenizer" in header) == (hfcache.real_tokenizer_dir() is not None)
