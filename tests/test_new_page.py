"""Adding a page takes the four steps of CONTRIBUTING.md ("Adding a page").

They are followed here in a throwaway copy of the project: `make new-page` (the
scaffold, `tools/new_page.py`) for a page in a new chapter, which builds (strict, both
languages) and passes its tests as it is; then `make update-examples`, which finds
the output the scaffold wrote up to date.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from mkdocs.config import load_config

from tools import built_site, hfcache, site
from tools.paths import ROOT

COPIED = ["docs", "snippets", "tools", "bench", "tests/__init__.py", "tests/helpers.py",
          "tests/data", "tests/site", "mkdocs.yml", "conftest.py", "pyproject.toml",
          "requirements-lock.txt"]


def start(*command, cwd, env=None):
    return subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
             "PHI3_TOKENIZER_DIR": str(hfcache.real_tokenizer_dir()), **(env or {})})


def finish(process) -> str:
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, f"{process.args}:\n{output[-3000:]}"
    return output


@pytest.mark.real_tokenizer  # `make update-examples` computes with it
def test_a_new_page_in_four_steps(tmp_path):
    copy = tmp_path / "project"
    for name in COPIED:
        source, target = ROOT / name, copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    # the stand-in, built already; the rest of .cache/ (notebooks the build writes,
    # the site, records) is the copy's own: the project's build may run meanwhile
    (copy / ".cache").mkdir()
    (copy / ".cache" / "hf").symlink_to(ROOT / ".cache" / "hf")
    # and the live demo's export (tools/live_model.py): the same inputs, the same key
    (ROOT / ".cache" / "live").mkdir(parents=True, exist_ok=True)
    (copy / ".cache" / "live").symlink_to(ROOT / ".cache" / "live")
    # the other chapters' notebooks as HTML, kept by their bytes: a copy, as the
    # copy's build removes what it does not use (tools/mkdocs_hooks.py)
    converted = ROOT / ".cache" / "mkdocs-jupyter"
    if converted.is_dir():
        shutil.copytree(converted, copy / ".cache" / converted.name)
    python = sys.executable
    # 1. the scaffold
    finish(start(python, "-m", "tools.new_page", "--chapter", "first-steps", "--slug",
                 "hello", "--title", "Hello, tensors", "--section", "First steps",
                 "--title-zh", "你好，张量", cwd=copy))
    output = copy / "snippets/first_steps/output/hello/main.txt"
    assert output.read_text() == "torch.Size([2, 3])\n"  # the page includes it
    # as it is, the page's tests pass and the site builds, side by side
    # for the address the project's build is made for (tools/built_site.py), so the
    # other chapters' notebooks are the same bytes
    build = start(str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--strict",
                  "--site-dir", str(tmp_path / "site"), cwd=copy,
                  env=built_site.PUBLISHED)
    finish(start(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 "docs/first-steps", "tests/first_steps", "tests/site/test_parity.py",
                 "-k", "not built", cwd=copy))
    finish(build)
    # 2. (the author writes the code and the prose) 3. the outputs shown on the page:
    # the scaffold's is what `make update-examples` computes
    printed = finish(start(python, "-m", "tools.update_examples",
                           "snippets/first_steps/hello.py", cwd=copy))
    assert "0 output file(s) updated." in printed, printed
    assert output.read_text() == "torch.Size([2, 3])\n"
    model = site.Site(load_config(str(copy / "mkdocs.yml")), copy / "docs")
    chapter = next(c for c in model.chapters if c.folder == "first-steps")
    assert (chapter.title, chapter.pages) == ("First steps", ("first-steps/hello.md",))
    for url in ("first-steps/hello/", "zh/first-steps/hello/", "zh/first-steps/notebook/"):
        assert (tmp_path / "site" / url / "index.html").is_file(), url
    assert "你好，张量" in (tmp_path / "site/zh/first-steps/hello/index.html").read_text()
