"""Regenerate every figure on the site, in every language: `make figures`.

A snippet module that draws figures defines

    FIGURES = {"name": draw, ...}

where `draw(language="en")` returns a matplotlib figure whose labels (axis titles,
legends, annotations) are in that language. Each figure is written once per language
into `docs/<chapter>/figures/`: `<name>.svg` in English and `<name>.zh.svg` in
Chinese, where `<chapter>` is the snippet's folder with `_` written as `-`
(snippets/inside_the_block -> docs/inside-the-block). With mkdocs-static-i18n's suffix
layout, `<name>.zh.svg` is the Chinese build's version of `<name>.svg`, so both
languages' pages link `figures/<name>.svg`.

The style is set here, not in the snippets: a transparent background and mid-tone
text, axes and lines that read on Material's light and dark (slate) schemes, text kept
as text (`svg.fonttype: none`) so the browser renders it with its own fonts. Chinese
labels are measured with "Noto Sans CJK SC" (Debian's fonts-noto-cjk); drawing fails
when a glyph would be missing instead of writing boxes.

Figures that read a model's config get the real one: the command runs with the
offline real-size cache (`tools.hfcache`, "realsize"), as a reader online would get it
from the Hub.

A figure is read by eye, so it is compared by what a reader sees, not by its bytes
(`differences`): the same elements, attributes and text, and coordinates that agree
within `TOLERANCE` (derived there). The data of an experiment comes out a few units in
the last place different on another CPU (other matrix kernels, other summation
orders); such a figure is the same figure, and a figure in docs/ that is the same as
the one drawn now is kept as it is, by this command and by `make update-examples`
alike, so a run on another machine does not rewrite it. Path simplification is off
(`path.simplify`), so a line has one vertex per data point however the data moves.

    python -m tools.figures             # write into docs/ (the figures that changed)
    python -m tools.figures --out DIR   # write all into DIR instead
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import tempfile
import warnings
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tools import site
from tools.paths import DOCS, ROOT, SNIPPETS

CJK_FONT = "Noto Sans CJK SC"
# Mid-tone grey: readable on white and on the slate scheme's dark blue-grey.
FOREGROUND = "#8c8c8c"
STYLE = {
    "svg.hashsalt": "inside-phi3",  # same figure, same bytes: stable ids
    "svg.fonttype": "none",  # text stays text
    "savefig.transparent": True,  # no white box in dark mode
    "font.family": ["DejaVu Sans", CJK_FONT],  # Latin first, CJK as the fallback
    "text.color": FOREGROUND,
    "axes.labelcolor": FOREGROUND,
    "axes.edgecolor": FOREGROUND,
    "xtick.color": FOREGROUND,
    "ytick.color": FOREGROUND,
    "grid.color": FOREGROUND,
    "legend.frameon": False,
    "axes.prop_cycle": "cycler(color=['#4e79d6', '#f28e2b', '#59a14f', '#e15759'])",
    # Simplification drops vertices that lie within 1/9 pixel of the line: which ones
    # depends on the data's last bits, and the figures would differ in structure.
    "path.simplify": False,
}

# How far a coordinate of a figure may move and the figure still be the same, in
# points (pt, 1/72 inch: the SVG's unit, written to 6 decimals). The site shows a
# figure at most at its natural size (Material: `max-width: 100%`), where 1 pt is 4/3
# CSS pixels; a screen with 3 device pixels per CSS pixel, zoomed to 200 %, makes it
# 4/3 * 3 * 2 = 8 device pixels. 0.01 pt is then 0.08 of a device pixel, below what
# anti-aliasing can show (an edge pixel's coverage moves by 8 %), and still about 0.13
# at the browser's largest zoom (500 %, 2 device pixels per CSS pixel). Data that
# moved visibly moves by half a CSS pixel (0.375 pt) or more: 37 times the tolerance.
# What another CPU changes is far below it: at most 0.00008 pt between the Intel and
# AMD machines of this project (the last bits of gradients and softmaxes).
TOLERANCE = 0.01
# The attributes that hold coordinates (pt): compared within TOLERANCE. Every other
# attribute, and all text, must be the same.
GEOMETRY = {"d", "x", "y", "dx", "dy", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx",
            "ry", "width", "height", "viewBox", "transform", "points"}
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
REFERENCE = re.compile(r"#([-\w.]+)")
ID = "id"


def figure_modules() -> list[str]:
    """Dotted names of the snippet modules that define FIGURES."""
    names = []
    for path in sorted(SNIPPETS.rglob("*.py")):
        if "FIGURES" in path.read_text(encoding="utf-8"):
            names.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return names


def require_cjk_font() -> None:
    """Fail loudly, with the fix, when matplotlib cannot find the Chinese font."""
    from matplotlib import font_manager

    try:
        font_manager.findfont(CJK_FONT, fallback_to_default=False)
    except ValueError:
        raise SystemExit(
            f"matplotlib cannot find the font {CJK_FONT!r}, needed for the Chinese "
            "figures: install it (Debian: apt-get install fonts-noto-cjk), then "
            "delete matplotlib's font cache (~/.cache/matplotlib)."
        ) from None


def _elements(svg: bytes) -> list[tuple[str, dict[str, str], str, str]]:
    """(tag, attributes, text, tail) of every element in document order, ids renamed
    by order of appearance: matplotlib derives some (clip paths, markers) from a hash
    of their content."""
    root = ElementTree.fromstring(svg)
    elements = list(root.iter())
    renamed = {element.get(ID): f"id{n}" for n, element in
               enumerate(e for e in elements if e.get(ID) is not None)}

    def rename(value: str) -> str:
        return REFERENCE.sub(lambda m: "#" + renamed.get(m[1], m[1]), value)

    return [(element.tag,
             {name: renamed[value] if name == ID else rename(value)
              for name, value in element.attrib.items()},
             element.text or "", element.tail or "") for element in elements]


def _moved(stored: str, drawn: str) -> float | None:
    """How far the numbers of a geometric attribute moved, None if it changed in
    anything else (the path's commands, the number of vertices)."""
    old, new = NUMBER.split(stored), NUMBER.split(drawn)
    if old != new:
        return None
    pairs = zip(NUMBER.findall(stored), NUMBER.findall(drawn))
    return max((abs(float(a) - float(b)) for a, b in pairs), default=0.0)


def differences(stored: bytes, drawn: bytes, tolerance: float = TOLERANCE,
                most: int = 5) -> list[str]:
    """How the figure `drawn` differs from `stored` for a reader (empty: not at all).

    The same elements, attributes and text, in the same order; the coordinates
    (GEOMETRY) may differ by up to `tolerance` points, invisibly (see TOLERANCE)."""
    old, new = _elements(stored), _elements(drawn)
    if len(old) != len(new):
        return [f"{len(old)} elements, now {len(new)}"]
    found = []
    for number, ((tag, attributes, text, tail), (tag2, attributes2, text2, tail2)) in \
            enumerate(zip(old, new)):
        where = f"element {number} <{tag.rsplit('}', 1)[-1]}>"
        if (tag, text, tail) != (tag2, text2, tail2):
            found.append(f"{where}: {text.strip()!r}, now <{tag2.rsplit('}', 1)[-1]}> "
                         f"{text2.strip()!r}")
        elif attributes.keys() != attributes2.keys():
            found.append(f"{where}: attributes {sorted(attributes)}, now "
                         f"{sorted(attributes2)}")
        else:
            for name, value in attributes.items():
                value2 = attributes2[name]
                if value == value2:
                    continue
                moved = _moved(value, value2) if name in GEOMETRY else None
                if moved is None:
                    found.append(f"{where}: {name}={value[:60]!r}, now {value2[:60]!r}")
                elif moved > tolerance:
                    found.append(f"{where}: {name} moved by {moved:.3g} pt "
                                 f"(tolerance {tolerance} pt)")
        if len(found) >= most:
            break
    return found


def render(out: Path | None = None, modules: list[str] | None = None) -> list[Path]:
    """Draw the figures of `modules` (default: every module that has FIGURES) in every
    language into `out` (default: docs/<chapter>/figures/); the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    require_cjk_font()
    model = site.load()
    written = []
    with plt.rc_context(STYLE), warnings.catch_warnings():
        # A missing glyph is only a warning in matplotlib: make it an error.
        warnings.filterwarnings("error", message=r"Glyph \d+ .*missing from font")
        for name in figure_modules() if modules is None else modules:
            module = importlib.import_module(name)
            chapter = site.folder_of(Path(module.__file__).parent.name)
            folder = (out / chapter) if out else (DOCS / chapter / "figures")
            folder.mkdir(parents=True, exist_ok=True)
            for figure_name, draw in module.FIGURES.items():
                for language in model.codes:
                    figure = draw(language=language)
                    suffix = "" if language == model.default else f".{language}"
                    target = folder / f"{figure_name}{suffix}.svg"
                    figure.savefig(target, format="svg", metadata={"Date": None},
                                   bbox_inches="tight")
                    plt.close(figure)
                    written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write here instead of docs/")
    args = parser.parse_args(argv)
    from tools import hfcache

    hfcache.activate("realsize")  # before anything imports huggingface_hub
    if args.out:
        for path in render(args.out):
            print(path)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        for path in render(Path(scratch)):
            chapter, name = path.parent.name, path.name
            target = DOCS / chapter / "figures" / name
            drawn = path.read_bytes()
            if target.exists() and not differences(target.read_bytes(), drawn):
                continue  # the same figure (maybe drawn on another CPU): kept
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(drawn)
            print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
