"""load_model.py: Phi-3 and its tokenizer on the CPU, built-in code, checkpoint dtype."""

from __future__ import annotations

import pytest
import torch
import transformers
from transformers import AutoConfig

import snippets.preflight as preflight
from tests.helpers import run_script
from tools.paths import DOCS, TEST_DATA

PAGES = [DOCS / "model-example" / "load-and-generate.md",
         DOCS / "model-example" / "load-and-generate.zh.md"]


def test_runs_as_a_script_and_prints_nothing():
    assert run_script("snippets/model_example/load_model.py") == ""


def test_model_is_transformers_own_phi3_on_the_cpu_in_bfloat16():
    from snippets.model_example.load_model import model

    # The built-in class, not one from remote code (which would live in a
    # `transformers_modules` package created from downloaded files).
    assert type(model) is transformers.Phi3ForCausalLM
    assert type(model).__module__ == "transformers.models.phi3.modeling_phi3"
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    # dtype="auto" keeps the checkpoint's dtype (float32 would be PyTorch's default).
    assert model.dtype == torch.bfloat16 == model.config.dtype


def test_tokenizer_and_model_agree_on_special_tokens():
    from snippets.model_example.load_model import model, tokenizer

    assert tokenizer.pad_token_id == model.config.pad_token_id
    assert model.model.embed_tokens.padding_idx == tokenizer.pad_token_id


def test_pages_quote_the_message_preflight_prints(monkeypatch):
    config = AutoConfig.from_pretrained(TEST_DATA / "phi3-mini-4k-instruct.config.json")
    monkeypatch.setattr(preflight, "available_memory", lambda: preflight.GB)
    monkeypatch.delenv(preflight.SKIP_MEMORY_CHECK, raising=False)
    with pytest.raises(SystemExit) as stopped:
        preflight._check_memory("microsoft/Phi-3-mini-4k-instruct", config)
    first_clause = str(stopped.value).split(",")[0]
    assert first_clause.startswith("Not enough memory for microsoft/Phi-3-mini-4k")
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert f"`{first_clause}`" in text, page.name
        assert f"`{preflight.SKIP_MEMORY_CHECK}=1`" in text, page.name
