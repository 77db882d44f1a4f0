"""exercises_memory_floor.py: the bytes of a step counted on the meta device, and the
share of them the KV cache takes, with bfloat16 and with int4 weights.

Under the tests the config is the stand-in's; the page shows the real size, computed
by `make update-examples`, and its int4 count is checked here against what the int4
recipe printed for the real Phi-3-mini.
"""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM

from snippets.inside_the_block.kv_cache import positions_kept
from snippets.why_slow.int4_linear import Int4Linear
from snippets.why_slow.int8_linear import bytes_per_token, quantize_linears
from tests.helpers import run_script
from tools.paths import ROOT

OUTPUT = ROOT / "snippets/why_slow/output"


def numbers(text: str) -> list[int]:
    """The integers with thousands separators in a printed line."""
    return [int(word.replace(",", "")) for word in text.replace(":", " ").split()
            if "," in word and word.replace(",", "").isdigit()]


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.exercises_memory_floor as snippet

    return snippet


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/why_slow/exercises_memory_floor.py").splitlines()


def test_the_meta_model_counts_every_byte_but_the_embedding(snippet, printed):
    phi3 = snippet.phi3
    assert all(p.is_meta for p in phi3.parameters())
    embedding = phi3.model.embed_tokens.weight.nbytes
    everything = sum(t.nbytes for t in [*phi3.parameters(), *phi3.buffers()])
    assert snippet.weights == everything - embedding
    assert printed[0].startswith(f"{snippet.weights:,} bytes per token")


def test_the_window_keeps_the_cache_under_a_tenth_or_not(snippet, printed):
    config, weights = snippet.config, snippet.weights
    assert snippet.kept == positions_kept(config, config.max_position_embeddings)
    tenth = round(snippet.tenth)
    cache = tenth * snippet.cache_per_token
    assert cache / (weights + cache) == pytest.approx(0.1, abs=1e-3)
    assert printed[1].endswith(f" {tenth:,} tokens")
    assert (snippet.share < 0.1) == (snippet.kept < snippet.tenth)
    assert printed[2].endswith(f"{snippet.share:.1%}")


def test_the_int4_count_is_what_int4_linear_stores(snippet, printed):
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(snippet.config, dtype=torch.bfloat16)
    quantize_linears(model, Int4Linear)  # real (small) weights: the real buffers
    assert snippet.int4_weights == bytes_per_token(model)
    assert printed[3] == (f"int4: {snippet.int4_weights:,} bytes of weights, "
                          f"the cache {snippet.int4_share:.1%} of a step")


def test_the_page_s_counts_are_what_the_recipe_printed_for_phi3_mini():
    recorded = numbers((OUTPUT / "fast_generate/quantize.txt").read_text())
    meta = numbers((OUTPUT / "exercises_memory_floor/meta.txt").read_text())
    int4 = numbers((OUTPUT / "exercises_memory_floor/int4-share.txt").read_text())
    assert recorded == meta + int4  # bf16 bytes -> int4 bytes, the same numbers
