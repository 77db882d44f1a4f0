"""Read the Markdown pages the way MkDocs and pytest-codeblocks do.

pytest-codeblocks reads raw Markdown: it cannot see `--8<--` includes and silently
ignores fences such as ```` ```python title="x.py" ````. This module expands the
includes with pymdownx's own snippet preprocessor (the one MkDocs runs) and lists
every fence, so the tests can run what a reader sees and count what they ran.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
from pytest_codeblocks.main import CodeBlock

from tools.paths import DOCS, ROOT

# Fences a reader would take for Python, whatever pytest-codeblocks thinks of them.
PYTHON_INFO = re.compile(r"^(python3?|py|pycon|ipython)\b", re.IGNORECASE)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")
MARKER = re.compile(r"^\s*<!--[-\s]*(?P<body>pytest[.-].*?)-->\s*$")
SKIP_WITH_REASON = re.compile(r"pytest\.mark\.skip(if)?\(.*reason\s*=\s*['\"].+['\"]")
LANGUAGES = ("en", "zh")


def language_of(page: Path) -> str:
    """'zh' for `page.zh.md`, 'en' (the default language) otherwise."""
    suffixes = page.suffixes
    return suffixes[-2].lstrip(".") if len(suffixes) >= 2 else "en"


def page_url(src: str) -> str:
    """The site path MkDocs serves a docs-relative page at (directory URLs).

    'index.md' -> '', 'x/index.md' -> 'x/', 'x/y.md' -> 'x/y/'.
    """
    stem = src.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/"


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


@cache
def _snippet_preprocessor():
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(ROOT)], "check_paths": True}
        },
    )
    return md.preprocessors["snippet"]


def expand_includes(page: Path) -> str:
    """The page's Markdown with every `--8<--` include replaced by the file's text."""
    lines = page.read_text(encoding="utf-8").split("\n")
    return "\n".join(_snippet_preprocessor().run(lines))


@dataclass
class Fence:
    info: str  # the text after the backticks, e.g. 'python' or 'text title="Output"'
    lineno: int  # 1-based, in the expanded text
    code: str
    markers: list[str] = field(default_factory=list)  # HTML comments just above

    @property
    def is_python(self) -> bool:
        return bool(PYTHON_INFO.match(self.info.strip()))

    @property
    def is_continuation(self) -> bool:
        return any(m.strip() == "pytest-codeblocks:cont" for m in self.markers)

    @property
    def skip_reason_given(self) -> bool:
        return any(SKIP_WITH_REASON.search(m) for m in self.markers)


def scan_fences(text: str) -> list[Fence]:
    """Every fenced block in `text`, with the pytest markers written above it."""
    fences: list[Fence] = []
    markers: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = MARKER.match(line)
        fence = FENCE.match(line)
        if marker:
            markers.append(marker.group("body").strip())
        elif fence:
            start = i + 1  # 1-based line of the opening fence
            ticks = fence.group("ticks")
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(ticks):
                body.append(lines[i])
                i += 1
            info = fence.group("info").strip()
            fences.append(Fence(info, start, "\n".join(body), markers))
            markers = []
        elif line.strip():
            markers = []
        i += 1
    return fences


RUNNABLE = ("python", "sh", "bash")


def code_blocks(fences: list[Fence]) -> list[tuple[CodeBlock, int]]:
    """The runnable blocks, as pytest-codeblocks' `CodeBlock`s, with their fence counts.

    Unlike pytest-codeblocks' own reader, a `<!--pytest-codeblocks:cont-->` block
    continues the previous block *of its language*, so output fences and shell
    blocks may stand in between.
    """
    blocks: list[tuple[CodeBlock, int]] = []
    for fence in fences:
        if fence.info not in RUNNABLE:
            continue
        code = fence.code + "\n"
        if fence.is_continuation:
            # the previous block of the same language: a skipped ```sh block may
            # stand between two Python blocks of one program
            same = [i for i, (block, _) in enumerate(blocks) if block.syntax == fence.info]
            if not same:
                raise ValueError(f"line {fence.lineno}: nothing to continue")
            block, count = blocks[same[-1]]
            block.code += code
            blocks[same[-1]] = (block, count + 1)
            continue
        marks, importorskip = [], None
        for marker in fence.markers:
            if marker.startswith("pytest.mark."):
                marks.append(marker)
            elif marker.startswith("pytest-codeblocks:importorskip("):
                importorskip = marker.split("(", 1)[1].rstrip(")")
            else:
                raise ValueError(f"line {fence.lineno}: unsupported marker {marker!r}")
        blocks.append((CodeBlock(code, fence.lineno, fence.info, marks=marks,
                                 importorskip=importorskip), 1))
    return blocks
