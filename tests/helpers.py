"""Small helpers shared by the test modules."""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.abc
import importlib.machinery
import io
import json
import os
import runpy
import sys
from pathlib import Path

import pytest

from tools.paths import ROOT


IMPORTED: dict[str, str] = {}  # snippet module -> what it printed when imported


class _RecordingLoader(importlib.machinery.SourceFileLoader):
    """Runs a snippet module's code as an import does, and keeps what it prints."""

    def exec_module(self, module):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            super().exec_module(module)
        IMPORTED[module.__name__] = printed.getvalue()


class SnippetImports(importlib.abc.MetaPathFinder):
    """Installed by conftest.py with the stand-in: `snippets.*` modules are imported
    with `_RecordingLoader`, so `run_script` can reuse an import's run."""

    def find_spec(self, name, path, target=None):
        if not name.startswith("snippets."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        plain = importlib.machinery.SourceFileLoader
        if spec is not None and type(spec.loader) is plain:
            spec.loader = _RecordingLoader(spec.loader.name, spec.loader.path)
        return spec


@functools.cache
def run_script(path: str | Path, *args: str) -> str:
    """Run a snippet as a reader would (`python snippets/x/y.py ARGS`); its stdout.

    It runs as `__main__` with `sys.argv` set, in this process (a new process per
    script would spend seconds importing torch each time), with the environment
    conftest.py set up: the offline stand-in unless --real-model. Once per test run:
    the tests that call it again get the same output. And once with the tests'
    imports: a snippet without arguments and without an `if __name__ == "__main__":`
    part runs the same code when imported, so with the stand-in (`SnippetImports`)
    its import is its run: imported here if no test imported it yet, and what it
    printed then is returned.
    """
    script = ROOT / path
    name = ".".join(script.relative_to(ROOT).with_suffix("").parts)
    recording = any(isinstance(finder, SnippetImports) for finder in sys.meta_path)
    reuse_import = (not args and recording
                    and "__main__" not in script.read_text(encoding="utf-8"))
    stdout = io.StringIO()
    saved_argv = sys.argv
    sys.argv = [str(script), *args]
    try:
        if reuse_import:
            importlib.import_module(name)
        else:
            with contextlib.redirect_stdout(stdout):
                runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        if isinstance(stop.code, str) and stop.code.startswith("Not enough memory"):
            pytest.skip(stop.code.splitlines()[0])  # the pre-flight check, real weights
        if stop.code not in (None, 0):
            raise AssertionError(f"{path} exited with {stop.code!r}") from None
    finally:
        sys.argv = saved_argv
    return IMPORTED.get(name, "") if reuse_import else stdout.getvalue()


def chapter_facts(package: str) -> dict[str, str]:
    """The facts `make update-examples` computed for tests/<package>/facts.json."""
    path = ROOT / "tests" / package / "facts.json"
    return json.loads(path.read_text(encoding="utf-8"))["facts"]


SUMMARY = ROOT / "artifacts" / "summary"  # lines for the end of the test report


def summary_line(text: str) -> None:
    """A line for the end of the test report, also from a pytest-xdist worker (whose
    own terminal summary is never shown): conftest.py prints these files."""
    SUMMARY.mkdir(parents=True, exist_ok=True)
    with open(SUMMARY / f"{os.getpid()}.txt", "a", encoding="utf-8") as lines:
        lines.write(text + "\n")
