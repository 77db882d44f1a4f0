"""fast_generate.py: the first chapter's pipeline on int4 matrices."""

from __future__ import annotations

import re

import pytest
import torch

from snippets.why_slow.int4_linear import Int4Linear
from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.fast_generate as snippet

    return snippet


def test_every_linear_layer_is_int4(snippet):
    modules = list(snippet.model.modules())
    assert not any(isinstance(m, torch.nn.Linear) for m in modules)
    assert sum(isinstance(m, Int4Linear) for m in modules) == (
        4 * snippet.model.config.num_hidden_layers + 1)


def test_bytes_read_per_token_are_under_a_third(snippet):
    assert 0.30 < snippet.after / snippet.before < 0.33


def test_same_pipeline_settings_as_the_first_chapter(snippet):
    import snippets.model_example.generate_email as walkthrough

    assert snippet.generator._generate_kwargs == walkthrough.generator._generate_kwargs
    assert snippet.prompt == walkthrough.prompt


def test_logits_stay_close_to_the_bf16_model(snippet):
    from transformers import AutoModelForCausalLM

    reference = AutoModelForCausalLM.from_pretrained(snippet.MODEL_ID, dtype="auto")
    ids = snippet.tokenizer(snippet.prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        quantized = snippet.model(ids).logits.float()  # (batch, seq, vocab)
        original = reference(ids).logits.float()
    error = (quantized - original).norm() / original.norm()
    assert error < 0.2  # measured 0.12 on the random stand-in (int8: 0.01)


def test_script_prints_the_bytes_and_the_text(snippet):
    printed = run_script("snippets/why_slow/fast_generate.py")
    match = re.match(r"bytes read per token: ([\d,]+) -> ([\d,]+) \((\d+)%\)\n", printed)
    assert match, printed[:300]
    before, after = (int(group.replace(",", "")) for group in match.groups()[:2])
    assert (before, after) == (snippet.before, snippet.after)
    assert printed.endswith(snippet.output[0]["generated_text"] + "\n")
