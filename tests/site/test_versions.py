"""Every page that runs code shows the versions it was verified with: the installed ones.

The line is written at build time by tools/mkdocs_hooks.py; this reads the built HTML
and compares it with the environment the tests run in.
"""

from __future__ import annotations

import platform
import re
from importlib import metadata

import pytest

from tools import docs_blocks
from tools.paths import DOCS

VERSION = re.compile(r"\b(transformers|torch|Python) (\d+(?:\.\d+)*(?:\+\w+)?)")
BOX = re.compile(r'<div class="admonition info verified-with">(.*?)</div>', re.DOTALL)
LEAD = {"en": "Verified with", "zh": "验证环境："}


def installed() -> dict[str, str]:
    return {"transformers": metadata.version("transformers"),
            "torch": metadata.version("torch").split("+")[0],
            "Python": platform.python_version()}


def built_page(page) -> str:
    """docs/x/y.zh.md -> zh/x/y/index.html (directory URLs)."""
    rel = page.relative_to(DOCS).as_posix()
    language = docs_blocks.language_of(page)
    stem = rel.removesuffix(".md").removesuffix(f".{language}")
    prefix = "" if language == "en" else f"{language}/"
    if stem == "index" or stem.endswith("/index"):
        return prefix + stem.removesuffix("index") + "index.html"
    return f"{prefix}{stem}/index.html"


def pages_with_code():
    return [p for p in docs_blocks.pages() if any(
        f.is_python for f in docs_blocks.scan_fences(p.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("page", pages_with_code(),
                         ids=lambda p: p.relative_to(DOCS).as_posix())
def test_the_page_shows_the_installed_versions(site_dir, page):
    html = (site_dir / built_page(page)).read_text(encoding="utf-8")
    boxes = BOX.findall(html)
    assert len(boxes) == 1, "expected one 'Verified with' box on a page with code"
    assert LEAD[docs_blocks.language_of(page)] in boxes[0]
    shown = dict(VERSION.findall(boxes[0]))
    assert shown == installed()


def test_pages_without_code_have_no_versions_box(site_dir):
    with_code = {built_page(p) for p in pages_with_code()}
    for page in docs_blocks.pages():
        if built_page(page) not in with_code:
            html = (site_dir / built_page(page)).read_text(encoding="utf-8")
            assert "verified-with" not in html, built_page(page)
