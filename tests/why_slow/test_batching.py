"""bench/batching.py and its report: decode steps at several batch sizes.

A benchmark, not a test of speed: nothing here asserts a time. The quick mode runs
the real code path (its own process, as `make bench` runs it) on a tiny model.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from bench import batching, report
from tools.paths import ROOT


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    result = tmp_path_factory.mktemp("batching") / "batching.json"
    subprocess.run([sys.executable, "-m", "bench.batching", "--quick", "--result",
                    str(result)], cwd=ROOT, check=True, capture_output=True, text=True,
                   timeout=900)
    return json.loads(result.read_text())


def test_quick_run_measures_every_batch_size(quick):
    assert report.validate_batching(quick) == []
    assert [b["batch_size"] for b in quick["batches"]] == list(batching.BATCH_SIZES)
    for batch in quick["batches"]:
        assert len(batch["s_per_step_samples"]) == batching.QUICK_STEPS
        assert batch["s_per_step"] > 0 and batch["prefill_s"] > 0
        assert batch["tokens_per_s"] == pytest.approx(
            batch["batch_size"] / batch["s_per_step"])
        assert batch["cache_tokens_per_row"] == (
            quick["prompt_tokens"] + batching.WARMUP_STEPS + batching.QUICK_STEPS)
    assert quick["peak_matmul_flops"] > 0
    # bfloat16: two bytes per weight, plus the small float32 buffers of the
    # rotary embedding
    weights, nbytes = quick["weights_per_step"], quick["weight_bytes_per_step"]
    assert 2 * weights < nbytes < 2.001 * weights


def test_intensity_is_two_flops_per_weight_and_row():
    data = {"weights_per_step": 1000, "weight_bytes_per_step": 2000}
    assert report.arithmetic_intensity(data, 1) == 1  # bfloat16
    assert report.arithmetic_intensity(data, 16) == 16
    int4 = {"weights_per_step": 1000, "weight_bytes_per_step": 625}
    assert report.arithmetic_intensity(int4, 1) == pytest.approx(3.2)


def test_committed_results_hold_the_batch_sizes_and_the_page_tables():
    data = report.load()  # validates the "batching" part too
    measured = data["batching"]
    assert [b["batch_size"] for b in measured["batches"]] == list(batching.BATCH_SIZES)
    assert measured["timed_steps"] == batching.STEPS
    assert measured["recipe"] == batching.RECIPE
    rendered = report.rendered(data)
    rows = rendered["batching.md"].splitlines()[2:]
    assert [row.split("|")[1].strip() for row in rows] == [
        str(size) for size in batching.BATCH_SIZES]
    assert f"{report.machine_balance(data):.0f} FLOPs per byte" in rendered[
        "batching-summary.txt"]
    for name in ("batching.md", "batching-summary.txt"):  # bench.report's output
        assert (report.OUTPUT / name).read_text(encoding="utf-8") == rendered[name]


def test_validate_names_a_missing_batching_field():
    data = report.load()
    broken = copy.deepcopy(data)
    del broken["batching"]["batches"][1]["s_per_step"]
    with pytest.raises(ValueError, match=r"batching\.batches\[1\]\.s_per_step"):
        report.validate(broken)
