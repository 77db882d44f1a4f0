"""MkDocs hooks (registered under `hooks:` in mkdocs.yml), run at every build.

1. Notebooks. Each chapter (see tools/notebooks.py) is offered as a Jupyter notebook
   in the language being built: rendered by mkdocs-jupyter at `<chapter>/notebook/`
   (in the navigation: mkdocs.yml lists it) and downloadable as
   `<chapter>/<chapter>[-zh].ipynb`. The notebooks are generated
   into .cache/notebooks/ (never committed) and are not executed here: the tests run
   them. mkdocs-static-i18n rebuilds the file list last (priority -100), which drops
   what mkdocs-jupyter did, so the notebooks are added after it, already wrapped as
   mkdocs-jupyter's `NotebookFile`, in i18n's own file list. The HTML mkdocs-jupyter
   makes of a notebook is kept in .cache/mkdocs-jupyter/ (a folder per language):
   a chapter whose notebook did not change is not converted again.
2. Versions. Every page with Python code says which transformers, torch and Python
   versions it was verified with, read from the installed environment, and links to
   its chapter's notebook.
3. Data. A binary file the notebooks download (the tiny model's checkpoint) is
   published once, at `files/<its path in the project>`, for every language; so
   are the files of the live demo ("Play with the tiny model"), at `files/live/`,
   exported first if their inputs changed (tools/live_model.py).
"""

from __future__ import annotations

