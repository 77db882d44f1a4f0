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

    python -m tools.figures             # write into docs/
    python -m tools.figures --out DIR   # write into DIR instead (the tests do this)
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
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
}


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


def render(out: Path | None = None) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    require_cjk_font()
    model = site.load()
    written = []
    with plt.rc_context(STYLE), warnings.catch_warnings():
        # A missing glyph is only a warning in matplotlib: make it an error.
        warnings.filterwarnings("error", message=r"Glyph \d+ .*missing from font")
        for name in figure_modules():
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
    for path in render(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
