"""exercises_batching.py: int4's intensities, and a long context's KV cache pulling a
batch's intensity back down."""

from __future__ import annotations

import pytest

from tests.helpers import chapter_facts, run_script

FACTS = chapter_facts("why_slow")


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.exercises_batching as snippet

    return snippet


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/why_slow/exercises_batching.py").splitlines()


def intensities(lines: list[str]) -> list[float]:
    return [float(line.split(": ")[1].split()[0]) for line in lines]


def test_int4_reads_a_fifth_and_three_fifths_less(printed):
    found = intensities(printed[:3])
    assert f"{found[0]:g}" == FACTS["flops_per_weight_byte_at_batch_1_int4"]
    assert found == [3.2, 12.8, 51.2]  # 2 FLOPs per 0.625 bytes, times the rows


def test_the_cache_is_each_rows_and_pulls_the_intensity_down(snippet, printed):
    from snippets.inside_the_block.kv_cache import positions_kept

    config = snippet.config
    head_dim = config.hidden_size // config.num_attention_heads
    per_token = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * 2
    assert snippet.cache_bytes == per_token * positions_kept(config, 4096)
    found = intensities(printed[3:])
    queries_per_kv_head = config.num_attention_heads // config.num_key_value_heads
    # attention: 2 FLOPs per cached element and query head, 2 bytes per element
    assert snippet.attention_flops / snippet.cache_bytes == queries_per_kv_head
    assert found == sorted(found)  # still rising: the weights are shared
    assert found[1] < 4 and found[2] < 16  # below the weights' own intensities
