"""exercises_kv_cache.py: the solutions of "The KV cache from scratch"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.scores_to_text.exercises_kv_cache as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/scores_to_text/exercises_kv_cache.py").splitlines()


def test_the_computed_size_is_what_dynamic_cache_stores(snippet, printed):
    computed = int(printed[0].split(": ")[1].split(" bytes")[0].replace(",", ""))
    assert printed[2] == f"{computed} bytes per token in the cache"
    assert snippet.stored == 10 * computed


def test_one_key_value_head_divides_the_cache(snippet, printed):
    heads = snippet.config.num_key_value_heads
    sizes = [int(line.split(": ")[1].split(" bytes")[0].replace(",", ""))
             for line in printed[:2]]
    assert sizes[0] == heads * sizes[1]
