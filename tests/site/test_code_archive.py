"""The code download, as a reader uses it: unzipped outside the repository, every
example run with `python -m snippets.<chapter>.<file>` from the folder it unzips to.

The archive is the built site's `inside-phi3-code.zip` (tools/site_hooks.py). Every
snippet with an output on a page runs, offline against the stand-in (the environment
conftest.py set up), in one process (torch is imported once), as `python -m` runs
it; one runs only until it has read its files (PARTLY, with the reason: the run must
stay within seconds). The process records every file it opens: none may be in the
repository but the stand-in's cache and the installed packages, and the `snippets`
modules it ran are the archive's. The outputs that do not depend on the weights (the
measurement of the pages) must be the ones the pages show. With the same archive,
driver and environment as an earlier run, that run's report stands in for the run
(tools/run_records.py): the tests assert on it as on a new one.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import summary_line
from tools import site_hooks
from tools.paths import ROOT
from tools.run_records import RunRecord
from tools.update_examples import output_file, shown_outputs

# Runs each module named on the command line as `python -m` would, in this folder;
# "module:section" runs the file only up to the end of that section ("module:", up to
# its first section).
DRIVER = """\
import contextlib, io, json, os, runpy, sys, traceback

opened = set()
sys.addaudithook(lambda event, args: opened.add(os.path.abspath(args[0]))
                 if event == "open" and isinstance(args[0], str) else None)
report = {}
for name in sys.argv[1:]:
    printed, error, ran = io.StringIO(), None, None
    try:
        with contextlib.redirect_stdout(printed):
            if ":" in name:
                module, section = name.split(":")
                ran = os.path.abspath(module.replace(".", "/") + ".py")
                code = open(ran, encoding="utf-8").read()
                # an empty section: only what comes before the first one
                end = f"# --8<-- [end:{section}]" if section else "# --8<-- [start:"
                code = code[:code.index(end)]
                exec(compile(code, ran, "exec"), {"__name__": "__main__",
                                                  "__file__": ran})
            else:
                ran = runpy.run_module(name, run_name="__main__",
                                       alter_sys=True)["__file__"]
    except SystemExit as stop:
        error = None if stop.code in (None, 0) else f"exit {stop.code!r}"
    except Exception:
        error = traceback.format_exc()
    report[name] = {"printed": printed.getvalue(), "error": error, "file": ran}
modules = sorted(m.__file__ for n, m in list(sys.modules.items())
                 if n.split(".")[0] == "snippets" and getattr(m, "__file__", None))
print("\\n" + json.dumps({"report": report, "modules": modules,
                          "opened": sorted(opened)}))
"""
# This chapter's outputs depend on the pages and the tokenizer only, not on weights.
WEIGHTLESS = ["snippets/tokens/chinese_cost.py"]
# snippet -> the section it runs to, and why not to the end
PARTLY = {
    "snippets/why_slow/quantization_quality.py": (
        "", "its imports run heldout_text.py, which reads its files (corpus, tokenizer, "
        "checkpoint's folder); its section measures for many seconds on the checkpoint "
        "that tiny_phi3.py, sampling.py and more load in full from the archive"),
}


def module_name(snippet):
    name = ".".join(snippet.relative_to(ROOT).with_suffix("").parts)
    partly = PARTLY.get(snippet.relative_to(ROOT).as_posix())
    return f"{name}:{partly[0]}" if partly else name


@pytest.fixture(scope="module")
def unzipped(site_dir, tmp_path_factory):
    archive = zipfile.ZipFile(io.BytesIO((site_dir / site_hooks.ARCHIVE).read_bytes()))
    folder = tmp_path_factory.mktemp("download")
    archive.extractall(folder)
    return folder / "inside-phi3"


@pytest.fixture(scope="module")
def ran(site_dir, unzipped):
    """What the driver reported; an earlier run's report when the archive, the
    driver, this test and the environment are the same (tools/run_records.py)."""
    snippets = sorted(set(shown_outputs()) | set(shown_outputs(real=True)))
    command = [sys.executable, "-c", DRIVER, *map(module_name, snippets)]
    record = RunRecord("code archive", [
        (site_dir / site_hooks.ARCHIVE).read_bytes(), "\n".join(command[1:]),
        Path(__file__).read_bytes()])
    report = record.get(unzipped)
    if report is None:
        result = subprocess.run(command, cwd=unzipped,
                                env=os.environ | {"PYTHONPATH": ""},
                                capture_output=True, text=True, timeout=1800)
        assert result.returncode == 0, result.stderr[-3000:]
        report = json.loads(result.stdout.rstrip().rsplit("\n", 1)[1])
        record.save(report, unzipped)
        summary_line("code download: every snippet ran from the archive")
    else:
        summary_line("code download: the archive, its driver and the environment are "
                     "those of an earlier run (its report reused)")
    return snippets, report


def test_the_archive_is_outside_the_repository(unzipped):
    assert not unzipped.is_relative_to(ROOT)
    assert (unzipped / "README.md").is_file()


def test_every_snippet_with_an_output_runs_from_the_archive(ran):
    snippets, found = ran
    assert len(found["report"]) == len(snippets) > 20
    failed = {name: run["error"][-1500:] for name, run in found["report"].items()
              if run["error"]}
    assert not failed, failed


def test_the_snippets_that_ran_are_the_archive_s(ran, unzipped):
    modules = ran[1]["modules"]
    assert modules and all(path.startswith(str(unzipped)) for path in modules)
    for name, run in ran[1]["report"].items():  # and the snippets run as scripts
        assert str(run["file"]).startswith(str(unzipped)), name


def test_nothing_was_read_from_the_repository(ran):
    allowed = [sys.prefix, os.environ["HF_HUB_CACHE"]]  # packages, the stand-in
    read = [path for path in ran[1]["opened"] if path.startswith(str(ROOT) + os.sep)
            and not any(path.startswith(a) for a in allowed)]
    assert ran[1]["opened"] and not read, read


def test_the_archive_holds_every_file_a_snippet_read(ran, unzipped):
    """The data files: the checkpoint, the pages, the benchmark's results."""
    opened = set(ran[1]["opened"])
    for name in ["snippets/scores_to_text/tiny-phi3/config.json",
                 "snippets/scores_to_text/tiny-phi3/corpus.txt",
                 "docs/why-slow/benchmark.json", "docs/index.zh.md"]:
        assert str(unzipped / name) in opened, name


@pytest.mark.real_tokenizer
@pytest.mark.parametrize("path", WEIGHTLESS)
def test_outputs_that_need_no_weights_are_the_pages_own(ran, path):
    snippet = ROOT / path
    printed = ran[1]["report"][module_name(snippet)]["printed"]
    for section in sorted(shown_outputs()[snippet]):
        assert output_file(snippet, section).read_text(encoding="utf-8") in printed
