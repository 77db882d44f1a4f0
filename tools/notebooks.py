"""Each chapter as a Jupyter notebook, made from the chapter's own pages.

One source of truth: a notebook is the chapter's pages in navigation order, with
their `--8<--` includes expanded by `tools.docs_blocks` (the code and outputs a reader
sees on the site). Prose becomes Markdown cells, ```` ```python ```` fences become
code cells; output fences stay in the Markdown. A chapter is a folder of docs/ whose
English pages hold Python fences; there is one notebook per chapter and language.

Used by the MkDocs hook (tools/mkdocs_hooks.py, at build time, never committed) and
by tests/site/test_notebooks.py, which runs every notebook top to bottom.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import nbformat
import yaml

from tools import docs_blocks
from tools.paths import DOCS, ROOT

LANGUAGES = docs_blocks.LANGUAGES
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(\{[^}]*\})?\s*$")
ANCHOR = re.compile(r"\{[^}]*#(?P<id>[\w-]+)[^}]*\}\s*$")
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+[\w-]+)*(?:\s+"(?P<title>.*)")?\s*$')
LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?P<rest>[^)]*)\)")
TAG_SKIP = "skip-execution"  # nbclient does not run cells with this tag
TAG_RAISES = "raises-exception"  # nbclient accepts an error from these

TEXT = {
    "en": {
        "intro": "This notebook is the chapter **{title}** of *Inside Phi-3*, page by "
                 "page, generated from the same code as the site. Run the cells from the "
                 "top. {versions}",
        "skipped": "On the site this block is not run by the tests: {reason}",
    },
    "zh": {
        "intro": "这个笔记本就是《深入 Phi-3》的 **{title}** 一章，逐页排列，"
                 "由与网站相同的代码生成。请从上往下依次运行。{versions}",
        "skipped": "网站的测试不运行这一段：{reason}",
    },
}


def versions() -> dict[str, str]:
    """The versions the examples are verified with: those installed here."""
    return {
        "transformers": metadata.version("transformers"),
        "torch": metadata.version("torch").split("+")[0],
        "Python": ".".join(map(str, sys.version_info[:3])),
    }


def versions_line(language: str) -> str:
    found = versions()
    if language == "zh":
        return "验证环境：" + "、".join(f"{k} {v}" for k, v in found.items()) + "。"
    return "Verified with " + ", ".join(f"{k} {v}" for k, v in found.items()) + "."


class _Loader(yaml.SafeLoader):
    """mkdocs.yml with its `!!python/name:` tags read as plain strings."""


_Loader.add_multi_constructor(
    "tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)


@cache
def mkdocs_config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)


def nav_pages(nav: list | None = None) -> list[tuple[str, list[str]]]:
    """(page path, titles of the sections holding it), in navigation order."""
    found: list[tuple[str, list[str]]] = []

    def walk(items, sections):
        for item in items or []:
            if isinstance(item, str):
                found.append((item, sections))
                continue
            for title, value in item.items():
                if isinstance(value, list):
                    walk(value, [*sections, title])
                else:
                    found.append((value, sections))

    walk(nav if nav is not None else mkdocs_config().get("nav", []), [])
    return found


def nav_translations(language: str) -> dict[str, str]:
    for entry in mkdocs_config()["plugins"]:
        if isinstance(entry, dict) and "i18n" in entry:
            for lang in entry["i18n"]["languages"]:
                if lang["locale"] == language:
                    return lang.get("nav_translations") or {}
    return {}


def localized(page: str, language: str) -> str:
    """`model-example/x.md` -> `model-example/x.zh.md` for Chinese."""
    return page if language == "en" else page[: -len(".md")] + f".{language}.md"


@dataclass(frozen=True)
class Chapter:
    folder: str  # relative to docs/, e.g. "model-example"
    title: str  # English, from the navigation section
    pages: tuple[str, ...]  # English sources relative to docs/, navigation order

    def title_in(self, language: str) -> str:
        return nav_translations(language).get(self.title, self.title) \
            if language != "en" else self.title

    def notebook_name(self, language: str) -> str:
        """The file readers download, e.g. `model-example-zh.ipynb`."""
        suffix = "" if language == "en" else f"-{language}"
        return f"{self.folder}{suffix}.ipynb"


def _has_python(page: Path) -> bool:
    return any(f.is_python for f in docs_blocks.scan_fences(
        page.read_text(encoding="utf-8")))


def chapters(nav: list | None = None) -> list[Chapter]:
    """Folders of docs/ whose English pages hold Python fences, in navigation order."""
    in_nav = nav_pages(nav)
    english = [p for p in docs_blocks.pages() if docs_blocks.language_of(p) == "en"]
    folders: dict[str, list[str]] = {}
    for page in english:
        rel = page.relative_to(DOCS).as_posix()
        if "/" in rel and _has_python(page):
            folders.setdefault(rel.rsplit("/", 1)[0], [])
    order = {path: i for i, (path, _) in enumerate(in_nav)}
    result = []
    for folder in folders:
        pages = [p.relative_to(DOCS).as_posix() for p in english
                 if p.parent == DOCS / folder]
        pages.sort(key=lambda p: (order.get(p, len(order)), p))
        sections = dict(in_nav).get(pages[0]) or [folder]
        result.append(Chapter(folder, sections[-1], tuple(pages)))
    result.sort(key=lambda c: order.get(c.pages[0], len(order)))
    return result


def chapter_of(page_src: str, nav: list | None = None) -> Chapter | None:
    """The chapter of a page given as `folder/page.md` or `folder/page.zh.md`."""
    folder = page_src.rsplit("/", 1)[0] if "/" in page_src else ""
    return next((c for c in chapters(nav) if c.folder == folder), None)


def _page_title(text: str) -> str:
    for line in text.split("\n"):
        match = HEADING.match(line)
        if match and len(match.group("hashes")) == 1:
            return match.group("title")
    return ""


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode()


class _Converter:
    """Markdown of one page -> cells; links and images made to work in a notebook."""

    def __init__(self, chapter: Chapter, language: str, page_url: str):
        self.page = ""  # the English page being converted, e.g. 'x/next-token.md'
        self.chapter = chapter
        self.language = language
        self.page_url = page_url  # the URL of the rendered notebook, e.g. 'zh/x/notebook/'

    def link(self, match: re.Match, page: Path) -> str:
        target, text = match.group("target"), match.group("text")
        bang, rest = match.group("bang"), match.group("rest")
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            return match.group(0)  # external or absolute: unchanged
        path, _, anchor = target.partition("#")
        if not path:  # same page
            return f"[{text}](#{self.anchor(self.page, anchor)})"
        source = (page.parent / path).resolve()
        if bang:  # an image: embedded, so the notebook works anywhere
            return f"![{text}]({_data_uri(source)}{rest})" if source.is_file() \
                else match.group(0)
        rel = source.relative_to(DOCS).as_posix() if DOCS in source.parents else None
        if rel is None or not rel.endswith(".md"):
            return match.group(0)
        english = re.sub(r"\.(%s)\.md$" % "|".join(LANGUAGES), ".md", rel)
        if english in self.chapter.pages:  # in this notebook: jump to the heading
            if not anchor:
                anchor = _page_anchor(DOCS / localized(english, self.language))
            return f"[{text}](#{self.anchor(english, anchor)})"
        # another chapter: the page on the site, relative to the rendered notebook
        prefix = "" if self.language == "en" else f"{self.language}/"
        stem = english[: -len(".md")]
        url = prefix + (stem[: -len("index")] if stem.endswith("index") else stem + "/")
        href = posixpath.relpath(url or ".", self.page_url) + "/"
        href = href.replace("//", "/")
        return f"[{text}]({href}{'#' + anchor if anchor else ''})"

    @staticmethod
    def anchor(english_page: str, anchor: str) -> str:
        """Pages of a chapter may share anchors: in the notebook they get the page's."""
        return f"{Path(english_page).stem}--{anchor}"

    def markdown(self, lines: list[str], page: Path) -> str:
        out: list[str] = []
        quote = False
        for line in lines:
            if docs_blocks.MARKER.match(line):
                continue
            heading = HEADING.match(line)
            admonition = ADMONITION.match(line)
            if quote and line.strip() and not line.startswith("    "):
                quote = False
            if heading:
                anchor = ANCHOR.search(line)
                level = min(len(heading.group("hashes")) + 1, 6)
                title = heading.group("title")
                tag = f'<a id="{self.anchor(self.page, anchor.group("id"))}"></a>\n\n' \
                    if anchor else ""
                out.append(f"{tag}{'#' * level} {title}")
            elif admonition:
                quote = True
                title = admonition.group("title")
                out.append(f"> **{title}**" if title else ">")
            elif quote:
                out.append("> " + line[4:] if line.strip() else ">")
            else:
                out.append(line)
        text = "\n".join(out).strip("\n")
        return LINK.sub(lambda m: self.link(m, page), text)


