"""bench/batching.py and its report: decode steps at several batch sizes.

A benchmark, not a test of speed: nothing here asserts a time. The quick run of the
real code path (its own process per round, as `make bench` runs it) is
tests/why_slow/test_benchmark.py's, shared with the recipes; here: the arithmetic
and the committed results' tables.
"""

from __future__ import annotations

import pytest

from bench import batching, report


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
    for name in ("batching.md", "batching.zh.md"):
        rows = rendered[name].splitlines()[2:]
        assert [row.split("|")[1].strip() for row in rows] == [
            str(size) for size in batching.BATCH_SIZES]
    assert f"{report.machine_balance(data):.0f} FLOPs per byte" in rendered[
        "batching-summary.txt"]
    assert rendered["batching.zh.md"].startswith("| 批大小 |")
    for name in ("batching.md", "batching-summary.txt", "batching.zh.md"):
        assert (report.OUTPUT / name).read_text(encoding="utf-8") == rendered[name]
