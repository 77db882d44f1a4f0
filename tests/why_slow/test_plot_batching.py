"""plot_batching.py: one bar per batch size in each panel, from the committed JSON."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from bench import report  # noqa: E402
from snippets.why_slow.plot_batching import FIGURES, LABELS, draw_batching  # noqa: E402
from tests.helpers import run_script  # noqa: E402


def test_one_bar_per_batch_size_in_both_panels():
    batches = report.load()["batching"]["batches"]
    step, tokens = draw_batching().axes
    assert [bar.get_height() for bar in step.patches] == [b["s_per_step"] for b in batches]
    assert [bar.get_height() for bar in tokens.patches] == [
        b["tokens_per_s"] for b in batches]
    ideal = tokens.collections[0].get_offsets()[:, 1]  # batch x batch 1's tokens/s
    assert list(ideal) == [b["batch_size"] / batches[0]["s_per_step"] for b in batches]
    assert [label.get_text() for label in step.get_xticklabels()] == [
        str(b["batch_size"]) for b in batches]
    assert FIGURES == {"batching": draw_batching}


def test_chinese_labels():
    step, tokens = draw_batching("zh").axes
    assert step.get_ylabel() == LABELS["zh"]["step"]
    assert tokens.get_xlabel() == LABELS["zh"]["batch"]


def test_script_prints_what_it_plots():
    printed = run_script("snippets/why_slow/plot_batching.py").splitlines()
    batches = report.load()["batching"]["batches"]
    assert [line.split(":")[0] for line in printed] == [
        f"batch {b['batch_size']}" for b in batches]
    assert f"{batches[-1]['tokens_per_s']:.1f} tokens/s" in printed[-1]