def _page_anchor(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").split("\n"):
        if HEADING.match(line) and line.startswith("# "):
            anchor = ANCHOR.search(line)
            if anchor:
                return anchor.group("id")
    return ""


def _fence_lines(lines: list[str], start: int) -> int:
    """Index of the closing line of the fence opened at `lines[start]`."""
    ticks = docs_blocks.FENCE.match(lines[start]).group("ticks")
    end = start + 1
    while end < len(lines) and not lines[end].lstrip().startswith(ticks):
        end += 1
    return end


def notebook_url(chapter: Chapter, language: str) -> str:
    """Where the rendered notebook is on the site (directory URLs)."""
    prefix = "" if language == "en" else f"{language}/"
    return f"{prefix}{chapter.folder}/notebook/"


def build(chapter: Chapter, language: str) -> nbformat.NotebookNode:
    """The chapter as a notebook in `language` ('en' or 'zh')."""
    text = TEXT[language]
    converter = _Converter(chapter, language, notebook_url(chapter, language))
    cells = [nbformat.v4.new_markdown_cell(
        f'<a id="{chapter.folder}"></a>\n\n# {chapter.title_in(language)}\n\n'
        + text["intro"].format(
            title=chapter.title_in(language), versions=versions_line(language)))]
    for english in chapter.pages:
        page = DOCS / localized(english, language)
        if not page.is_file():
            continue  # a missing translation: tests/site/test_parity.py reports it
        converter.page = english
        expanded = docs_blocks.expand_includes(page)
        fences = {f.lineno - 1: f for f in docs_blocks.scan_fences(expanded)}
        lines = expanded.split("\n")
        prose: list[str] = []
        i = 0
        while i < len(lines):
            fence = fences.get(i)
            if fence is None or fence.info != "python":
                if fence is not None:  # output, mermaid...: stays Markdown
                    end = _fence_lines(lines, i)
                    indent = docs_blocks.FENCE.match(lines[i]).group("indent")
                    lang = fence.info.split()[0] if fence.info else ""
                    label = re.search(r'title="([^"]+)"', fence.info)
                    if label:  # e.g. 'Output' above the printed text
                        prose.extend([f"{indent}*{label.group(1)}*", ""])
                    prose.append(f"{indent}```{lang}")
                    prose.extend(lines[i + 1: end])
                    prose.append(f"{indent}```")
                    i = end + 1
                    continue
                prose.append(lines[i])
                i += 1
                continue
            markdown = converter.markdown(prose, page)
            if markdown.strip():
                cells.append(nbformat.v4.new_markdown_cell(markdown))
            prose = []
            end = _fence_lines(lines, i)
            code = "\n".join(lines[i + 1: end])
            indent = docs_blocks.FENCE.match(lines[i]).group("indent")
            if indent:
                code = "\n".join(line[len(indent):] for line in code.split("\n"))
            cell = nbformat.v4.new_code_cell(code.strip("\n"))
            tags = []
            for marker in fence.markers:
                if marker.startswith("pytest.mark.skip"):
                    tags.append(TAG_SKIP)
                    reason = re.search(r"reason\s*=\s*['\"](.+?)['\"]", marker)
                    if reason:
                        cells.append(nbformat.v4.new_markdown_cell(
                            "*" + text["skipped"].format(reason=reason.group(1)) + "*"))
                elif marker.startswith("pytest.mark.xfail"):
                    tags.append(TAG_RAISES)
            if tags:
                cell.metadata["tags"] = tags
            cells.append(cell)
            i = end + 1
        markdown = converter.markdown(prose, page)
        if markdown.strip():
            cells.append(nbformat.v4.new_markdown_cell(markdown))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3",
                       "language": "python"},
        "language_info": {"name": "python"},
    })
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"  # stable ids: the same pages give the same file
    nbformat.validate(notebook)
    return notebook


def write(chapter: Chapter, language: str, path: Path) -> Path:
    """Write the notebook to `path` unless it already holds exactly this text."""
    content = nbformat.writes(build(chapter, language)) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != content:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return path
