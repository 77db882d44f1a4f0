"""Both languages in step: every page has its translation with the same skeleton.

On the sources (fast): each page exists in every language; all have the same heading
anchors (and every heading has one), the same `--8<--` includes in the same order,
and the same number of fences of each kind. Every navigation title is translated. On
the built site: every English page also exists under /zh/ (`fallback_to_default:
false`, so nothing hides a gap).
"""

from __future__ import annotations

from pathlib import Path

from tools import site
from tools.site import Site


def parity_problems(model: Site) -> list[str]:
    """Every difference between a page and its translations."""
    problems = []
    for page in model.pages():
        rel = page.path.relative_to(model.docs)
        missing = [h.title for h in page.headings if not h.anchor]
        if missing:
            problems.append(f"{rel}: headings without {{ #anchor }}: {missing}")
        for language in model.codes:
            other = page.counterpart(language)
            if not other.is_file():
                problems.append(f"{rel}: no translation {other.relative_to(model.docs)}")
            elif page.language == model.default and language != page.language:
                mine, theirs = page.skeleton(), model.page(other).skeleton()
                for key in mine:
                    if mine[key] != theirs[key]:
                        problems.append(
                            f"{rel} and {other.relative_to(model.docs)} differ in {key}:"
                            f"\n  {page.language}: {mine[key]}\n  {language}: {theirs[key]}")
    return problems


def test_every_page_has_its_translation_with_the_same_skeleton():
    problems = parity_problems(site.load())
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_missing_or_different_translation(tmp_path):
    (tmp_path / "a.md").write_text("# A { #a }\n\n## B { #b }\n", encoding="utf-8")
    (tmp_path / "c.zh.md").write_text("# C { #c }\n", encoding="utf-8")
    (tmp_path / "d.md").write_text(
        '# D { #d }\n\n--8<-- "x.md"\n', encoding="utf-8")
    (tmp_path / "d.zh.md").write_text('# D\n\n--8<-- "y.md"\n', encoding="utf-8")
    (tmp_path / "e.md").write_text('# E { #e }\n\n--8<-- "t.md"\n', encoding="utf-8")
    (tmp_path / "e.zh.md").write_text(  # a generated table in the page's language
        '# E { #e }\n\n--8<-- "t.zh.md"\n', encoding="utf-8")
    problems = "\n".join(parity_problems(site.load().reading(tmp_path)))
    assert "a.md: no translation a.zh.md" in problems
    assert "c.zh.md: no translation c.md" in problems
    assert "d.zh.md: headings without { #anchor }" in problems
    for key in ("anchors", "includes"):
        assert f"d.md and d.zh.md differ in {key}" in problems
    assert "e.md" not in problems


def test_no_fallback_hides_a_missing_translation():
    assert site.load().i18n_fallback is False, (
        "with fallback_to_default a page of the default language stands in for a "
        "missing translation and the built site hides the gap")


def test_every_navigation_title_is_translated_and_every_entry_exists():
    model = site.load()
    for language in model.languages:
        if language.default:
            continue
        titles = {t for _, titles in model.nav for t in titles if t}
        missing = sorted(t for t in titles if not language.nav_translations.get(t))
        assert not missing, (f"add these to the {language.code} nav_translations in "
                             f"mkdocs.yml: {missing}")
    for src, _ in model.nav:
        if src.endswith(".md"):
            for language in model.codes:
                assert (model.docs / model.source(src, language)).is_file(), \
                    f"nav entry {src} has no {language} page"
        else:  # a chapter's notebook, made at build time
            assert model.chapter_of(src) is not None, f"{src}: no chapter to make it"
    for chapter in model.chapters:
        assert f"{chapter.folder}/notebook.ipynb" in dict(model.nav), \
            f"mkdocs.yml: list {chapter.folder}/notebook.ipynb in the chapter's nav"


def built_pages(site_dir: Path) -> set[str]:
    skip = ("assets/", "search/", "zh/", "404.html")  # 404.html: one for the site
    return {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
            if not p.relative_to(site_dir).as_posix().startswith(skip)}


def test_the_built_site_has_every_page_in_chinese(site_dir):
    english = built_pages(site_dir)
    chinese = built_pages(site_dir / "zh")
    assert len(english) > 3
    assert english - chinese == set(), "pages missing under /zh/"
    assert chinese - english == set(), "Chinese pages without an English page"
