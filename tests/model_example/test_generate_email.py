"""generate_email.py: a greedy pipeline that returns 50 new tokens and not the prompt."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script
from tools.paths import DOCS, SNIPPETS

RECORDED = SNIPPETS / "model_example" / "output" / "generate_email" / "generate.real.txt"


@pytest.fixture(scope="module")
def snippet():
    import snippets.model_example.generate_email as snippet

    return snippet


def test_script_prints_dtype_size_and_the_generated_text(snippet):
    printed = run_script("snippets/model_example/generate_email.py")
    model = snippet.model
    gigabytes = model.get_memory_footprint() / 1e9
    assert printed.startswith(
        "torch.bfloat16\n"
        f"{model.num_parameters():,} parameters\n"
        f"{gigabytes:.1f} GB of weights\n"
    )
    # Greedy decoding: a second run prints the same text.
    assert printed.endswith(snippet.output[0]["generated_text"] + "\n")


def test_memory_footprint_is_two_bytes_per_parameter(snippet):
    model = snippet.model
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    assert weights == 2 * model.num_parameters()
    buffers = sum(b.numel() * b.element_size() for b in model.buffers())
    assert model.get_memory_footprint() == weights + buffers


def test_pipeline_settings(snippet):
    # What pipeline(...) passes on to generate() for every call.
    assert snippet.generator._generate_kwargs == {"do_sample": False, "max_new_tokens": 50}


def test_generated_text_is_the_greedy_continuation_without_the_prompt(snippet):
    model, tokenizer = snippet.model, snippet.tokenizer
    text = snippet.output[0]["generated_text"]
    assert isinstance(text, str) and text
    assert not text.startswith(snippet.prompt)
    # Greedy by hand: the highest-scoring token, 50 times (or until an end token).
    ids = tokenizer(snippet.prompt, return_tensors="pt").input_ids
    prompt_length = ids.shape[1]
    stop = set(model.generation_config.eos_token_id)
    past = None
    next_ids = ids
    with torch.no_grad():
        for _ in range(50):
            out = model(next_ids, past_key_values=past, use_cache=True)
            past = out.past_key_values
            next_id = out.logits[0, -1].argmax()
            ids = torch.cat([ids, next_id.view(1, 1)], dim=1)
            if next_id.item() in stop:
                break
            next_ids = next_id.view(1, 1)
    new_ids = ids[0, prompt_length:]
    assert len(new_ids) == 50 or new_ids[-1].item() in stop
    assert tokenizer.decode(new_ids, skip_special_tokens=True).strip() == text.strip()


@pytest.mark.real_tokenizer
def test_apologies_is_two_tokens(snippet):
    """The page explains the cut-off mid-word with this split."""
    tokens = snippet.tokenizer.tokenize("apologies")
    assert tokens == ["▁ap", "ologies"]
    for page in ("load-and-generate.md", "load-and-generate.zh.md"):
        text = (DOCS / "model-example" / page).read_text(encoding="utf-8")
        assert "`▁ap`" in text and "`ologies`" in text


@pytest.mark.real_model
def test_real_model_writes_the_recorded_email(snippet):
    recorded = RECORDED.read_text(encoding="utf-8")
    # Recorded from a lesson's transcript that lost some whitespace: as the page says,
    # the words must match, the whitespace may differ.
    assert snippet.output[0]["generated_text"].split() == recorded.split()
    assert recorded.rstrip().endswith("my deepest ap")  # cut by max_new_tokens


@pytest.mark.real_tokenizer
def test_the_recording_lost_whitespace_the_page_says_so(snippet):
    """50 new tokens were generated; the transcript's text re-tokenizes to fewer."""
    recorded = RECORDED.read_text(encoding="utf-8").rstrip()
    tokens = len(snippet.tokenizer(recorded, add_special_tokens=False).input_ids)
    assert tokens < snippet.generator._generate_kwargs["max_new_tokens"]
    # Where the transcript keeps a single line break, the model may have written two.
    assert "\n\n" in recorded and "Dear Sarah,\nI hope" in recorded
