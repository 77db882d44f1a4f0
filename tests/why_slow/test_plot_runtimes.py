"""plot_runtimes.py: the walkthrough, the int4 recipe and every other runtime, each
with its floor, drawn from the committed JSON."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from bench import report  # noqa: E402
from snippets.why_slow.plot_runtimes import FIGURES, draw_runtimes  # noqa: E402


def test_one_bar_per_runtime_with_its_floor():
    data = report.load()
    rows = report.side_by_side(data)
    figure = draw_runtimes()
    decode, read = figure.axes
    assert len(decode.patches) == len(read.patches) == len(rows)
    widths = sorted(bar.get_width() for bar in decode.patches)
    assert widths == sorted(r["decode_s_per_token"] for r in rows)
    floors = decode.collections[-1].get_offsets()[:, 0]  # after the whiskers
    assert sorted(floors) == sorted(r["floor_s_per_token"] for r in rows)
    labels = [label.get_text() for label in decode.get_yticklabels()]
    assert labels == [r["name"] for r in rows][::-1]
    assert FIGURES == {"runtimes": draw_runtimes}


def test_labels_follow_the_language():
    english, chinese = draw_runtimes("en"), draw_runtimes("zh")
    assert english.axes[0].get_xlabel() != chinese.axes[0].get_xlabel()
    assert "词元" in chinese.axes[0].get_xlabel()


def test_script_prints_what_it_plots():
    from tests.helpers import run_script

    printed = run_script("snippets/why_slow/plot_runtimes.py").splitlines()
    names = [r["name"] for r in report.side_by_side(report.load())]
    assert [line.split(":")[0] for line in printed] == names
