"""Regenerate every figure on the site: `make figures`.

A snippet module that draws figures defines

    FIGURES = {"name": function_returning_a_matplotlib_figure, ...}

and each becomes `docs/<chapter>/figures/<name>.svg`, where `<chapter>` is the
snippet's folder with `_` written as `-` (snippets/inside_the_block ->
docs/inside-the-block). Labels are language-neutral (symbols, numbers, code names) so
one SVG serves both languages; the captions on the pages are translated.
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
from pathlib import Path

from tools.paths import DOCS, ROOT, SNIPPETS


def figure_modules() -> list[str]:
    """Dotted names of the snippet modules that define FIGURES."""
    names = []
    for path in sorted(SNIPPETS.rglob("*.py")):
        if "FIGURES" in path.read_text(encoding="utf-8"):
            names.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return names


def render(out: Path | None = None) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Same figure, same bytes: no dates, stable ids, text kept as text.
    plt.rcParams.update({"svg.hashsalt": "inside-phi3", "svg.fonttype": "none"})
    written = []
    for name in figure_modules():
        module = importlib.import_module(name)
        chapter = Path(module.__file__).parent.name.replace("_", "-")
        folder = (out / chapter) if out else (DOCS / chapter / "figures")
        folder.mkdir(parents=True, exist_ok=True)
        for figure_name, draw in module.FIGURES.items():
            figure = draw()
            target = folder / f"{figure_name}.svg"
            figure.savefig(target, format="svg", metadata={"Date": None}, bbox_inches="tight")
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
