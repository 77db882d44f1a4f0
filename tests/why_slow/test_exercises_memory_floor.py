"""exercises_memory_floor.py: the bytes of a step counted on the meta device, and the
share of them the KV cache takes, with bfloat16 and with int4 weights."""

from __future__ import annotations

import pytest

from snippets.inside_the_block.kv_cache import positions_kept
from tests.helpers import run_script
from tools.paths import ROOT

# what the int4 recipe printed for the real Phi-3-mini: bytes per token before, after
RECORDED = ROOT / "snippets/why_slow/output/fast_generate/quantize.txt"


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.exercises_memory_floor as snippet

    return snippet


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/why_slow/exercises_memory_floor.py").splitlines()


def recorded() -> tuple[int, int]:
    line = RECORDED.read_text()  # "bytes read per token: 7,445,... -> 2,326,... (31%)"
    before, after = line.split(": ")[1].split(" (")[0].split(" -> ")
    return number(before), number(after)


def test_the_meta_model_counts_the_bytes_of_the_real_one(snippet, printed):
    assert all(p.is_meta for p in snippet.phi3.parameters())
    assert printed[0].startswith(f"{recorded()[0]:,} bytes per token")


def test_the_window_keeps_the_cache_under_a_tenth(snippet, printed):
    config, weights = snippet.config, snippet.weights
    assert snippet.kept == positions_kept(config, config.max_position_embeddings)
    tenth = round(snippet.tenth)
    cache = tenth * snippet.cache_per_token
    assert cache / (weights + cache) == pytest.approx(0.1, abs=1e-4)
    assert tenth > snippet.kept  # so the cache never reaches it
    assert printed[1].endswith(f" {tenth:,} tokens")
    assert snippet.share < 0.1 and printed[2].endswith(f"{snippet.share:.1%}")


def test_the_int4_count_is_what_the_recipe_measured(snippet, printed):
    assert snippet.int4_weights == recorded()[1]  # the page's Int4Linear buffers
    assert printed[3] == (f"int4: {recorded()[1]:,} bytes of weights, "
                          f"the cache {snippet.int4_share:.1%} of a step")
    assert snippet.int4_share > 0.2  # int4 shrinks the weights, not the cache
