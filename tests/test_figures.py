"""Every figure is drawn in both languages, reads in dark mode, and the pages show it.

`make update-examples` draws them (tools/figures.py); tests/test_examples.py checks
that drawing them again gives the committed bytes."""

from __future__ import annotations

import re
import pytest

from tools import site
from tools.figures import CJK_FONT
from tools.paths import DOCS

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def drawn():
    """The committed figures: `make update-examples --check` (tests/test_examples.py)
    draws them again and fails when they differ."""
    return DOCS


def svg_text(svg) -> str:
    """The labels of an SVG written with svg.fonttype 'none': its <text> elements."""
    content = svg.read_text(encoding="utf-8")
    return " ".join(re.findall(r"<text[^>]*>(.*?)</text>", content, re.S))


def test_every_figure_is_drawn_in_every_language(drawn):
    names = {p.relative_to(drawn).as_posix() for p in drawn.rglob("figures/*.svg")}
    english = {name for name in names if not name.endswith(".zh.svg")}
    assert english and {name.replace(".svg", ".zh.svg") for name in english} == \
        names - english


def test_chinese_figures_have_chinese_labels_and_english_ones_none(drawn):
    for svg in drawn.rglob("*.svg"):
        text = svg_text(svg)
        assert text, f"{svg.name}: no text elements (svg.fonttype must be 'none')"
        if svg.name.endswith(".zh.svg"):
            assert CJK.search(text), f"{svg.name} has no Chinese label"
            assert CJK_FONT in svg.read_text(encoding="utf-8"), svg.name
        else:
            assert not CJK.search(text), f"{svg.name} has Chinese in English labels"


def test_figures_have_no_background_box(drawn):
    """Transparent: no filled rectangle behind the figure or the axes (dark mode)."""
    for svg in drawn.rglob("*.svg"):
        content = svg.read_text(encoding="utf-8")
        for patch in ("patch_1", "patch_2"):  # the figure's and the first axes' patch
            match = re.search(rf'<g id="{patch}">\s*<path[^>]*style="([^"]*)"', content)
            if match:
                assert "fill: #ffffff" not in match.group(1), (svg.name, patch)


def test_a_missing_cjk_font_fails_loudly(monkeypatch):
    from matplotlib import font_manager

    from tools import figures

    def not_found(*args, **kwargs):
        raise ValueError("not found")

    monkeypatch.setattr(font_manager, "findfont", not_found)
    with pytest.raises(SystemExit, match="fonts-noto-cjk"):
        figures.require_cjk_font()


def test_every_figure_is_shown_in_both_languages():
    shown: dict[str, set[str]] = {"en": set(), "zh": set()}
    for page in site.load().pages():
        for target in page.links():
            if "figures/" in target and target.endswith(".svg"):
                shown[page.language].add(target.split("figures/")[1])
    english = {p.name for p in DOCS.rglob("figures/*.svg")
               if not p.name.endswith(".zh.svg")}
    assert shown["en"] == english == shown["zh"]
