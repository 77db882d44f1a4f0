"""`make figures` (python -m tools.figures) draws every figure, and the pages show them."""

from __future__ import annotations

import subprocess
import sys

from tools import site
from tools.paths import DOCS, ROOT


def test_the_figures_command_draws_every_figure(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tools.figures", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    drawn = {p.relative_to(tmp_path) for p in tmp_path.rglob("*.svg")}
    committed = {p.relative_to(DOCS).as_posix().replace("/figures/", "/")
                 for p in DOCS.rglob("figures/*.svg")}
    assert {str(p) for p in drawn} == committed, "run `make figures` and commit the SVGs"
    for svg in tmp_path.rglob("*.svg"):
        assert "<svg" in svg.read_text(encoding="utf-8")[:2000]


def test_every_figure_is_shown_in_both_languages():
    shown: dict[str, set[str]] = {"en": set(), "zh": set()}
    for page in site.load().pages():
        for target in page.links():
            if "figures/" in target and target.endswith(".svg"):
                shown[page.language].add(target.split("figures/")[1])
    committed = {p.name for p in DOCS.rglob("figures/*.svg")}
    assert shown["en"] == committed == shown["zh"]
