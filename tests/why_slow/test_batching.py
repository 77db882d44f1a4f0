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


def test_a_copied_cache_does_what_a_prefill_of_every_row_does():
    """bench.batching prefills the prompt once and copies its KV cache to every row
    instead of prefilling every row: on the tiny model, the next decode step gives
    the logits it gives after a prefill of 4 rows, with the same shapes."""
    import copy

    import torch

    from bench.common import build_model, recipe_named

    model = build_model(recipe_named(batching.RECIPE), quick=True)
    ids = torch.tensor([[1, 450, 7483, 310, 3444, 338]])  # (1, tokens)
    with torch.no_grad():
        prefilled = model(ids.repeat(4, 1), use_cache=True)  # (4, tokens)
        once = model(ids, use_cache=True)
        copied = copy.deepcopy(once.past_key_values)
        copied.batch_repeat_interleave(4)
        next_ids = prefilled.logits[:, -1:].argmax(dim=-1)  # (4, 1)
        after_prefill = model(next_ids, past_key_values=prefilled.past_key_values,
                              use_cache=True).logits
        after_copy = model(next_ids, past_key_values=copied, use_cache=True).logits
    assert after_copy.shape == after_prefill.shape == (4, 1, model.config.vocab_size)
    torch.testing.assert_close(after_copy.float(), after_prefill.float(),
                               atol=2e-2, rtol=2e-2)  # bfloat16 kernels of two shapes
