"""Run a snippet file section by section and capture what each section prints.

Snippets mark the parts a page shows with pymdownx.snippets section markers::

    # --8<-- [start:tokenize]
    ...
    # --8<-- [end:tokenize]

`run_sections` executes the whole file top to bottom in one namespace (as
`python file.py` would) and returns the standard output of each named section.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"^\s*#\s*-+8<-+\s*\[\s*(start|end)\s*:\s*([A-Za-z][-\w]*)\s*\]\s*$")


@dataclass
class Chunk:
    section: str | None  # None for code outside any section
    first_line: int  # 1-based line number in the file
    code: str


def split_sections(path: Path) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: str | None = None
    lines: list[str] = []
    first = 1
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        marker = MARKER.match(line)
        if not marker:
            lines.append(line)
            continue
        kind, name = marker.groups()
        if kind == "start" and current is not None:
            raise ValueError(f"{path}:{number}: section {name!r} starts inside {current!r}")
        if kind == "end" and name != current:
            raise ValueError(f"{path}:{number}: end of {name!r} but {current!r} is open")
        chunks.append(Chunk(current, first, "\n".join(lines) + "\n"))
        current = name if kind == "start" else None
        lines, first = [], number + 1
    if current is not None:
        raise ValueError(f"{path}: section {current!r} is never closed")
    chunks.append(Chunk(None, first, "\n".join(lines) + "\n"))
    return [chunk for chunk in chunks if chunk.code.strip()]


def section_names(path: Path) -> list[str]:
    return [chunk.section for chunk in split_sections(path) if chunk.section]


def run_sections(path: Path, until: set[str] | None = None) -> dict[str, str]:
    """Execute `path`; return {section name: what it printed}.

    Code outside sections runs too; what it prints is returned under ''. With
    `until`, execution stops once all those sections have run (later sections may
    need what the caller can't provide, such as real weights).
    """
    path = Path(path)
    namespace = {"__name__": "__main__", "__file__": str(path)}
    waiting = set(until) if until else None
    printed: dict[str, str] = {}
    for chunk in split_sections(path):
        # Pad with blank lines so tracebacks point at the right line of the file.
        source = "\n" * (chunk.first_line - 1) + chunk.code
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(source, str(path), "exec"), namespace)
        key = chunk.section or ""
        printed[key] = printed.get(key, "") + buffer.getvalue()
        if waiting is not None:
            waiting.discard(key)
            if not waiting:
                break
    return printed


def main(argv: list[str] | None = None) -> int:
    """`python -m tools.sections FILE`: print {section: output} of FILE as JSON.

    The real-model tier runs each snippet this way, in a process of its own, so the
    memory of one snippet's model is free again before the next one loads.
    """
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    printed = run_sections(Path(args[0]))
    sys.stdout.write("\n" + json.dumps(printed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
