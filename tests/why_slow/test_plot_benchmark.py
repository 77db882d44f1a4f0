"""plot_benchmark.py: one bar per recipe, drawn from the committed JSON."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from bench import report  # noqa: E402
from snippets.why_slow.plot_benchmark import FIGURES, draw_benchmark  # noqa: E402


def test_one_bar_per_recipe_in_both_panels():
    data = report.load()
    figure = draw_benchmark()
    decode, total = figure.axes
    assert len(decode.patches) == len(total.patches) == len(data["recipes"])
    widths = sorted(bar.get_width() for bar in total.patches)
    assert widths == sorted(r["total_s"] for r in data["recipes"])
    labels = [label.get_text() for label in decode.get_yticklabels()][::-1]
    assert [label.split(" (")[0] for label in labels] == [r["name"] for r in data["recipes"]]
    for label, r in zip(labels, data["recipes"]):  # a recipe timed over fewer tokens
        assert (f"({r['new_tokens']} " in label) == (r["new_tokens"] != data["new_tokens"])
    assert FIGURES == {"benchmark": draw_benchmark}


def test_script_prints_what_it_plots():
    from tests.helpers import run_script

    printed = run_script("snippets/why_slow/plot_benchmark.py").splitlines()
    data = report.load()
    assert [line.split(":")[0] for line in printed] == [r["name"] for r in data["recipes"]]
    first = data["recipes"][0]
    assert f"{first['decode_s_per_token']:.3f} s/token" in printed[0]


def test_reads_the_json_the_benchmark_writes():
    from snippets.why_slow.plot_benchmark import DEFAULT_JSON

    assert DEFAULT_JSON == report.DEFAULT_JSON


def test_whiskers_reach_from_the_smallest_to_the_largest_round():
    from snippets.why_slow.plot_benchmark import error_bars

    parts = [{"decode_s_per_token": 1.0, "samples": {"decode_s_per_token": [0.75, 1.0,
                                                                              1.5]}},
             {"decode_s_per_token": 2.0}]  # a run of one round: no whisker
    assert error_bars(parts, "decode_s_per_token") == [[0.25, 0.0], [0.5, 0.0]]