import hashlib
import re
import sys
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tools` from the root

from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402
from mkdocs.structure.toc import get_toc  # noqa: E402

from tools import live_model, notebooks  # noqa: E402
from tools.paths import CACHE, ROOT  # noqa: E402
from tools import site  # noqa: E402

NOTEBOOK_PAGE = "notebook.ipynb"  # inside the chapter folder
# what turns a notebook into the page's HTML (mkdocs-jupyter's cache: below)
CONVERTERS = ("mkdocs-jupyter", "nbconvert", "pygments", "jupyterlab-pygments")


def notebook_html_cache(language: str) -> Path:
    """mkdocs-jupyter's cache of the notebooks' HTML in `language`. Its key is the
    notebook's bytes and the plugin's options, not the converter: so the folder is
    named after the versions of what converts too."""
    versions = " ".join(metadata.version(name) for name in CONVERTERS)
    return CACHE / "mkdocs-jupyter" / (
        f"{language}-{hashlib.sha256(versions.encode()).hexdigest()[:8]}")


@event_priority(-110)  # after mkdocs-static-i18n's on_files (-100)
def on_files(files, config):
    from mkdocs_jupyter.plugin import NotebookFile

    model, language = site.of(config), site.building(config)
    # mkdocs-jupyter keeps each notebook's HTML under its bytes' hash, and after a
    # build removes the entries that build did not use: with one folder for both
    # languages, each language's build removed the other's. One folder each.
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(
        notebook_html_cache(language))
    source_dir = CACHE / "notebooks" / language
    published: set[Path] = set()
    for chapter in model.chapters:
        notebook = notebooks.build(model, chapter, language, config["site_url"] or "")
        published.update(notebooks.downloaded_files("\n".join(
            c.source for c in notebook.cells if c.cell_type == "code")))
        page_src = f"{chapter.folder}/{NOTEBOOK_PAGE}"
        download_src = f"{chapter.folder}/{chapter.notebook_name(language)}"
        notebooks.write(notebook, source_dir / download_src)
        # the page shows the chapter's own cells (the set-up cells are for the
        # download) and the site's own figure files
        notebook = notebooks.build(model, chapter, language, config["site_url"] or "",
                                   embed_images=False)
        notebook.cells = [c for c in notebook.cells
                          if notebooks.TAG_SETUP not in c.metadata.get("tags", [])]
        notebooks.write(notebook, source_dir / page_src)
        page = File(page_src, str(source_dir), config["site_dir"],
                    config["use_directory_urls"])
        # what mkdocs-static-i18n's own files carry (the language switcher reads it)
        page.locale = page.locale_alternate_of = language
        page.localization = None if language == model.default else language
        page.norm_src_uri = page_src
        page.alternates = {lang: SimpleNamespace(url=model.url(page_src, lang))
                           for lang in model.codes}
        wrapped = NotebookFile(page, config["use_directory_urls"], config["site_dir"])
        wrapped.inclusion = page.inclusion  # a class attribute: not forwarded
        wrapped.url = model.url(page_src, language)
        wrapped.dest_path = wrapped.url + "index.html"
        wrapped.abs_dest_path = f"{config['site_dir']}/{wrapped.dest_path}"
        page.alternates[language] = wrapped
        files.append(wrapped)
        files.append(File(download_src, str(source_dir), config["site_dir"],
                          config["use_directory_urls"],
                          dest_uri=model.url(download_src, language).rstrip("/")
                          .removesuffix(".ipynb") + ".ipynb"))
    if language == model.default:  # once for every language's notebooks
        for path in sorted(published):
            files.append(Download(path.relative_to(ROOT).as_posix(), str(ROOT),
                                  config["site_dir"], config["use_directory_urls"],
                                  dest_uri=notebooks.published(path)))
        # the live demo's model, once for every language (built if stale)
        folder = live_model.build()
        for name in live_model.MODEL_FILES if folder else ():
            files.append(Download(folder.joinpath(name).relative_to(CACHE).as_posix(),
                                  str(CACHE), config["site_dir"],
                                  config["use_directory_urls"],
                                  dest_uri=live_model.PUBLISHED + name))
    return files


class Download(File):
    """A file copied as it is for the notebooks to download: a page's Markdown too,
    which MkDocs would otherwise render (and check the links of) as a page."""

    def is_documentation_page(self) -> bool:
        return False


def _is_notebook(page) -> bool:
    return (page.file.abs_src_path or "").endswith(".ipynb")


def on_page_markdown(markdown, page, config, files):
    if _is_notebook(page):
        # the chapter's pages are already in the search index
        page.meta["search"] = {"exclude": True}
        return markdown
    model, language = site.of(config), site.building(config)
    source = model.page(Path(page.file.abs_src_path))
    if not any(fence.kind == "python" for fence in source.fences):
        return markdown
    lines = [notebooks.versions_line(model, language)]
    if source.chapter is not None:
        name = source.chapter.notebook_name(language)
        lines.append(model.text("notebook_line", language).format(
            page=NOTEBOOK_PAGE, file=name, name=name))
    note = '!!! info verified-with ""\n\n' + "".join(
        f"    {line}\n\n" for line in lines)
    # right under the page title, or at the top when there is none
    head, sep, rest = markdown.partition("\n")
    if head.startswith("# "):
        return f"{head}\n\n{note}{rest}"
    return note + markdown


MERMAID = re.compile(r'<div class="jp-Mermaid"><pre class="mermaid">(.*?)</pre></div>',
                     re.DOTALL)
ANCHORED_HEADING = re.compile(
    r'<p><a id="(?P<anchor>[^"]+)"></a></p>\s*'
    r'<h(?P<level>[1-6]) id="[^"]*">(?P<title>.*?)'
    r'<a class="anchor-link" href="#[^"]*">(?P<mark>.*?)</a></h(?P=level)>',
    re.DOTALL)


def on_page_content(html, page, config, files):
    """Give a notebook's headings the pages' English anchors, and its TOC too.

    mkdocs-jupyter makes heading ids from ASCII letters only (empty for Chinese) and
    its TOC from other ids, so the anchors written into the notebook are used for both.
    """
    if not _is_notebook(page):
        return html
    tokens: list[dict] = []

    def retag(match: re.Match) -> str:
        anchor, level, title = match["anchor"], int(match["level"]), match["title"]
        tokens.append({"level": level, "id": anchor, "name": title, "children": []})
        return (f'<h{level} id="{anchor}">{title}<a class="anchor-link" '
                f'href="#{anchor}">{match["mark"]}</a></h{level}>')

    html = ANCHORED_HEADING.sub(retag, html)
    # nbconvert leaves diagrams for JupyterLab to draw (hidden until then): give
    # them the markup of the site's own pages, which the site's mermaid draws
    html = MERMAID.sub(lambda m: f'<pre class="mermaid"><code>{m[1].strip()}</code></pre>',
                       html)
    nested: list[dict] = []
    stack: list[dict] = []
    for token in tokens:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else nested).append(token)
        stack.append(token)
    page.toc = get_toc(nested)
    # the download beside the rendered notebook: it runs in any folder
    model, language = site.of(config), site.building(config)
    chapter = model.chapter_of(page.file.src_uri)
    name = chapter.notebook_name(language)
    return (f'<p class="notebook-download"><a href="../{name}" download="{name}">'
            f'{model.text("notebook_download", language)}</a></p>\n{html}')


JUPYTER_STYLE = re.compile(r"<style[^>]*>(?P<css>(?:(?!</style>).)*--jp-"
                           r"(?:(?!</style>).)*)</style>", re.DOTALL)


def on_post_page(output, page, config):
    """The stylesheet mkdocs-jupyter writes into every notebook page (JupyterLab's,
    over half a megabyte, the same each time) as one file, which a reader's browser
    loads once for all notebooks."""
    if not _is_notebook(page):
        return output
    match = max(JUPYTER_STYLE.finditer(output), key=lambda m: len(m["css"]),
                default=None)
    if match is None:
        return output
    css = match["css"].encode("utf-8")
    name = f"assets/stylesheets/jupyter-{hashlib.sha256(css).hexdigest()[:8]}.css"
    target = Path(config["site_dir"]) / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(css)
    href = "../" * page.url.count("/") + name
    return (output[:match.start()] + f'<link rel="stylesheet" href="{href}">'
            + output[match.end():])
