"""One model of the site: its languages, navigation, chapters and pages.

Everything that reads a page gets it from here: the test collector (conftest.py), the
notebooks, the MkDocs hooks and the site-wide checks. No other module parses Markdown
or builds a page URL. The languages, the navigation and its translations come from
`mkdocs.yml` through MkDocs' own config loader; during a build the hooks pass the live
config instead (`Site(config)`).

A page is `docs/<chapter>/<slug>.md` in the default language and
`<slug>.<language>.md` in the others (mkdocs-static-i18n's suffix layout); its code is
in `snippets/<package>/` and its tests in `tests/<package>/`, where `<package>` is
the chapter folder with `-` written as `_` (`Chapter.package`).
"""

from __future__ import annotations

import base64
import copy
import itertools
import mimetypes
import os
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from tools.paths import DOCS, ROOT

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")
MARKER = re.compile(r"^\s*<!--[-\s]*(?P<body>pytest[.-].*?)-->\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
ANCHOR = re.compile(r"#(?P<id>[\w-]+)")
INCLUDE = re.compile(r'^\s*-{1,2}8<-{1,2}\s+"(?P<path>[^"]+?)(?::(?P<section>[-\w]+))?"')
# What a reader takes for Python, whatever pytest-codeblocks thinks of it.
PYTHON_INFO = re.compile(r"^(python3?|py|pycon|ipython)\b", re.IGNORECASE)
SKIP = re.compile(r"pytest\.mark\.skip(if)?\(")
SKIP_WITH_REASON = re.compile(r"pytest\.mark\.skip(if)?\(.*reason\s*=\s*['\"].+['\"]")
# A number in prose may name the computed fact it states: `3072<!--hidden_size-->`.
LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?P<rest>[^)]*)\)")
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+[\w-]+)*(?:\s+"(?P<title>.*)")?\s*$')
TAG_SKIP = "skip-execution"  # nbclient does not run notebook cells with this tag
FACT = re.compile(r"<!--\s*(?P<key>[a-z0-9][\w.]*)\s*-->")
NUMBER = re.compile(r"(?<![\w\-./#])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w\-])")
STATED = re.compile(r"(?<![\w\-./#])(?P<number>\d[\d,]*(?:\.\d+)?)(?P<fact>"
                    + FACT.pattern + ")")  # a number and the fact it names
