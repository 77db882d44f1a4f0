"""Each chapter as a notebook: made from the pages, rendered on the site, runs top to bottom.

The notebooks are generated (tools/notebooks.py) from the chapter's pages with their
includes expanded, so they hold exactly the code the pages show. Here each one runs
in a Jupyter kernel (nbclient) against the offline stand-in: the kernel inherits the
environment conftest.py set up, with the project root as its working directory.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from tools import docs_blocks, notebooks
from tools.paths import DOCS, ROOT

CHAPTERS = notebooks.chapters()
CASES = [(c, lang) for c in CHAPTERS for lang in docs_blocks.LANGUAGES]
IDS = [f"{c.folder}-{lang}" for c, lang in CASES]
PROBE = ("import json, os, sys, snippets\n"
         "print(json.dumps({'cwd': os.getcwd(), 'snippets': snippets.__file__, "
         "'hf': [os.environ.get(k) for k in ('HF_HOME', 'HF_HUB_OFFLINE')]}))")


def page_fences(chapter, language):
    for english in chapter.pages:
        page = DOCS / notebooks.localized(english, language)
        if not page.is_file():
            continue  # left out of the notebook; test_parity.py reports it
        yield from docs_blocks.scan_fences(docs_blocks.expand_includes(page))


def test_there_is_a_chapter():
    assert CHAPTERS, "no chapter with Python code found under docs/"


@pytest.mark.parametrize(("chapter", "language"), CASES, ids=IDS)
def test_the_notebook_holds_the_code_of_the_pages(chapter, language):
    notebook = notebooks.build(chapter, language)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    fences = [f.code.strip("\n") for f in page_fences(chapter, language)
              if f.info == "python"]
    assert code == fences
    skipped = [c for c in notebook.cells
               if notebooks.TAG_SKIP in c.metadata.get("tags", [])]
    assert len(skipped) == sum(f.skip_reason_given for f in page_fences(
        chapter, language) if f.info == "python")


def execute(notebook):
    notebook.cells.insert(0, nbformat.v4.new_code_cell(PROBE))  # this test's copy only
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # raises CellExecutionError at the first failing cell
    probe = json.loads(notebook.cells[0].outputs[0]["text"])
    assert probe["cwd"] == str(ROOT)
    assert probe["snippets"].startswith(str(ROOT / "snippets"))
    # the kernel uses the Hugging Face set-up of this run: the stand-in, offline
    assert probe["hf"] == [os.environ.get(k) for k in ("HF_HOME", "HF_HUB_OFFLINE")]
    ran = [c for c in notebook.cells[1:] if c.cell_type == "code"
           and notebooks.TAG_SKIP not in c.metadata.get("tags", [])]
    assert ran and all(c.execution_count for c in ran)


def code_of(notebook) -> list[tuple[str, list]]:
    return [(c.source, c.metadata.get("tags", [])) for c in notebook.cells
            if c.cell_type == "code"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.folder for c in CHAPTERS])
def test_the_notebooks_run_top_to_bottom(chapter):
    """Every language's notebook runs; identical code runs once for all of them."""
    ran: list[list] = []
    for language in docs_blocks.LANGUAGES:
        notebook = notebooks.build(chapter, language)
        if code_of(notebook) in ran:
            continue  # the same program as a notebook that already ran
        ran.append(code_of(notebook))
        execute(notebook)


@pytest.mark.parametrize(("chapter", "language"), CASES, ids=IDS)
def test_the_site_renders_and_offers_the_notebook(site_dir, chapter, language):
    prefix = "" if language == "en" else f"{language}/"
    rendered = (site_dir / notebooks.notebook_url(chapter, language) / "index.html")
    html = rendered.read_text(encoding="utf-8")
    notebook = notebooks.build(chapter, language)
    code_cells = sum(c.cell_type == "code" for c in notebook.cells)
    assert html.count("jp-CodeCell") >= code_cells > 0
    assert "<h1" in html and chapter.title_in(language) in html
    download = next((site_dir / prefix / chapter.folder).glob("*.ipynb"))
    assert nbformat.reads(download.read_text(encoding="utf-8"), 4) == notebook
    for english in chapter.pages:
        source = DOCS / notebooks.localized(english, language)
        if "```python" not in source.read_text(encoding="utf-8"):
            continue  # the hook links the notebook from the pages that run code
        url = docs_blocks.page_url(english)
        up = "../" * (url.count("/") - chapter.folder.count("/") - 1)
        page = (site_dir / prefix / url / "index.html").read_text(encoding="utf-8")
        assert f'href="{up}notebook/"' in page
        assert f'href="{up}{download.name}"' in page
