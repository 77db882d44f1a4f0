"""Both languages in step: every page has its translation with the same skeleton.

On the Markdown sources (fast): each English page has a Chinese page and the reverse;
both have the same heading anchors (and every heading has one), the same `--8<--`
includes in the same order, and the same number of fences of each kind. Every
navigation title has a Chinese translation. On the built site: every English page
also exists under /zh/ (`fallback_to_default: false`, so nothing hides a gap).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tools import docs_blocks, notebooks
from tools.paths import DOCS

HEADING = re.compile(r"^#{1,6}\s")
ANCHOR = re.compile(r"\{[^}]*#(?P<id>[\w-]+)[^}]*\}\s*$")
INCLUDE = re.compile(r"^\s*-{1,2}8<-{1,2}\s")


def skeleton(text: str) -> dict:
    """What must be the same in both languages, read outside code fences."""
    anchors, includes, missing = [], [], []
    fence_kinds: Counter[str] = Counter()
    in_fence = None
    for number, line in enumerate(text.split("\n"), start=1):
        fence = docs_blocks.FENCE.match(line)
        if in_fence:
            if line.lstrip().startswith(in_fence):
                in_fence = None
            elif INCLUDE.match(line):
                includes.append(line.strip())
            continue
        if fence:
            in_fence = fence.group("ticks")
            info = fence.group("info").strip()
            fence_kinds[info.split()[0] if info else "(none)"] += 1
        elif INCLUDE.match(line):
            includes.append(line.strip())
        elif HEADING.match(line):
            anchor = ANCHOR.search(line)
            if anchor:
                anchors.append(anchor.group("id"))
            else:
                missing.append(f"line {number}: {line.strip()}")
    return {"anchors": anchors, "includes": includes, "fences": dict(fence_kinds),
            "headings without { #anchor }": missing}


def counterpart(page: Path) -> Path:
    if docs_blocks.language_of(page) == "en":
        return page.with_suffix(".zh.md")
    return page.with_name(page.name.replace(".zh.md", ".md"))


def parity_problems(docs: Path) -> list[str]:
    """Every difference between the English and Chinese pages under `docs`."""
    problems = []
    for page in sorted(docs.rglob("*.md")):
        other = counterpart(page)
        rel = page.relative_to(docs)
        if not other.is_file():
            problems.append(f"{rel}: no translation {other.relative_to(docs)}")
            continue
        mine = skeleton(page.read_text(encoding="utf-8"))
        if mine["headings without { #anchor }"]:
            problems.append(f"{rel}: headings without {{ #anchor }}: "
                            f"{mine['headings without { #anchor }']}")
        if docs_blocks.language_of(page) != "en":
            continue
        theirs = skeleton(other.read_text(encoding="utf-8"))
        for key in ("anchors", "includes", "fences"):
            if mine[key] != theirs[key]:
                problems.append(f"{rel} and {other.relative_to(docs)} differ in "
                                f"{key}:\n  en: {mine[key]}\n  zh: {theirs[key]}")
    return problems


def test_every_page_has_its_translation_with_the_same_skeleton():
    problems = parity_problems(DOCS)
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_missing_or_different_translation(tmp_path):
    (tmp_path / "a.md").write_text("# A { #a }\n\n## B { #b }\n", encoding="utf-8")
    (tmp_path / "c.zh.md").write_text("# C { #c }\n", encoding="utf-8")
    (tmp_path / "d.md").write_text(
        '# D { #d }\n\n```python\n--8<-- "x.py:one"\n```\n', encoding="utf-8")
    (tmp_path / "d.zh.md").write_text(
        '# D\n\n```text\n--8<-- "x.py:two"\n```\n', encoding="utf-8")
    problems = "\n".join(parity_problems(tmp_path))
    assert "a.md: no translation a.zh.md" in problems
    assert "c.zh.md: no translation c.md" in problems
    assert "d.zh.md: headings without { #anchor }" in problems
    for key in ("anchors", "includes", "fences"):
        assert f"d.md and d.zh.md differ in {key}" in problems


def test_no_fallback_hides_a_missing_chinese_page():
    i18n = next(entry["i18n"] for entry in notebooks.mkdocs_config()["plugins"]
                if isinstance(entry, dict) and "i18n" in entry)
    assert i18n["fallback_to_default"] is False, (
        "with fallback_to_default an English page stands in for a missing Chinese "
        "one and the built site hides the gap")


def nav_titles(items) -> list[str]:
    titles = []
    for item in items or []:
        if isinstance(item, dict):
            for title, value in item.items():
                titles.append(title)
                if isinstance(value, list):
                    titles.extend(nav_titles(value))
    return titles


def test_every_navigation_title_is_translated():
    config = notebooks.mkdocs_config()
    translations = notebooks.nav_translations("zh")
    missing = [t for t in nav_titles(config["nav"]) if not translations.get(t)]
    assert not missing, f"add these to the zh nav_translations in mkdocs.yml: {missing}"
    for page, _ in notebooks.nav_pages():
        for language in docs_blocks.LANGUAGES:
            assert (DOCS / notebooks.localized(page, language)).is_file(), \
                f"nav entry {page} has no {language} page"


def built_pages(site: Path) -> set[str]:
    skip = ("assets/", "search/", "zh/", "404.html")  # 404.html: one for the site
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")
            if not p.relative_to(site).as_posix().startswith(skip)}


def test_the_built_site_has_every_page_in_chinese(site_dir):
    english = built_pages(site_dir)
    chinese = built_pages(site_dir / "zh")
    assert len(english) > 3
    assert english - chinese == set(), "pages missing under /zh/"
    assert chinese - english == set(), "Chinese pages without an English page"
