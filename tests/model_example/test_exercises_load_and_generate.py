"""exercises_load_and_generate.py: the solutions of "Load and generate"'s exercises."""

from __future__ import annotations

import pytest
from transformers import set_seed

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.model_example.exercises_load_and_generate as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/model_example/exercises_load_and_generate.py")


def test_float32_is_four_bytes_a_parameter(snippet, printed):
    model = snippet.model
    bf16_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    assert printed.startswith(f"{2 * bf16_bytes / 1e9:.1f} GB in float32\n")


def test_the_bound_divides_the_weights_read_by_the_bandwidth(snippet, printed):
    model = snippet.model
    embedding = model.model.embed_tokens.weight
    read = (model.get_memory_footprint(return_buffers=False)
            - embedding.numel() * embedding.element_size())
    assert snippet.read_per_token == read
    assert snippet.bandwidth == 89.6e9  # two DDR5-5600 channels (the page's peak)
    assert f"at least {read / 89.6e9:.2f} s per token" in printed.splitlines()[1]


def test_the_same_seed_samples_the_same_email(snippet, printed):
    set_seed(1)
    again = snippet.generator(snippet.prompt, do_sample=True, temperature=0.7)
    assert printed.endswith(again[0]["generated_text"] + "\n")
    assert snippet.sampled[0]["generated_text"] == again[0]["generated_text"]
