"""Each chapter as a notebook: made from the pages, rendered on the site, runs anywhere.

The notebooks (tools/notebooks.py) hold exactly the code the pages show, after set-up
cells that install the pinned packages and write the project modules the code
imports. Here each one is copied into an empty folder outside the repository, as a
reader who downloads it would, and run there top to bottom in a Jupyter kernel
(nbclient) against the offline stand-in: the kernel inherits the environment
conftest.py set up. A notebook whose code, downloads and environment are those of
a run before is not run again: the tests assert on that run's report
(tools/run_records.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import summary_line
from tools import mkdocs_hooks, notebooks, site
from tools.built_site import PUBLISHED
from tools.run_records import RunRecord

SITE = site.load()
CASES = [(c, lang) for c in SITE.chapters for lang in SITE.codes]
IDS = [f"{c.folder}-{lang}" for c, lang in CASES]
PROBE = ("import json, os, sys\n"
         "print(json.dumps({'cwd': os.getcwd(), 'snippets': [m.__file__ for n, m in "
         "sys.modules.items() if n.startswith('snippets')], "
         "'hf': [os.environ.get(k) for k in ('HF_HOME', 'HF_HUB_OFFLINE')]}))")


def build(chapter, language):
    """The notebook as the site offers it: built for the site's published address."""
    return notebooks.build(SITE, chapter, language, PUBLISHED["SITE_URL"])


def own_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code"
            and notebooks.TAG_SETUP not in c.metadata.get("tags", [])]


def test_there_is_a_chapter():
    assert SITE.chapters, "no chapter with Python code found under docs/"


@pytest.mark.parametrize(("chapter", "language"), CASES, ids=IDS)
def test_the_notebook_holds_the_code_of_the_pages(chapter, language):
    fences = [f for src in chapter.pages
              for f in SITE.page(SITE.docs / SITE.source(src, language)).fences
              if f.kind == "python"]
    cells = own_cells(build(chapter, language))
    assert [c.source for c in cells] == [f.code.strip("\n") for f in fences]
    assert [site.TAG_SKIP in c.metadata.get("tags", []) for c in cells] == [
        f.skip_reason is not None for f in fences]


def run_notebook(notebook, path) -> dict:
    """Write `notebook` to `path` and run it there, as a reader who downloads it
    would: what its last cell (PROBE) saw, and which of its own cells ran."""
    folder = path.parent
    path = notebooks.write(notebook, path)
    notebook = nbformat.read(path, as_version=4)  # as a reader downloads it
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))  # this copy only
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    probe = json.loads(notebook.cells[-1].outputs[0]["text"])
    ran = [bool(c.execution_count) for c in own_cells(notebook)
           if site.TAG_SKIP not in c.metadata.get("tags", [])]
    return {**probe, "ran": ran}


@pytest.mark.parametrize("chapter", SITE.chapters, ids=[c.folder for c in SITE.chapters])
def test_the_notebooks_run_in_an_empty_folder(chapter, tmp_path, site_dir, site_url):
    """Every language's notebook runs; identical code runs once for all of them. What
    it downloads from the site (a checkpoint) comes from the built site, served here
    under its sub-path. A notebook whose code, downloads and environment are those of
    an earlier run is not run again: that run's report is asserted on
    (tools/run_records.py)."""
    ran: list[list[str]] = []
    reused = 0
    for language in SITE.codes:
        notebook = notebooks.build(SITE, chapter, language, site_url)
        code = [c.source for c in notebook.cells if c.cell_type == "code"]
        if code in ran:
            continue  # the same program as a notebook that already ran
        ran.append(code)
        folder = tmp_path / language
        folder.mkdir()
        downloads = [(site_dir / notebooks.published(path)).read_bytes()
                     for path in notebooks.downloaded_files("\n".join(code))]
        record = RunRecord(f"notebook {chapter.folder} {language}", [
            "\n".join(code).replace(site_url, "{site}"), PROBE, *downloads,
            Path(__file__).read_bytes()])
        report = record.get(folder)
        if report is None:
            report = run_notebook(notebook, folder / chapter.notebook_name(language))
            record.save(report, folder)
        else:
            reused += 1
        assert report["cwd"] == str(folder)
        # the project modules it used are the ones it wrote, not the repository's
        assert all(p.startswith(str(folder)) for p in report["snippets"])
        assert report["hf"] == [os.environ.get(k)
                                for k in ("HF_HOME", "HF_HUB_OFFLINE")]
        assert report["ran"] and all(report["ran"])
    summary_line(f"notebook {chapter.folder}: {len(ran) - reused} run, {reused} "
                 "the same as in an earlier run (its report reused)")