NOT_PROSE = [
    re.compile(r"^\s*--8<--.*$", re.M),  # includes (code is masked separately)
    re.compile(r"`[^`\n]+`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"\{\s*[#.][^}]*\}"),  # heading anchors and attributes
    re.compile(r"<!--.*?-->", re.S),  # comments, fact names included
    re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S),  # math
    re.compile(r"<[^>\n]+>"),  # HTML tags and their attributes
]


# A page as `make new-page` starts it (tools/new_page.py): a heading, code, output.
NEW_PAGE = """\
# {title} {{ #{slug} }}

{lead}

```python
--8<-- "snippets/{package}/{module}.py:main"
```

```text title="{output}"
--8<-- "snippets/{package}/output/{module}/main.txt"
```
"""

@dataclass(frozen=True)
class Fence:
    info: str  # the text after the backticks, e.g. 'python' or 'text title="Output"'
    lineno: int  # 1-based, in the text it was read from
    code: str
    markers: tuple[str, ...] = ()  # the pytest markers (HTML comments) just above
    indent: str = ""

    @property
    def kind(self) -> str:
        return self.info.split()[0] if self.info else ""

    @property
    def runs(self) -> bool:
        """A fence pytest runs: exactly ```python (or a shell block)."""
        return self.info in ("python", "sh", "bash")

    @property
    def is_continuation(self) -> bool:
        return "pytest-codeblocks:cont" in self.markers

    @property
    def skip_reason(self) -> str | None:
        for marker in self.markers:
            if SKIP_WITH_REASON.search(marker):
                return re.search(r"reason\s*=\s*['\"](.+?)['\"]", marker)[1]
        return None

    def problems(self) -> list[str]:
        """Why this fence would not run as a reader expects (empty: it will)."""
        found = []
        if PYTHON_INFO.match(self.info) and self.info != "python":
            found.append(f"```{self.info} is not run by the tests; write ```python")
        for marker in self.markers:
            if SKIP.search(marker) and not SKIP_WITH_REASON.search(marker):
                found.append(f"{marker}: a skip needs reason=\"...\"")
            elif not (marker == "pytest-codeblocks:cont" or SKIP.search(marker)):
                found.append(f"unsupported marker {marker!r}")
        if self.is_continuation and len(self.markers) > 1:
            found.append("a continued block runs with the block it continues: "
                         "put the marker on that one")
        return found


def read_fences(text: str) -> list[Fence]:
    """Every fenced block of a Markdown text, with the pytest markers above it."""
    fences: list[Fence] = []
    markers: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        marker, fence = MARKER.match(lines[i]), FENCE.match(lines[i])
        if marker:
            markers.append(marker["body"].strip())
        elif fence:
            start, ticks = i + 1, fence["ticks"]
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(ticks):
                # inside an admonition the fence is indented: its code is not
                body.append(lines[i].removeprefix(fence["indent"]))
                i += 1
            fences.append(Fence(fence["info"].strip(), start, "\n".join(body),
                                tuple(markers), fence["indent"]))
            markers = []
        elif lines[i].strip():
            markers = []
        i += 1
    return fences


def package_of(folder: str) -> str:
    """docs/<folder> -> snippets/<package>, tests/<package>: `-` becomes `_`."""
    return folder.replace("-", "_") or "home"


def folder_of(package: str) -> str:
    return package.replace("_", "-")


# The end of every lesson page, the same anchors in every language (Study).
KEY_POINTS, EXERCISES = "key-points", "exercises"
SOLUTION = re.compile(r'^\?\?\?\s+success\s+"(?P<title>[^"]*)"\s*$')


@dataclass(frozen=True)
class Exercise:
    question: str  # the prose above its solution
    title: str  # the title of its collapsed solution block
    fences: tuple[Fence, ...]  # the fences inside that block, includes not expanded
    lineno: int  # of the solution block's first line

    @property
    def solutions(self) -> list[Fence]:
        """The Python blocks of the solution: the tests run them like any other."""
        return [fence for fence in self.fences if fence.kind == "python"]


@dataclass(frozen=True)
class Study:
    """A lesson page's last two sections: `## Key points { #key-points }`, a list
    of three to five, and `## Exercises { #exercises }`, two or three questions,
    each followed by its solution in a collapsed `??? success "Solution"` block
    (the titles in each language: mkdocs.yml's strings `key_points`, `exercises`,
    `solution`), whose code includes the page's exercise module
    (`Page.exercise_module`) and continues the page's program."""

    titles: dict[str, str]  # anchor -> the heading's title
    key_points: tuple[str, ...]
    exercises: tuple[Exercise, ...]
    last: bool  # nothing but these two sections after the key points


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    anchor: str | None
    lineno: int


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    default: bool
    nav_translations: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Chapter:
    folder: str  # relative to docs/, e.g. "model-example"
    title: str  # English, the navigation section's title
    pages: tuple[str, ...]  # English sources relative to docs/, navigation order

    @property
    def package(self) -> str:
        """The snippets/ and tests/ package of this chapter."""
        return package_of(self.folder)

    def notebook_name(self, language: str) -> str:
        """The file readers download, e.g. `model-example-zh.ipynb`."""
        return f"{self.folder}{'' if language == 'en' else '-' + language}.ipynb"


class Site:
    def __init__(self, config, docs: Path = DOCS):
        i18n = config.plugins["i18n"].config
        self.languages = tuple(
            Language(lang.locale, lang.name, bool(lang.default),
                     dict(lang.nav_translations or {}))
            for lang in i18n.languages)
        self.default = next(lang.code for lang in self.languages if lang.default)
        self.nav = _walk(config["nav"] or [], [])
        self.docs = docs
        self.site_url = config["site_url"] or ""
        self.i18n_fallback = i18n.fallback_to_default
        self.strings = {code: dict(strings) for code, strings in
                        (config["extra"].get("strings") or {}).items()}

    def reading(self, docs: Path) -> Site:
        """The same site with its pages read from another folder."""
        other = copy.copy(self)
        other.docs = docs
        other.__dict__.pop("chapters", None)
        return other

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def text(self, key: str, language: str) -> str:
        """The words the tools add to pages and notebooks (a label, a link, a line) in
        `language`: mkdocs.yml's `extra: strings: <language>:`."""
        try:
            return self.strings[language][key]
        except KeyError:
            raise KeyError(f"mkdocs.yml: no string {key!r} for the language "
                           f"{language!r} (extra: strings: {language}:)") from None

    def translate(self, title: str, language: str) -> str:
        lang = next(lang for lang in self.languages if lang.code == language)
        return lang.nav_translations.get(title, title)

    def language_of_url(self, url_path: str) -> str:
        """The language of a built page: 'zh/x/' -> 'zh', 'x/' -> the default."""
        first = url_path.split("/", 1)[0]
        return first if first in self.codes and first != self.default else self.default

    def language_of(self, path: Path) -> str:
        suffixes = path.suffixes
        code = suffixes[-2].lstrip(".") if len(suffixes) >= 2 else ""
        return code if code in self.codes else self.default

    def source(self, src: str, language: str) -> str:
        """`x/y.md` in `language`: `x/y.md` or `x/y.zh.md`."""
        return src if language == self.default else f"{src[:-3]}.{language}.md"

    def url(self, src: str, language: str) -> str:
        """The site path of the page `src` (English, docs-relative) in `language`.

        'index.md' -> '', 'x/index.md' -> 'x/', 'x/y.md' -> 'x/y/'; the other
        languages under '<language>/'. Notebooks (`x/notebook.ipynb`) likewise.
        """
        stem = re.sub(r"\.(md|ipynb)$", "", src)
        path = stem.removesuffix("index") if stem.split("/")[-1] == "index" \
            else f"{stem}/"
        return self.under(path, language)

    def under(self, url_path: str, language: str) -> str:
        """A path of the default language's site in `language`'s: 'x/' -> 'zh/x/'."""
        return url_path if language == self.default else f"{language}/{url_path}"

    def pages(self) -> list[Page]:
        return [Page(self, path) for path in sorted(self.docs.rglob("*.md"))]

    def page(self, path: Path) -> Page:
        return Page(self, Path(path))

    @cached_property
    def chapters(self) -> list[Chapter]:
        """Folders of docs/ whose pages hold Python code, in navigation order."""
        found: dict[str, list[str]] = {}
        pages = [(src, titles) for src, titles in self.nav if src.endswith(".md")]
        for src, _ in pages:
            folder = src.rsplit("/", 1)[0] if "/" in src else ""
            if folder and any(f.kind == "python" for f in self.page(
                    self.docs / src).fences):
                found.setdefault(folder, [])
        titles = dict(pages)  # a chapter's title: its section's, or its page's
        return [Chapter(folder, titles[srcs[0]][0] or folder, tuple(srcs))
                for folder in found
                for srcs in [[src for src, _ in pages if src.startswith(folder + "/")]]]

    def chapter_of(self, src: str) -> Chapter | None:
        folder = src.rsplit("/", 1)[0] if "/" in src else ""
        return next((c for c in self.chapters if c.folder == folder), None)


def _walk(items, sections) -> list[tuple[str, list[str]]]:
    """(page source, titles of the sections holding it, then its own), nav order."""
    found = []
    for item in items:
        for title, value in (item.items() if isinstance(item, dict) else [(None, item)]):
            if isinstance(value, list):
                found += _walk(value, [*sections, title])
            else:
                found.append((value, [*sections, title]))
    return found


@dataclass(frozen=True)
class Page:
    site: Site
    path: Path

    @property
    def language(self) -> str:
        return self.site.language_of(self.path)

    @property
    def src(self) -> str:
        """The default language's source, relative to docs/ (`x/y.md`)."""
        rel = self.path.relative_to(self.site.docs).as_posix()
        return re.sub(rf"\.{self.language}\.md$", ".md", rel)

    @property
    def url(self) -> str:
        return self.site.url(self.src, self.language)

    def counterpart(self, language: str) -> Path:
        return self.site.docs / self.site.source(self.src, language)

    @property
    def chapter(self) -> Chapter | None:
        return self.site.chapter_of(self.src)

    @property
    def folder(self) -> str:
        return self.src.rsplit("/", 1)[0] if "/" in self.src else ""

    @property
    def package(self) -> str:
        """This page's package under snippets/ and tests/ ('home' at the top)."""
        return package_of(self.folder)

    @cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def expanded(self) -> str:
        """The text with every `--8<--` include replaced by what it includes."""
        return expand_includes(self.text, self.site.docs.parent)

    @cached_property
    def fences(self) -> list[Fence]:
        """The fences a reader sees (includes expanded)."""
        return read_fences(self.expanded)

    @cached_property
    def includes(self) -> list[tuple[str, str | None]]:
        """(path, section) of every `--8<--` include, in order."""
        return [(m["path"], m["section"]) for m in map(INCLUDE.match,
                self.text.split("\n")) if m]

    @cached_property
    def headings(self) -> list[Heading]:
        found = []
        for number, line in enumerate(self.prose_lines(), 1):
            match = HEADING.match(line) if line.startswith("#") else None
            if match:
                anchor = ANCHOR.search(match["attrs"] or "")
                found.append(Heading(len(match["hashes"]), match["title"],
                                     anchor["id"] if anchor else None, number))
        return found

    def skeleton(self) -> dict:
        """What must be the same in every language: anchors, includes (a file written
        in each language, `x.md` and `x.zh.md`, counts as one), fence kinds."""
        kinds: dict[str, int] = {}
        for fence in read_fences(self.text):
            kinds[fence.kind or "(none)"] = kinds.get(fence.kind or "(none)", 0) + 1
        # A generated file in the page's language (`table.zh.md`, bench/report.py)
        # stands for the same include as the English page's `table.md`.
        suffix = re.compile(rf"\.{re.escape(self.language)}(\.\w+)$")
        includes = [(suffix.sub(r"\1", path), section)
                    for path, section in self.includes]
        return {"anchors": [h.anchor for h in self.headings],
                "includes": includes, "fences": kinds}

    @property
    def is_lesson(self) -> bool:
        """A page of a chapter other than its index: it ends with a `Study`."""
        return (self.chapter is not None and self.src in self.chapter.pages
                and not self.src.endswith("/index.md"))

    @property
    def exercise_module(self) -> str:
        """Where the solutions of this page's exercises live (its `Study`)."""
        slug = Path(self.src).stem.replace("-", "_")
        # joined, not an f-string: a literal "snippets/" would name the whole folder
        # as an input of every unit of `make update-examples` (_named_paths)
        return "/".join(("snippets", self.package, f"exercises_{slug}.py"))

    @cached_property
    def study(self) -> Study | None:
        """The key points and exercises that end the page (None: it has neither)."""
        lines = self.text.split("\n")
        levels = {h.anchor: h for h in self.headings}
        if KEY_POINTS not in levels and EXERCISES not in levels:
            return None

        def section(anchor: str) -> list[tuple[int, str]]:
            heading = levels.get(anchor)
            if heading is None:
                return []
            after = [h.lineno for h in self.headings
                     if h.lineno > heading.lineno and h.level <= heading.level]
            end = after[0] - 1 if after else len(lines)
            return list(enumerate(lines[heading.lineno:end], heading.lineno + 1))

        points: list[str] = []
        for _, line in section(KEY_POINTS):
            if line.startswith("- "):
                points.append(line[2:].strip())
            elif line.startswith("  ") and line.strip() and points:
                points[-1] += " " + line.strip()
        exercises: list[Exercise] = []
        question: list[str] = []
        rows = section(EXERCISES)
        i = 0
        while i < len(rows):
            number, line = rows[i]
            match = SOLUTION.match(line)
            if not match:
                question.append(line)
                i += 1
                continue
            block: list[str] = []
            i += 1
            while i < len(rows) and (not rows[i][1].strip()
                                     or rows[i][1].startswith("    ")):
                block.append(rows[i][1][4:])
                i += 1
            exercises.append(Exercise(" ".join(" ".join(question).split()),
                                      match["title"], tuple(read_fences(
                                          "\n".join(block))), number))
            question = []
        anchors = [h.anchor for h in self.headings]
        last = (anchors[-2:] == [KEY_POINTS, EXERCISES]
                and not " ".join(question).strip())
        return Study({h.anchor: h.title for h in self.headings
                      if h.anchor in (KEY_POINTS, EXERCISES)},
                     tuple(points), tuple(exercises), last)

    def study_problems(self) -> list[str]:
        """What this lesson's key points and exercises lack (empty: nothing)."""
        study, language = self.study, self.language
        if study is None:
            return ["no key points and exercises"]
        found = []
        titles = {KEY_POINTS: self.site.text("key_points", language),
                  EXERCISES: self.site.text("exercises", language)}
        for anchor, title in titles.items():
            if study.titles.get(anchor) != title:
                found.append(f"`## {title} {{ #{anchor} }}` missing")
        if not study.last:
            found.append("key points, then exercises, must end the page")
        if not 3 <= len(study.key_points) <= 5:
            found.append(f"{len(study.key_points)} key points, not 3 to 5")
        if not 2 <= len(study.exercises) <= 3:
            found.append(f"{len(study.exercises)} exercises, not 2 or 3")
        solution = self.site.text("solution", language)
        for number, exercise in enumerate(study.exercises, 1):
            where = f"exercise {number} (line {exercise.lineno})"
            if not exercise.question:
                found.append(f"{where}: no question above its solution")
            if exercise.title != solution:
                found.append(f"{where}: its solution is titled {exercise.title!r}")
            runs = [f for f in exercise.solutions if f.runs and f.skip_reason is None]
            if not runs or len(runs) != len(exercise.solutions):
                found.append(f"{where}: its solution needs Python blocks that run")
            for fence in runs:
                if not fence.is_continuation:
                    found.append(f"{where}: a solution continues the page's program")
                if f'"{self.exercise_module}:' not in fence.code:
                    found.append(f"{where}: a solution includes {self.exercise_module}")
        return found

    def links(self) -> list[str]:
        """The target of every link and image in prose."""
        return [m["target"] for m in LINK.finditer("\n".join(self.prose_lines()))]

    def tables(self) -> list[list[list[str]]]:
        """Every Markdown table: its rows (the header first), each a list of cells."""
        tables: list[list[list[str]]] = []
        previous = ""
        for line in self.prose_lines():
            if line.startswith("|"):
                if not previous.startswith("|"):
                    tables.append([])
                cells = _cells(line)
                if not set("".join(cells)) <= set("-: "):  # not the |---| line
                    tables[-1].append(cells)
            previous = line
        return tables

    def prose_lines(self) -> list[str]:
        """The raw lines with every fence's lines blanked (line numbers kept)."""
        lines = self.text.split("\n")
        for fence in read_fences(self.text):
            last = fence.lineno + fence.code.count("\n") + (1 if fence.code else 0)
            for i in range(fence.lineno - 1, min(last + 1, len(lines))):
                lines[i] = ""
        return lines

    @cached_property
    def prose(self) -> str:
        """The words a reader reads: no code, includes, link targets, math or HTML.

        Masked with spaces, so a position in it is a position in `prose_lines()`.
        """
        text = "\n".join(self.prose_lines())
        for pattern in NOT_PROSE:
            text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)
        return text

    def restated(self, facts: dict[str, str]) -> str:
        """The page's Markdown with every number that names a fact set to its value."""
        return STATED.sub(lambda m: facts.get(m["key"], m["number"]) + m["fact"],
                          self.text)

    def numbers(self) -> list[tuple[str, str | None]]:
        """(number, fact it names or None) for every number stated in prose.

        A number is two or more digits (`,` thousands separators allowed) or has a
        decimal part, and is not part of a name: "Phi-3", "4k", "bf16" are names.
        """
        raw = "\n".join(self.prose_lines())
        found = []
        for match in NUMBER.finditer(self.prose):
            number = match[0]
            if len(number.replace(",", "")) >= 2 or "." in number:
                fact = FACT.match(raw, match.end())
                found.append((number, fact["key"] if fact else None))
        return found


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode()


class NotebookMarkdown:
    """A page's Markdown, made to read well and link right inside a notebook."""

    def __init__(self, site: Site, chapter: Chapter, language: str, site_url: str,
                 embed_images: bool = True):
        self.site, self.chapter, self.language = site, chapter, language
        self.site_url = site_url.rstrip("/") + "/"
        # the downloaded notebook shows the figures of its language from the site it
        # was built for (from which it downloads the checkpoint too), embedded when
        # it has no address; the notebook's page links the site's files relatively
        self.embed_images = embed_images
        self.src = ""  # the English page being converted

    def anchor(self, src: str, anchor: str) -> str:
        """Pages of a chapter may share anchors: in the notebook they get the page's."""
        return f"{Path(src).stem}--{anchor}"

    def link(self, match: re.Match, page_path: Path) -> str:
        target, text, rest = match["target"], match["text"], match["rest"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            return match[0]  # external or absolute: unchanged
        path, _, anchor = target.partition("#")
        if not path:  # same page
            return f"[{text}](#{self.anchor(self.src, anchor)})"
        source = (page_path.parent / path).resolve()
        if match["bang"] and not source.is_file():
            return match[0]
        if match["bang"] and self.embed_images:
            if self.site_url != "/":  # the language's tree has its figure as x.svg
                figure = source.relative_to(self.site.docs).as_posix()
                url = self.site_url + self.site.under(figure, self.language)
                return f"![{text}]({url}{rest})"
            translated = source.with_suffix(f".{self.language}{source.suffix}")
            if self.language != self.site.default and translated.is_file():
                source = translated
            return f"![{text}]({_data_uri(source)}{rest})"
        if match["bang"]:  # from <chapter>/notebook/, in the same language's tree
            page = self.site.docs / self.chapter.folder / "notebook"
            return f"![{text}]({os.path.relpath(source, page)}{rest})"
        if not source.name.endswith(".md") or self.site.docs not in source.parents:
            return match[0]
        other = self.site.page(source)
        if other.src in self.chapter.pages:  # in this notebook: jump to the heading
            anchor = anchor or next((h.anchor for h in other.headings), "")
            return f"[{text}](#{self.anchor(other.src, anchor)})"
        url = self.site_url + self.site.url(other.src, self.language)
        return f"[{text}]({url}{'#' + anchor if anchor else ''})"

    def markdown(self, text: str, page_path: Path) -> str:
        fences = {f.lineno - 1: f for f in read_fences(text)}
        out: list[str] = []
        code: set[int] = set()  # lines of `out` inside fences: no links there
        quote, inside = False, -1  # in an admonition; last line of the open fence
        # Python inside an admonition (a solution) is a code cell of its own: out of
        # the quote, unindented; the quote resumes after it
        dedent, resume = "", False
        for number, line in enumerate(text.split("\n")):
            fence = fences.get(number)
            if number <= inside:
                code.add(len(out))  # a fence's body and closing line: unchanged
                line = line.removeprefix(dedent)
                if number == inside and resume:
                    out.append(line)
                    dedent, resume, quote = "", False, True
                    continue
            elif fence is not None:
                inside = number + fence.code.count("\n") + (2 if fence.code else 1)
                if quote and fence.indent and fence.kind == "python":
                    dedent, resume, quote = fence.indent, True, False
                    out.append("")
                extra = ""
                if fence.kind == "python" and fence.skip_reason:
                    note = self.site.text("skipped_block", self.language).format(
                        reason=fence.skip_reason)
                    out += [f"*{note}*", ""]
                    extra = f' tags=["{TAG_SKIP}"]'
                title = re.search(r'title="([^"]+)"', fence.info)
                if title and quote:  # inside an admonition: in its quote
                    out += [f"> *{title[1]}*", ">"]
                elif title:  # e.g. 'Output' above the printed text
                    out += [f"{fence.indent}*{title[1]}*", f"{fence.indent}".rstrip()]
                line = f"{fence.indent.removeprefix(dedent)}```{fence.kind}{extra}"
            elif MARKER.match(line):
                continue
            elif line.startswith("#") and HEADING.match(line):
                heading = HEADING.match(line)
                anchor = re.search(r"#([\w-]+)", heading["attrs"] or "")
                if anchor:
                    out += [f'<a id="{self.anchor(self.src, anchor[1])}"></a>', ""]
                line = f"{'#' * min(len(heading['hashes']) + 1, 6)} {heading['title']}"
            elif ADMONITION.match(line):
                title = ADMONITION.match(line)["title"]
                out.append(f"> **{title}**" if title else ">")
                quote = True
                continue
            if quote and line.strip() and not line.startswith("    "):
                quote = False
            if quote:
                line = "> " + line[4:] if line.strip() else ">"
            out.append(line)
        # links are rewritten in the prose only, one run of prose lines at a time
        runs = itertools.groupby(enumerate(out), key=lambda pair: pair[0] in code)
        return "\n".join(
            "\n".join(line for _, line in lines) if in_code else
            LINK.sub(lambda m: self.link(m, page_path),
                     "\n".join(line for _, line in lines))
            for in_code, lines in runs)


def _cells(line: str) -> list[str]:
    """Cells of a table row; a `|` inside `code` does not split."""
    cells, cell, in_code = [], "", False
    for char in line.strip().strip("|"):
        in_code ^= char == "`"
        if char == "|" and not in_code:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
    return [*cells, cell.strip()]


def expand_includes(text: str, root: Path = ROOT) -> str:
    """`text` with its includes expanded by pymdownx's snippet preprocessor, the one
    MkDocs runs, from `root` (mkdocs.yml's base_path)."""
    return "\n".join(_snippet_preprocessor(root).run(text.split("\n")))


@cache
def _snippet_preprocessor(root: Path):
    import markdown

    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={
        "pymdownx.snippets": {"base_path": [str(root)], "check_paths": True}})
    return md.preprocessors["snippet"]


def of(config) -> Site:
    """The model of the site MkDocs is building (the hooks' config), made once."""
    if "inside_phi3_site" not in config:
        config["inside_phi3_site"] = Site(config)
    return config["inside_phi3_site"]


def building(config) -> str:
    """The language mkdocs-static-i18n is building now."""
    i18n = config.plugins.get("i18n")
    return getattr(i18n, "current_language", None) or of(config).default


OUTPUT_FENCE = re.compile(
    r'(```text title=")([^"]+)("\n[ \t]*--8<-- "(?P<path>[^"]+?(\.real\.txt|\.txt))")')
# A snippet that loads the tiny Phi-3 trained in "From scores to text" (or trains it):
# it imports from train_tiny.py, or names the checkpoint's folder as train_tiny.py
# and quantization_quality.py do.
TINY_MODEL = re.compile(r"^\s*from snippets\.scores_to_text\.train_tiny import"
                        r"|[\"']snippets/scores_to_text/tiny-phi3/?[\"']", re.M)
SNIPPET_IMPORT = re.compile(r"^\s*(?:from|import)\s+(snippets(?:\.\w+)+)", re.M)


def uses_tiny_model(snippet: Path, root: Path = ROOT) -> bool:
    """Whether a snippet module computes with the tiny Phi-3 trained here: it loads
    the model itself (`TINY_MODEL`), or imports a snippet module that does (the
    exercises of a page continue that page's model)."""
    seen: set[Path] = set()
    todo = [snippet]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        code = path.read_text(encoding="utf-8")
        if TINY_MODEL.search(code):
            return True
        todo += [root.joinpath(*name.split(".")).with_suffix(".py")
                 for name in SNIPPET_IMPORT.findall(code)]
    return False


def output_kind(include: str, root: Path = ROOT) -> str:
    """Which model printed an output file: 'recorded' (a `.real.txt`, the real
    Phi-3-mini), 'tiny' (the snippet uses the tiny Phi-3 trained here,
    `uses_tiny_model`) or 'computed' (offline, without Phi-3's weights: meta device,
    the tokenizer, small experiments, the benchmark's random real-size weights)."""
    if include.endswith(".real.txt"):
        return "recorded"
    output = Path(include)  # snippets/<package>/output/<module>/<section>.txt
    snippet = root / output.parent.parent.parent / f"{output.parent.name}.py"
    return "tiny" if uses_tiny_model(snippet, root) else "computed"


def label_outputs(markdown: str, labels: dict[str, str]) -> str:
    """Each output fence's title followed by ` · label`, the label chosen by the
    model that printed the included file (`output_kind`)."""
    return OUTPUT_FENCE.sub(
        lambda m: f"{m[1]}{m[2]} · {labels[output_kind(m['path'])]}{m[3]}", markdown)


@cache
def load() -> Site:
    """The site of this repository, read from mkdocs.yml."""
    from mkdocs.config import load_config

    return Site(load_config(str(ROOT / "mkdocs.yml")))
