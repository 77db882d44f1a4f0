"""Every built page, both languages, as a reader's browser gets it.

One pass per language over its pages at 1280 px (tests/site/survey.py) collects every
measure (each language's tests are a unit of work: the two passes run on the two
workers at once);
pages with diagrams or tables are measured again at 390 px (a phone). Pages are
chosen from what is built, so new pages are covered as they are added. The figures
are written to artifacts/site-survey.<language>.json and page-weights.<language>.json, the page
weights are printed in the terminal summary, and the home pages, the first page of
every chapter, its notebook and the first page with a diagram and with math of each
language are saved as screenshots under artifacts/screenshots/. A survey of the same
site, browser, fonts and code as an earlier one is that one (`survey_at`).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import summary_line
from tests.site import survey
from tests.site.test_browser import (  # noqa: F401 - browser marks
    LANGUAGES, SITE, chapter_pages, pytestmark)
from tools import run_records
from tools.paths import ROOT
from tools.run_records import RunRecord

ARTIFACTS = ROOT / "artifacts"
# First load, uncompressed, of a page without diagrams or math, its language's search
# index apart: the index grows with the site, and a reader loads it once per visit.
MAX_KB = 450  # the largest measured 382 KB (zh/tokens/chinese-cost/)
MAX_KB_MATH = 650  # with KaTeX's stylesheet and fonts; the largest measured 601 KB
# (inside-the-block/attention/: two figures, the heatmaps of its heads 70 KB)
MAX_INDEX_KB = 400  # a language's search index; measured 212 (en) and 320 KB (zh)
MIN_LABEL_PX = 11  # the smallest diagram text a reader can read
SERIOUS = {"serious", "critical"}
# the axe findings left, none serious or critical, and why they stay
KNOWN = {
    "landmark-unique": "(moderate) the theme's template names a nav section after its "
                       "label; a section with an index page gets the same name twice",
    "empty-table-header": "(minor) the comparison table of inside-the-block/index "
                          "has an empty corner cell: the page's content, not the build",
}


language_of = SITE.language_of_url
SITE_NAME = {"en": "Inside Phi-3", "zh": "深入 Phi-3"}


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request):
    """The language of the module's survey: every test that reads it runs per language."""
    return request.param


@pytest.fixture(scope="module")
def survey_at(browser, site_url, site_dir, language):
    """width -> {url path: measures} for `language`'s pages; 390 px only for pages with
    diagrams or tables. An earlier survey's measures when the site's files, the
    browser, its fonts, axe-core, the survey's code and the environment are the same
    and its screenshots are still there (tools/run_records.py): the tests assert on
    them as on a new survey's. A survey that met a console error or an unrendered
    page is not kept."""
    pages = [p for p in survey.built_pages(site_dir) if language_of(p) == language]
    html = {p: (site_dir / p / "index.html").read_text("utf-8") for p in pages}
    narrow_pages = {p for p in pages if re.search(r'class="mermaid"|<table>', html[p])}
    shots = screenshots(html, language)
    record = RunRecord(f"site survey {language}", [
        browser.version, fonts(), survey.AXE.read_bytes() if survey.AXE.exists()
        else b"", *run_records.files(site_dir, pattern="*"),
        *run_records.files(Path(__file__).parent)])  # the survey, these tests
    kept = record.get()
    if kept is not None and kept["shots"] == taken(shots) \
            and None not in kept["shots"]:
        measured = {int(width): found for width, found in kept["measured"].items()}
        summary_line(f"site survey, {language}: the site, the browser, its fonts and "
                     "the survey are those of an earlier run (its measures reused)")
    else:
        measured = survey.survey(browser, site_url, pages, narrow_pages, shots,
                                 contrast_everywhere(pages, language),
                                 survey.AxeRecord(language, site_dir, browser.version))
        # Not kept when a page met an error or did not render: timing can cause
        # those, and the next run should see again, not read the same failure back.
        if not any(m["errors"] or m["unrendered"] for width in measured.values()
                   for m in width.values()):
            record.save({"measured": measured, "shots": taken(shots)})
        reused = sum(m["axe_reused"] for m in measured[survey.WIDE].values())
        summary_line(f"axe-core, {language}: {len(pages) - reused} page(s) checked, "
                     f"{reused} unchanged since an earlier run (their findings reused)")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"site-survey.{language}.json").write_text(json.dumps(
        {str(width): {path: {k: v for k, v in measures.items() if k != "text"}
                      for path, measures in survey_of.items()}
         for width, survey_of in measured.items()},
        ensure_ascii=False, indent=1), "utf-8")
    weights = {p or "/": m["kb"] for p, m in measured[survey.WIDE].items()}
    (ARTIFACTS / f"page-weights.{language}.json").write_text(
        json.dumps(weights, indent=1), "utf-8")
    summary_line(f"page weights, {language} (KB, first load, uncompressed): "
                 + ", ".join(f"{path} {kb}" for path, kb in weights.items()))
    return measured  # {1280: ..., 390: ...}


