"""Small helpers shared by the test modules."""

from __future__ import annotations

import contextlib
import functools
import io
import runpy
import sys
from pathlib import Path

import pytest

from tools.paths import ROOT


@functools.cache
def run_script(path: str | Path, *args: str) -> str:
    """Run a snippet as a reader would (`python snippets/x/y.py ARGS`); return its stdout.

    It runs as `__main__` with `sys.argv` set, in this process (a new process per
    script would spend seconds importing torch each time), with the environment
    conftest.py set up: the offline stand-in unless --real-model. Once per test run:
    the tests that call it again get the same output.
    """
    script = ROOT / path
    stdout = io.StringIO()
    saved_argv = sys.argv
    sys.argv = [str(script), *args]
    try:
        with contextlib.redirect_stdout(stdout):
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        if isinstance(stop.code, str) and stop.code.startswith("Not enough memory"):
            pytest.skip(stop.code.splitlines()[0])  # the pre-flight check, real weights
        if stop.code not in (None, 0):
            raise AssertionError(f"{path} exited with {stop.code!r}") from None
    finally:
        sys.argv = saved_argv
    return stdout.getvalue()
