"""Every page that runs code shows the versions it was verified with: the installed ones.

The line is written at build time by tools/mkdocs_hooks.py; this reads the built HTML
and compares it with the environment the tests run in.
"""

from __future__ import annotations

import platform
import re
from importlib import metadata

import pytest

from tools import site

VERSION = re.compile(r"\b(transformers|torch|Python) (\d+(?:\.\d+)*(?:\+\w+)?)")
BOX = re.compile(r'<div class="admonition info verified-with">(.*?)</div>', re.DOTALL)
LEAD = {"en": "Verified with", "zh": "验证环境："}


def installed() -> dict[str, str]:
    return {"transformers": metadata.version("transformers"),
            "torch": metadata.version("torch").split("+")[0],
            "Python": platform.python_version()}


def built_page(page) -> str:
    return f"{page.url}index.html"


PAGES = site.load().pages()
WITH_CODE = [p for p in PAGES if any(f.kind == "python" for f in p.fences)]


@pytest.mark.parametrize("page", WITH_CODE, ids=lambda p: p.url or "home")
def test_the_page_shows_the_installed_versions(site_dir, page):
    html = (site_dir / built_page(page)).read_text(encoding="utf-8")
    boxes = BOX.findall(html)
    assert len(boxes) == 1, "expected one 'Verified with' box on a page with code"
    assert LEAD[page.language] in boxes[0]
    shown = dict(VERSION.findall(boxes[0]))
    assert shown == installed()


def test_pages_without_code_have_no_versions_box(site_dir):
    with_code = {built_page(p) for p in WITH_CODE}
    for page in PAGES:
        if built_page(page) not in with_code:
            html = (site_dir / built_page(page)).read_text(encoding="utf-8")
            assert "verified-with" not in html, built_page(page)
