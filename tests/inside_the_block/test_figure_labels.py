"""Every figure of this chapter says, in its caption, which model made it: the labels
of the output boxes (mkdocs.yml's strings), in the page's language."""

from __future__ import annotations

import re

import pytest

from tools import site

SITE = site.load()
FIGURE = re.compile(r"\]\(figures/[-\w.]+\.svg\)")
LABELS = ("computed_output", "recorded_output", "tiny_output")
PAGES = [page for page in SITE.pages()
         if page.chapter is not None and page.chapter.folder == "inside-the-block"]


def captions(page: site.Page) -> list[str]:
    """The paragraph under each figure (a `*...*` line or a `<figcaption>`), its
    whitespace collapsed."""
    lines = page.text.split("\n")
    found = []
    for number, line in enumerate(lines):
        if not FIGURE.search(line):
            continue
        rest = iter(lines[number + 1:])
        paragraph = [next((text for text in rest if text.strip()), "")]
        paragraph += [text for text in iter(lambda: next(rest, ""), "")]
        found.append(" ".join(" ".join(paragraph).split()))
    return found


def test_the_chapter_has_figures():
    assert sum(len(captions(page)) for page in PAGES) >= 2 * 7


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path.name)
def test_every_figure_caption_names_its_model(page):
    labels = [" ".join(SITE.text(key, page.language).split()).casefold()
              for key in LABELS]
    for caption in captions(page):
        assert any(label in caption.casefold() for label in labels), caption[:80]
