"""What a program saw when it ran, kept under a key of everything it ran from.

The notebooks (tests/site/test_notebooks.py), the code download
(tests/site/test_code_archive.py) and the benchmark's quick run
(tests/why_slow/test_benchmark.py) run in fresh processes: two minutes of every
`make test`, the same two minutes when nothing they run from changed; the browser's
survey of the built site (tests/site/test_reader.py), a minute per language. A `RunRecord` keeps what such a run reported, under a hash of its
inputs: the program (a notebook's JSON, the archive's bytes, the driver), the files
it downloads or reads, the test that runs it, and what every fresh process inherits
(`environment`): Python's and every package's version, the numeric configuration,
the offline Hugging Face cache's files and the tokenizer's, the variables that
configure them, the CPU's model and flags. The next run with the same key reads the
report back and the tests assert on it as on a new one; any changed input runs the
program again. As tools/built_site.py reuses a build, tools/update_examples.py an
output and tests/site/survey.py axe's findings. A fresh clone has no records: CI
runs them all.

A report names the run's temporary folder: `save` and `get` put `FOLDER` in its place,
so a report read back names this run's folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
from pathlib import Path

from tools.paths import CACHE

RECORDS = CACHE / "runs"
FOLDER = "{run folder}"  # a report's temporary folder, as records keep it
# Variables a fresh process reads besides the numeric ones (update_examples.NUMERICS)
CONFIGURING = ("HF_", "TRANSFORMERS_", "TOKENIZERS_", "INSIDE_PHI3_", "PHI3_",
               "PYTHON")


@functools.cache
def environment() -> str:
    """What a fresh process of this run inherits: the installed packages and the
    numeric configuration, the CPU, the configuring variables, and the bytes of the
    offline Hugging Face cache (the stand-in's weights) and of the tokenizer."""
    from tools.update_examples import _installed, tokenizer_dir

    digest = hashlib.sha256(_installed().encode())
    digest.update(_cpu().encode())
    for name, value in sorted(os.environ.items()):
        if name.startswith(CONFIGURING):
            digest.update(f"{name}={value}\n".encode())
    folders = [Path(os.environ[name]) for name in ("HF_HUB_CACHE",)
               if name in os.environ]
    folders += [tokenizer_dir()] if tokenizer_dir() else []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(f"{path} {_digest(path.read_bytes())}\n".encode())
    return digest.hexdigest()


def _cpu() -> str:
    """The CPU's model and flags: a run's floats and timings are this CPU's."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor()
    first = text.split("\n\n", 1)[0]  # the first processor's lines
    return "\n".join(line for line in first.splitlines()
                     if line.startswith(("model name", "flags", "Features",
                                         "CPU part")))


def files(*folders: Path, pattern: str = "*.py") -> list[str]:
    """The name and bytes of every `pattern` file under `folders`, as inputs."""
    return [f"{path}\n{_digest(path.read_bytes())}" for folder in folders
            for path in sorted(folder.rglob(pattern))
            if path.is_file() and "__pycache__" not in path.parts]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RunRecord:
    """The report of the run `name` made from `inputs` (bytes or text, in order)."""

    def __init__(self, name: str, inputs: list[bytes | str]):
        digest = hashlib.sha256(f"{name}\n{environment()}\n".encode())
        for item in inputs:
            data = item.encode() if isinstance(item, str) else item
            digest.update(f"{len(data)}:".encode() + data)
        self.key = digest.hexdigest()
        self.path = RECORDS / f"{hashlib.sha256(name.encode()).hexdigest()[:20]}.json"

    def get(self, folder: Path | None = None):
        """The report of a run from the same inputs, or None."""
        try:
            kept = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if kept.get("key") != self.key:
            return None
        text = json.dumps(kept["report"])
        if folder is not None:
            text = text.replace(json.dumps(FOLDER)[1:-1], json.dumps(str(folder))[1:-1])
        return json.loads(text)

    def save(self, report, folder: Path | None = None) -> None:
        """Keep `report` (JSON data) of a run that went to its end, for the next run
        from the same inputs: the tests assert on it then as they did now."""
        text = json.dumps(report)
        if folder is not None:
            text = text.replace(json.dumps(str(folder))[1:-1], json.dumps(FOLDER)[1:-1])
        from tools.update_examples import _write_atomically

        _write_atomically(self.path, json.dumps(
            {"key": self.key, "report": json.loads(text)}).encode("utf-8"))
