"""Every figure is drawn in both languages, reads in dark mode, and the pages show it
with a caption that says which model drew it.

`make update-examples` draws them (tools/figures.py); tests/test_examples.py checks
that drawing them again gives the committed figures, compared as a reader sees them
(`tools.figures.differences`), which is tested here."""

from __future__ import annotations

import functools
import io
import math
import re
from pathlib import Path

import pytest

from tools import figures, site
from tools.figures import CJK_FONT
from tools.paths import DOCS, SNIPPETS

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def drawn():
    """The committed figures: `make update-examples --check` (tests/test_examples.py)
    draws them again and fails when they differ."""
    return DOCS


# Gradient norms over 40 layers, as the figures of "Inside the block" plot them.
VALUES = [math.exp(-0.3 * i) * (1 + 0.2 * math.sin(i)) for i in range(40)]


def draw(values, label="x + f(norm(x))") -> bytes:
    """An SVG drawn as tools.figures draws the site's: its style, log axis, markers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(figures.STYLE):
        figure, axes = plt.subplots(figsize=(6.4, 3.6))
        axes.semilogy(range(1, len(values) + 1), values, "o-", markersize=3,
                      label=label)
        axes.legend()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None},
                       bbox_inches="tight")
        plt.close(figure)
    return buffer.getvalue()


def test_a_figure_whose_data_changed_in_the_last_bits_is_the_same():
    """What another CPU does: a few float32 ulps (1e-6 relative) on every value."""
    stored = draw(VALUES)
    drawn = draw([value * (1 + 1e-6 * math.cos(i)) for i, value in enumerate(VALUES)])
    assert stored != drawn  # the bytes differ...
    assert figures.differences(stored, drawn) == []  # ...the figure does not


def test_a_figure_whose_data_moved_visibly_is_not_the_same():
    moved = list(VALUES)
    moved[20] *= 1.05  # one point, a twentieth of its value: about 1 pt up
    found = figures.differences(draw(VALUES), draw(moved))
    assert found and all("moved by" in line for line in found), found


def test_a_figure_with_other_text_or_points_is_not_the_same():
    stored = draw(VALUES)
    assert figures.differences(stored, draw(VALUES, label="f(norm(x))"))
    assert figures.differences(stored, draw(VALUES + [VALUES[-1] / 2]))


def longest_path_moved(svg: bytes, by: float) -> bytes:
    """`svg` with the last y of its longest path (the data line) moved by `by` pt."""
    text = svg.decode()
    longest = max(re.finditer(r' d="([^"]*)"', text), key=lambda m: len(m[1]))
    numbers = list(re.finditer(r"[\d.]+", longest[1]))
    last = numbers[-1]
    start = longest.start(1) + last.start()
    moved = f"{float(last[0]) + by:f}"
    return (text[:start] + moved + text[start + len(last[0]):]).encode()


def test_the_tolerance_is_where_it_says():
    stored, tolerance = draw(VALUES), figures.TOLERANCE
    within = longest_path_moved(stored, 0.9 * tolerance)
    beyond = longest_path_moved(stored, 1.5 * tolerance)
    assert figures.differences(stored, within) == []
    assert figures.differences(stored, beyond)


def test_path_simplification_is_off():
    """Simplified, a line loses the vertices closer to it than 1/9 pixel, and which
    ones depends on the data's last bits: with the style, every point stays."""
    flat = [1 + 1e-4 * math.sin(i) for i in range(500)]
    longest = max(re.findall(r' d="([^"]*)"', draw(flat).decode()), key=len)
    assert longest.count("L") == len(flat) - 1


def test_an_equal_figure_is_not_rewritten(tmp_path):
    """`make update-examples` writes a figure only if it is not current."""
    from tools.update_examples import is_current

    target = tmp_path / "figures" / "gradients.svg"
    target.parent.mkdir()
    target.write_bytes(draw(VALUES))
    last_bits = draw([value * (1 + 1e-6) for value in VALUES])
    moved = list(VALUES)
    moved[5] *= 1.1
    assert is_current(target, last_bits)
    assert not is_current(target, draw(moved))


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


# The chapters whose figures say in their caption which model drew them; a figure
# of another chapter is checked once its caption names a model.
LABELLED = ("model-example", "tokens", "inside-the-block", "scores-to-text", "why-slow")
FIGURE = re.compile(r"^!\[[^\]]*\]\((?:[^)\s]*/)?figures/(?P<name>[-\w]+)\.svg\)$")
SITE = site.load()


@functools.cache
def drawn_by() -> dict[str, Path]:
    """Figure name -> the snippet module that draws it (the keys of its FIGURES)."""
    found = {}
    for path in sorted(SNIPPETS.rglob("*.py")):
        block = re.search(r"^FIGURES = \{(.*?)\}", path.read_text(encoding="utf-8"),
                          re.M | re.S)
        for name in re.findall(r'"([-\w]+)"\s*:', block[1] if block else ""):
            found[name] = path
    return found


def caption_under(lines: list[str], index: int) -> str:
    """The caption of the figure on line `index`: the italic paragraph right under
    it, or the `<figcaption>` of a `<figure>` ('' if neither)."""
    paragraph = []
    for line in lines[index + 1:]:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    text = " ".join(paragraph)
    figcaption = re.match(r"<figcaption>(.*?)</figcaption>", text)
    if figcaption:
        return figcaption[1]
    italic = text.startswith("*") and text.endswith("*") and not text.startswith("**")
    return text if italic else ""


SHOWN = [(page, index, match["name"]) for page in SITE.pages()
         for index, line in enumerate(page.text.split("\n"))
         if (match := FIGURE.match(line.strip()))]


@pytest.mark.parametrize("page, index, name", SHOWN, ids=[
    f"{page.path.relative_to(DOCS)}:{name}" for page, index, name in SHOWN])
def test_a_figure_s_caption_says_which_model_drew_it(page, index, name):
    """The same words as the Output boxes (`site.output_kind`): the figures of a
    module that uses the tiny Phi-3 trained here say so, the others that they were
    computed offline, without Phi-3's weights (no figure needs the real ones)."""
    caption = caption_under(page.text.split("\n"), index)
    labels = {kind: SITE.text(f"{kind}_output", page.language)
              for kind in ("tiny", "computed", "recorded")}
    begun = any(label.casefold() in caption.casefold() for label in labels.values())
    if not begun and (page.chapter is None or page.chapter.folder not in LABELLED):
        pytest.skip(f"{page.folder}: figure captions not labelled yet")
    label = labels["tiny" if site.uses_tiny_model(drawn_by()[name]) else "computed"]
    where = f"{page.path.relative_to(DOCS)}:{index + 1}"
    assert caption, f"{where}: no italic caption under the figure {name}"
    assert label.casefold() in caption.casefold(), (
        f"{where}: the caption of {name} does not say {label!r}")


def test_a_caption_is_the_italic_paragraph_under_the_figure():
    lines = ["![A](figures/a.svg)", "", "*Drawn by code. Computed offline.*", "",
             "*not* the caption"]
    assert caption_under(lines, 0) == "*Drawn by code. Computed offline.*"
    assert caption_under(["![A](figures/a.svg)", "", "*step*: a column"], 0) == ""
    assert caption_under(["![A](figures/a.svg)", "", "**Bold.**"], 0) == ""
    inside_a_figure = ["  ![A](figures/a.svg)", "  <figcaption>Drawn",
                       "  here.</figcaption>", "</figure>"]
    assert caption_under(inside_a_figure, 0) == "Drawn here."
