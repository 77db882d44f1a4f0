"""exercises_batching.py: int4's intensities, and a long context's KV cache pulling a
batch's intensity back down."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_script
from tools.paths import ROOT

FACTS = json.loads((ROOT / "tests/why_slow/facts.json").read_text())["facts"]


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


def test_the_cache_is_the_pages_and_pulls_the_intensity_down(snippet, printed):
    gb = 16 * snippet.cache_bytes / 1000**3
    assert f"{gb:.1f}" == FACTS["kv_cache_read_per_step_at_batch_16_4k_context_gb"]
    found = intensities(printed[3:])
    assert found[0] == pytest.approx(1.0, abs=0.05)  # attention: 1 FLOP per byte too
    assert found[1] < 4 and found[2] < 16 / 2  # the cache grows with the rows
    assert found == sorted(found)  # still rising: the weights are shared