def taken(shots: dict[str, tuple[str, str]]) -> list[str | None]:
    """The digest of each screenshot's file, None for one that is missing."""
    files = [survey.SCREENSHOTS / f"{name}.png" for name, _ in shots.values()]
    return [survey._digest(file) if file.is_file() else None for file in files]


def fonts() -> str:
    """The fonts Chromium lays text out with (fontconfig's list): another set, other
    line breaks and widths."""
    try:
        return subprocess.run(["fc-list", "--format", "%{file} %{family}\n"],
                              capture_output=True, text=True).stdout
    except OSError:
        return ""


def screenshots(html: dict[str, str], language: str) -> dict[str, tuple[str, str]]:
    """URL path -> (screenshot name, element to scroll to): the pages worth a look."""
    shots = {}
    shots[SITE.under("", language)] = (f"{language}-home", "")
    for english in chapter_pages():
        shots[SITE.under(english, language)] = (f"{language}-{slug(english)}", "")
    for chapter in SITE.chapters:
        notebook = SITE.url(f"{chapter.folder}/notebook.ipynb", language)
        shots[notebook] = (f"{language}-notebook-{chapter.folder}", "")
    for kind, marker, element in (("mermaid", 'class="mermaid"', "div.mermaid"),
                                  ("math", 'class="arithmatex"', ".arithmatex")):
        first = next(p for p in html if language_of(p) == language and marker in
                     html[p] and p not in shots)
        shots[first] = (f"{kind}-{slug(first)}", element)
    return shots


def contrast_everywhere(pages: list[str], language: str) -> set[str]:
    """Where axe checks the colour contrast of the navigation and the code too (the
    theme's, the same on every page): the home page, the first page with code and
    its chapter's notebook."""
    first = SITE.chapters[0]
    sample = {SITE.under(page, language) for page in ("", chapter_pages()[0])}
    sample.add(SITE.url(f"{first.folder}/notebook.ipynb", language))
    assert sample <= set(pages) and len(sample) == 3, sample
    return sample


def slug(url_path: str) -> str:
    return url_path.strip("/").replace("/", "_") or "home"


def found(survey_at, key, language=None, widths=(1280, 390)):
    return {f"{width}px {path or '/'}": measures[key]
            for width in widths for path, measures in survey_at[width].items()
            if measures.get(key) and language in (None, language_of(path))}


def test_no_space_between_chinese_characters(survey_at, language):
    assert found(survey_at, "stray", language, (1280,)) == {}


def test_no_console_errors(survey_at):
    assert found(survey_at, "errors") == {}


def test_wide_code_and_tables_scroll_visibly_and_nothing_covers_code(survey_at):
    assert found(survey_at, "clipped") == {}, "overflows with no visible scrollbar"
    assert found(survey_at, "broken") == {}, "identifier broken across lines"
    assert found(survey_at, "covered") == {}, "copy button over code text"


def test_code_lines_of_88_characters_fit_at_1280_px(survey_at):
    """The project's line limit (88) fits the content column of a 1280 px screen."""
    assert found(survey_at, "squeezed", widths=(1280,)) == {}


def test_home_page(survey_at, language):
    home = survey_at[1280][SITE.under("", language)]
    assert SITE_NAME[language] in home["title"]
    assert home["lang"].startswith(language)
    assert home["nav_links"] > 2 and home["h1"] == 1


def test_chapter_pages_with_code_and_copy_buttons(survey_at, language):
    assert chapter_pages(), "no chapter found"
    for english in chapter_pages():
        measures = survey_at[1280][SITE.under(english, language)]
        assert SITE_NAME[language] in measures["title"]  # "nav title - site name"
        assert measures["nav_links"] > 2 and measures["h1"] == 1
        assert measures["code"] > 0 and measures["copy"] == measures["code"]
        assert measures["verified"] == 1, english


