"""Small helpers shared by the test modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tools.paths import ROOT


def run_script(path: str | Path, *args: str, timeout: float = 600) -> str:
    """Run a snippet as a reader would (`python snippets/x/y.py`); return its stdout.

    It runs in a fresh process from a folder outside the repository, with the
    environment conftest.py set up (the offline stand-in unless --real-model).
    """
    script = ROOT / path
    result = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=script.parent,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{path} exited with {result.returncode}\n--- stderr ---\n{result.stderr[-4000:]}"
        )
    return result.stdout
