"""The site built once for everything that reads it: `built_site()`.

`mkdocs build --strict` takes tens of seconds. The tests of the built site
(tests/site/) run on whichever pytest-xdist worker gets them, and a page's loop
(`make test PAGE=...`) runs them again minutes later with nothing changed. So the
build goes into `.cache/site/<key>/`, where the key is a hash of everything the
build reads: the pages and their assets (docs/), the code they include (snippets/),
the machinery and hooks (tools/), mkdocs.yml, the pins the code archive carries
(pyproject.toml, requirements-lock.txt), the installed packages' versions and
the addresses it is built for. A file lock makes the second worker wait for the
first one's build instead of building again; an unchanged site is not built again at
all. Only a build that passed `--strict` is kept, so a cached folder is a passed build.

The site is built as a published copy is (README, "Publish your copy";
.github/workflows/ci.yml): under a sub-path of its host, with a repository to edit
its pages in. SITE_URL, REPO_URL and EDIT_URI (the variables the hooks read) are
`PUBLISHED`, whatever the environment says, and tests/site/ serves the build under
that sub-path: one build checks both what the pages do wherever they are served and
what depends on the address (canonical links, sitemap.xml, the 404 page's paths,
the notebooks' links, the edit links).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from filelock import FileLock

from tools import live_model
from tools.paths import CACHE, DOCS, ROOT, SNIPPETS

# pyproject.toml and the lock: the code archive carries the pins (tools/site_hooks.py)
INPUTS = [DOCS, SNIPPETS, ROOT / "tools", ROOT / "mkdocs.yml", ROOT / "pyproject.toml",
          ROOT / "requirements-lock.txt"]
ENVIRONMENT = ("SITE_URL", "REPO_URL", "EDIT_URI")  # read by tools/site_hooks.py
PUBLISHED = {"SITE_URL": "https://example.github.io/inside-phi3/",
             "REPO_URL": "https://github.com/example/inside-phi3",
             "EDIT_URI": "edit/main/docs/"}
FOLDER = CACHE / "site"
KEEP = 3  # built sites kept, newest first: a branch switch back finds its build


class BuildFailed(RuntimeError):
    """`mkdocs build --strict` failed; the message is the end of its output."""


def _files(path: Path):
    if path.is_file():
        yield path
        return
    for found in sorted(path.rglob("*")):
        if found.is_file() and "__pycache__" not in found.parts:
            yield found


def key() -> str:
    """A hash of everything the build reads; it changes when any of it does."""
    digest = hashlib.sha256()
    for source in INPUTS:
        for path in _files(source):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    # once each, whichever folders on sys.path list them; the project's own files are
    # hashed above
    versions = sorted({f"{d.metadata['Name']}=={d.version}"
                       for d in metadata.distributions()
                       if d.metadata["Name"] != "inside-phi3"})
    # the live demo's model files, built from inputs outside these folders too (the
    # tokenizer's files): their own key (tools/live_model.py)
    source = live_model.tokenizer_source()
    digest.update(json.dumps([versions, sys.version,
                              [PUBLISHED.get(k) for k in ENVIRONMENT],
                              source and live_model.key(source)]).encode())
    return digest.hexdigest()[:16]


def built_site() -> Path:
    """The folder of the built site for the files as they are now; builds if needed."""
    target = FOLDER / key()
    FOLDER.mkdir(parents=True, exist_ok=True)
    with FileLock(str(FOLDER / ".lock")):
        if record(target).is_file():
            return target
        scratch = FOLDER / f"{target.name}.building"
        shutil.rmtree(scratch, ignore_errors=True)
        mkdocs = Path(sys.executable).with_name("mkdocs")
        started = time.perf_counter()
        result = subprocess.run(
            [str(mkdocs), "build", "--strict", "--site-dir", str(scratch)],
            cwd=ROOT, capture_output=True, text=True,
            env={**os.environ, **PUBLISHED, "NO_MKDOCS_2_WARNING": "1"})
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise BuildFailed(result.stderr[-4000:])
        shutil.rmtree(target, ignore_errors=True)  # a build cut short earlier
        scratch.rename(target)
        record(target).write_text(json.dumps(  # written last: the build is whole
            {"seconds": round(time.perf_counter() - started, 1)}), "utf-8")
        _prune()
    return target


def served_path() -> str:
    """The sub-path the built site is served under: '/inside-phi3/'."""
    return urlsplit(PUBLISHED["SITE_URL"]).path


def record(folder: Path) -> Path:
    """Beside the built folder: written when its build has passed."""
    return folder.with_suffix(".json")


def report(folder: Path) -> dict:
    """What `built_site` recorded about the build in `folder` ({"seconds": ...})."""
    return json.loads(record(folder).read_text("utf-8"))


def _prune() -> None:
    records = sorted(FOLDER.glob("*.json"), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    for old in records[KEEP:]:
        shutil.rmtree(old.with_suffix(""), ignore_errors=True)
        old.unlink()
