"""roofline.py: FLOPs per byte of weights at each batch size, counted on the meta
device; bfloat16's 2 bytes per weight give the batch size itself."""

from __future__ import annotations

import pytest

from tests.helpers import chapter_facts, run_script

FACTS = chapter_facts("why_slow")


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.roofline as snippet

    return snippet


def test_every_matrix_is_counted_once(snippet):
    config = snippet.config
    layer = config.hidden_size * (
        (config.num_attention_heads + 2 * config.num_key_value_heads)
        * config.hidden_size // config.num_attention_heads  # qkv_proj
        + config.hidden_size  # o_proj
        + 3 * config.intermediate_size)  # gate_up_proj, down_proj
    head = config.vocab_size * config.hidden_size
    assert snippet.weights == config.num_hidden_layers * layer + head
    assert snippet.weight_bytes == 2 * snippet.weights


def test_the_intensities_are_the_pages(snippet):
    printed = run_script("snippets/why_slow/roofline.py").splitlines()
    found = [float(line.split(": ")[1].split()[0]) for line in printed]
    assert found == [1.0, 4.0, 16.0]
    for batch_size, value in zip(("1", "4", "16"), found):
        assert FACTS[f"flops_per_weight_byte_at_batch_{batch_size}_bf16"] == f"{value:g}"
