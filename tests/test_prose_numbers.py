"""Every number a page states in prose is computed by a test (tests/facts.py).

Numbers are runs of digits (with `,` thousands separators and a decimal part) of two
or more digits, or with a decimal point, that are not part of a name: "Phi-3",
"4k", "bf16" and "GPT-2" are names, "3072" and "7.6" are numbers. Code (fenced or
inline), included files, link targets, heading anchors, HTML comments and math are
not prose.
"""

from __future__ import annotations

import re

import pytest

from tests.facts import chapter_facts
from tools.docs_blocks import pages
from tools.paths import DOCS, ROOT

NOT_PROSE = [
    re.compile(r"^([ \t]*)(`{3,}).*?^\1\2", re.M | re.S),  # fenced code
    re.compile(r"^\s*--8<--.*$", re.M),  # includes
    re.compile(r"`[^`\n]+`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"\{\s*#[^}]*\}"),  # heading anchors and attributes
    re.compile(r"<!--.*?-->", re.S),  # comments
    re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S),  # math
    re.compile(r"<[^>\n]+>"),  # HTML tags and their attributes
]
NUMBER = re.compile(r"(?<![\w\-./#])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w\-])")


def prose_numbers(text: str) -> list[str]:
    for pattern in NOT_PROSE:
        text = pattern.sub(" ", text)
    found = []
    for match in NUMBER.finditer(text):
        number = match.group(0)
        if len(number.replace(",", "")) >= 2 or "." in number:
            found.append(number)
    return found


def chapter_of(page) -> str:
    relative = page.relative_to(DOCS)
    return relative.parts[0] if len(relative.parts) > 1 else ""


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_number_in_prose_is_checked(page):
    facts, not_facts = chapter_facts(chapter_of(page))
    known = set(facts.values()) | set(not_facts)
    unchecked = sorted(set(prose_numbers(page.read_text(encoding="utf-8"))) - known)
    assert not unchecked, (
        f"{page.relative_to(ROOT)} states numbers no test computes: {unchecked}. "
        f"Add them to tests/{chapter_of(page).replace('-', '_') or 'site_pages'}/facts.py"
    )


def test_number_finder():
    text = "Phi-3 has 32 layers of 3072, 3,821,079,552 in all, 7.6 GB in bf16; `9216` 4k"
    assert prose_numbers(text) == ["32", "3072", "3,821,079,552", "7.6"]


def test_prose_between_fences_is_read():
    text = "```python\nx = 1234\n```\n\nThe model has 3072 dims.\n\n    ```text\n    5678\n    ```\n"
    assert prose_numbers(text) == ["3072"]