def test_every_page_loads_without_leaving_127_0_0_1(survey_at):
    """All pages, both languages: no font, script or image from another host."""
    assert found(survey_at, "external") == {}


def test_diagrams_and_math_render(survey_at):
    """Every diagram drawn and every formula typeset, on every page, at both widths."""
    assert found(survey_at, "unrendered") == {}, "not rendered within 15 s"
    assert found(survey_at, "katex_errors") == {}
    assert found(survey_at, "diagram_heights") and found(survey_at, "math"), \
        "no page with a diagram or math measured"


def test_the_chapter_notebook_is_rendered(survey_at, language):
    for chapter in SITE.chapters:
        url_path = SITE.url(f"{chapter.folder}/notebook.ipynb", language)
        notebook = survey_at[1280][url_path]
        assert SITE.translate("Notebook", language) in notebook["title"]  # nav title
        assert SITE.translate(chapter.title, language) in notebook["text"]  # its intro
        assert notebook["cells"] > 0 and notebook["h1"] == 1
        assert notebook["toc_link"] == 1, "the first heading is in the page's contents"
        # no empty "In [ ]:" prompts; diagrams drawn with a height; tables as tables
        assert notebook["prompts"] == 0, url_path
        assert all(height > 50 for height in notebook["diagram_heights"]), url_path
        assert "\n| ---" not in notebook["text"], url_path
        assert notebook["active_link"] >= 1, "in the navigation, as the current page"


def test_diagrams_are_legible_at_390_and_1280_px(survey_at):
    sizes = found(survey_at, "smallest_label")
    assert sizes, "no diagram measured"
    assert {page: px for page, px in sizes.items() if px < MIN_LABEL_PX} == {}
    assert found(survey_at, "overlaps") == {}, "a label overlaps a box"


def test_no_serious_accessibility_violation(survey_at):
    axe = {path: measures.get("axe") for path, measures in survey_at[1280].items()}
    if not all(v is not None for v in axe.values()):  # Chromium is there, axe-core not
        pytest.fail(f"{survey.AXE.relative_to(ROOT)} is missing, so no page was checked "
                    "for accessibility: run `make setup` (tools/vendor.sh fetches "
                    "axe-core; `make clean` removes it)", pytrace=False)
    serious = {p: [v for v in found if v["impact"] in SERIOUS]
               for p, found in axe.items()}
    assert {p: v for p, v in serious.items() if v} == {}
    others = {v["id"] for found in axe.values() for v in found}
    assert others <= set(KNOWN), f"new findings: {others - set(KNOWN)}"


def test_pages_without_diagrams_are_light(survey_at, site_dir):
    """First load, uncompressed, the search index apart: <= MAX_KB without diagrams or
    math, MAX_KB_MATH with math (KaTeX's stylesheet and fonts; the math itself is
    rendered at build time); and each language's search index <= MAX_INDEX_KB."""
    heavy = {}
    for path, measures in survey_at[1280].items():
        html = (site_dir / path / "index.html").read_text("utf-8")
        if measures["index_kb"] > MAX_INDEX_KB:
            heavy[f"{path or '/'} search index"] = (measures["index_kb"], MAX_INDEX_KB)
        if 'class="mermaid"' in html or path.endswith("notebook/"):
            continue  # notebooks: mkdocs-jupyter inlines ~590 KB of its stylesheets
        limit = MAX_KB_MATH if 'class="arithmatex"' in html else MAX_KB
        if measures["kb"] - measures["index_kb"] > limit:
            heavy[path or "/"] = (measures["kb"] - measures["index_kb"], limit)
    assert heavy == {}, "KB on first load, and the limit"
    assert all(m["index_kb"] > 0 for m in survey_at[1280].values()), "no search index"


QUERIES = {"en": ("RoPE", "attention", "flowchart"), "zh": ("注意力", "KV 缓存", "KV缓存")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_returns_only_its_language_and_no_diagram_source(
        browser, site_url, language):
    results = {q: survey.search(browser, site_url, language, q)
               for q in QUERIES[language]}
    other = {q: [h for h in hrefs if language_of(h) != language]
             for q, hrefs in results.items()}
    assert all(not hrefs for hrefs in other.values()), other
    if language == "en":
        assert results["RoPE"], "a word of the pages finds them"
        assert results["flowchart"] == [], "diagram source is indexed"
    else:
        assert set(results["KV缓存"]) == set(results["KV 缓存"]) != set()