@pytest.mark.parametrize(("chapter", "language"), CASES, ids=IDS)
def test_the_site_renders_and_offers_the_notebook(site_dir, chapter, language):
    url = SITE.url(f"{chapter.folder}/notebook.ipynb", language)
    html = (site_dir / url / "index.html").read_text(encoding="utf-8")
    notebook = build(chapter, language)
    code_cells = len(re.findall(r'class="jp-Cell jp-CodeCell[^"]*" id="cell-id=', html))
    assert code_cells == len(own_cells(notebook)) > 0  # the set-up cells are left out
    assert "<h1" in html and SITE.translate(chapter.title, language) in html
    folder = site_dir / SITE.url(chapter.folder + "/index.md", language)
    download = folder / chapter.notebook_name(language)
    assert nbformat.reads(download.read_text(encoding="utf-8"), 4) == notebook
    assert f'href="../{download.name}" download=' in html  # offered beside it
    for src in chapter.pages:
        page = SITE.page(SITE.docs / SITE.source(src, language))
        if not any(f.kind == "python" for f in page.fences):
            continue  # the hook links the notebook from the pages that run code
        up = "../" * (page.url.count("/") - chapter.folder.count("/") - 1
                      - (language != SITE.default))
        built = (site_dir / page.url / "index.html").read_text(encoding="utf-8")
        assert f'href="{up}notebook/"' in built
        assert f'href="{up}{download.name}"' in built


def test_each_language_keeps_the_html_of_its_notebooks(site_dir):
    """mkdocs-jupyter's cache holds the HTML of every chapter's notebook in each
    language after a build: one language's build no longer evicts the other's
    (tools/mkdocs_hooks.py), so a notebook that did not change is not converted
    again."""
    for language in SITE.codes:
        folder = mkdocs_hooks.notebook_html_cache(language)
        assert len(list(folder.glob("*.json"))) == len(SITE.chapters), folder


def test_large_files_are_published_once(site_dir):
    """A checkpoint and the pages the notebooks need are served once, not inside each
    notebook."""
    large: dict[str, list[str]] = {}
    for path in site_dir.rglob("*"):
        if path.is_file() and path.stat().st_size > 1_000_000:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            large.setdefault(digest, []).append(path.relative_to(site_dir).as_posix())
    assert [paths for paths in large.values() if len(paths) > 1] == []
    assert all(path.stat().st_size < 1_000_000
               for path in site_dir.rglob("*.ipynb")), "a notebook carries data"
    writes_a_page = [path.name for path in site_dir.rglob("*.ipynb")
                     if "%%writefile docs/" in path.read_text("utf-8")]
    assert writes_a_page == [], "the pages are downloaded from files/docs/, once"
    needed = {notebooks.published(p) for c in SITE.chapters for language in SITE.codes
              for p in notebooks.downloaded_files("\n".join(
                  cell.source for cell in build(c, language).cells
                  if cell.cell_type == "code"))}
    assert needed and all((site_dir / name).is_file() for name in needed)


@pytest.mark.parametrize("language", SITE.codes)
def test_a_downloaded_notebook_shows_its_language_s_figures(site_dir, language):
    """From the site it was built for (no copies inside the notebook): the figure its
    page shows, labelled in its language."""
    shown = 0
    for chapter in SITE.chapters:
        notebook = build(chapter, language)
        for cell in notebook.cells:
            for url in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", cell.source):
                assert url.startswith(PUBLISHED["SITE_URL"]), url  # no data: URI
                url_path = url.removeprefix(PUBLISHED["SITE_URL"])
                figure = site_dir / url_path
                assert figure.is_file(), url
                english = SITE.docs / url_path.removeprefix(
                    "" if language == SITE.default else f"{language}/")
                translated = english.with_suffix(f".{language}{english.suffix}")
                expected = translated if translated.is_file() else english
                assert figure.read_bytes() == expected.read_bytes(), url
                shown += 1
    assert shown > 0, "no figure in any notebook"
