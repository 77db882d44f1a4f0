"""exercises_attention.py: the solutions of the attention page's exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.inside_the_block.exercises_attention as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/inside_the_block/exercises_attention.py").splitlines()


def test_tokens_per_gib_follow_from_the_bytes_per_token(snippet, printed):
    variants = snippet.attention_variants()
    assert len(printed) == len(variants) + 2
    for line, (name, config) in zip(printed, variants.items()):
        head_dim = config.hidden_size // config.num_attention_heads
        per_token = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim
        per_token *= 2  # bytes per value in bfloat16
        assert line.startswith(name)
        assert line.endswith(f"{2**30 // per_token:,} tokens per GiB of KV cache")


def test_without_the_scale_the_softmax_is_more_peaked(snippet, printed):
    scaled, unscaled = (float(line.split(" is ")[1].split()[0])
                        for line in printed[-2:])
    assert 1 / 10 < scaled < unscaled <= 1  # ten keys: a uniform row gives 1/10
