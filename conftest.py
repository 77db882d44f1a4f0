"""Test set-up for tests/ and docs/: see CONTRIBUTING.md, "How the tests work".

1. Mode. By default the tests never touch the network: before anything imports
   huggingface_hub, `tools.hfcache.activate("standin")` points the Hugging Face cache at
   a local stand-in for microsoft/Phi-3-mini-4k-instruct (same class and module names,
   tiny sizes, seeded random weights, the real tokenizer when ../shared/phi3-tokenizer
   exists) and sets HF_HUB_OFFLINE=1. Environment variables reach the code blocks and
   the snippet scripts, so they run unchanged. `pytest --real-model` skips this and
   uses the real weights (network or an existing cache).
2. Pages. Every docs/**/*.md page is collected: `tools.site` reads it as a reader
   sees it (includes expanded with pymdownx's snippet preprocessor) and each program
   runs as a pytest-codeblocks test item, in both languages.
   A fence that would not run as a reader expects (a Python fence with a title, a
   skip without a reason, an unknown marker: `site.Fence.problems`) fails at
   collection, and the summary says how many Python fences of each language ran.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
from pathlib import Path

REAL_MODEL = "--real-model" in sys.argv or os.environ.get("INSIDE_PHI3_REAL_MODEL") == "1"
if not REAL_MODEL:
    # Tiny models gain nothing from a second thread, and on a busy 2-core machine
    # competing thread pools made the suite ten times slower. Set before torch is
    # imported; it reaches the subprocesses and notebook kernels too.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from tools import hfcache

    hfcache.activate("standin")  # before anything imports huggingface_hub
    from tests.helpers import SnippetImports

    # a snippet imported by its tests is also its run as a script (run_script)
    sys.meta_path.insert(0, SnippetImports())

import pytest  # noqa: E402
from pytest_codeblocks.main import CodeBlock  # noqa: E402
from pytest_codeblocks.plugin import TestBlock  # noqa: E402

from tools import site  # noqa: E402
from tools.paths import DOCS  # noqa: E402

PASSED: dict[str, str] = {}  # program code -> the test that ran it and passed


class PageProgram(TestBlock):
    """A page's program. The same code on another page (the other language's: both
    include the same snippets) ran once already: it passes with that test."""

    def runtest(self):
        first = PASSED.get(self.obj.code)
        if first is None:
            super().runtest()
            PASSED[self.obj.code] = self.nodeid
        else:
            self.user_properties.append(("same_program_as", first))


PROGRAM = PageProgram
if REAL_MODEL:  # real-size models: a page's memory is freed when its process ends
    from tools.rehearse import OwnProcessBlock

    class RealPageProgram(PageProgram, OwnProcessBlock):
        """A page's program in a process of its own (once for identical pages)."""

    PROGRAM = RealPageProgram


@pytest.hookimpl(optionalhook=True)  # only with pytest-xdist
def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist (`make test` runs two workers): a page and its translations
    go to one worker, so the second language reuses the first one's run
    (`PageProgram`); every test module is one unit of work too (its fixtures are
    module-scoped). Units start longest first, by the times of the last run; behind
    a long single test, the shortest waits (`suite_times.companion`)."""
    from xdist.scheduler import LoadScopeScheduling

    from tools import suite_times

    class PagesTogether(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid):
            return suite_times.scope_of(nodeid)

        def _assign_work_unit(self, node):
            if not self.ordered:  # the queue is full now: longest first
                self.ordered = True
                for scope in suite_times.longest_first(list(self.workqueue)):
                    self.workqueue.move_to_end(scope)
            held = [(scope, work) for scope, work in self.assigned_work[node].items()
                    if not all(work.values())]
            if len(held) == 1:  # behind one long test: the shortest unit waits
                chosen = suite_times.companion(held[0][0], len(held[0][1]),
                                               list(self.workqueue))
                if chosen:
                    self.workqueue.move_to_end(chosen, last=False)
            super()._assign_work_unit(node)

    return PagesTogether(config, log)


def pytest_addoption(parser):
    parser.addoption(
        "--real-model",
        action="store_true",
        help="run against the real Phi-3 weights (needs the network or a Hugging "
        "Face cache) and check the outputs recorded from the real model",
    )


def pytest_configure(config):
    for line in (
        "real_model: needs the real Phi-3 weights; runs only with --real-model",
        "standin: checks the offline stand-in itself; skipped with --real-model",
        "real_tokenizer: needs the real Phi-3 tokenizer (../shared/phi3-tokenizer)",
        "browser: drives headless Chromium against the built site",
        "numeric: compares numbers torch computed (given by conftest.py to every test "
        "whose code compares tensors); `make test-numerics` runs these again under a "
        "second numeric configuration",
    ):
        config.addinivalue_line("markers", line)


def real_tokenizer_available() -> bool:
    if REAL_MODEL:
        return True  # from the Hub or the cache, like the weights
    from tools import hfcache

    return hfcache.real_tokenizer_dir() is not None


def pytest_report_header(config):
    if REAL_MODEL:
        return ["inside-phi3 mode: REAL MODEL (--real-model): real Phi-3-mini weights and "
                "tokenizer, and microsoft/Phi-3-medium-4k-instruct's config, from the Hub "
                "or the Hugging Face cache; each page runs in a process of its own"]
    from bench import peers
    from tools import hfcache

    lines = [f"inside-phi3 mode: {hfcache.describe('standin')}"]
    if peers.missing_extras():  # the other runtimes of "Why is it slow on a CPU?"
        lines.append("peer benchmark (ONNX Runtime GenAI, llama.cpp) NOT tested: the "
                     f"`peers` extra is not installed ({peers.INSTALL_HINT}; "
                     "`make bench` installs it)")
    return lines


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and DOCS in file_path.parents:
        return DocsPage.from_parent(parent, path=file_path)
    return None


class DocsPage(pytest.File):
    """One page, includes expanded: each program (a block and the blocks that
    continue it) is one test. A fence that would not run fails collection."""

    def collect(self):
        page = site.load().page(self.path)
        programs: list[tuple[site.Fence, list[str]]] = []
        for fence in page.fences:
            problems = fence.problems()
            if problems:
                raise pytest.Collector.CollectError(
                    f"{self.path.name}:{fence.lineno}: " + "; ".join(problems))
            if not fence.runs:
                continue
            if fence.is_continuation:
                # continues the previous program of its language: output fences
                # and a skipped shell block may stand in between
                same = [p for p in programs if p[0].info == fence.info]
                if not same:
                    raise pytest.Collector.CollectError(
                        f"{self.path.name}:{fence.lineno}: nothing to continue")
                same[-1][1].append(fence.code)
            else:
                programs.append((fence, [fence.code]))
        for first, codes in programs:
            block = CodeBlock("\n".join(codes) + "\n", first.lineno, first.info,
                              marks=[m for m in first.markers if m.startswith("pytest.")])
            item = PROGRAM.from_parent(self, name=f"line {first.lineno}", obj=block)
            for mark in block.marks:
                item.add_marker(eval(mark, {"sys": sys, "pytest": pytest}))
            if first.info == "python":
                item.user_properties.append(("python_fences", (page.language,
                                                               len(codes))))
            yield item


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Skip what this mode can't run."""
    skips = {
        "real_model": (not REAL_MODEL, "needs the real Phi-3 weights: run `make "
                       "test-real` (pytest --real-model) with the network or a cache"),
        "standin": (REAL_MODEL, "checks the offline stand-in, not used with --real-model"),
        "real_tokenizer": (not real_tokenizer_available(), "the real Phi-3 tokenizer "
                           "is not at ../shared/phi3-tokenizer (set PHI3_TOKENIZER_DIR)"),
    }
    for item in items:
        for keyword, (skip, reason) in skips.items():
            if skip and keyword in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
        if compares_numbers(item):
            item.add_marker(pytest.mark.numeric)


COMPARES = re.compile(r"assert_close|torch\.equal|allclose")


def compares_numbers(item) -> bool:
    """A test whose verdict depends on the numbers torch computes: a page program or
    a test module that compares tensors (and tests marked `numeric` by hand: the
    computed outputs' check). The same verdict on every CPU is checked by running
    these under a second numeric configuration (`make test-numerics`)."""
    if isinstance(item, PageProgram):
        return bool(COMPARES.search(item.obj.code))
    path = getattr(item, "path", None)
    return (path is not None and path.suffix == ".py"
            and bool(COMPARES.search(_source(path))))


@functools.cache
def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


SECONDS: dict[str, float] = {}  # unit of work -> seconds, this run


def pytest_sessionstart(session):
    # the controller, or no xdist; not a `--collect-only` run inside this one
    # (tests/test_commands.py), which would wipe the lines this run's tests left
    config = session.config
    if not (hasattr(config, "workerinput") or config.option.collectonly):
        from tests.helpers import SUMMARY

        shutil.rmtree(SUMMARY, ignore_errors=True)


def pytest_runtest_logreport(report):
    from tools import suite_times

    scope = suite_times.scope_of(report.nodeid)
    SECONDS[scope] = SECONDS.get(scope, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    if not hasattr(session.config, "workerinput") and SECONDS:
        from tools import suite_times

        suite_times.save(SECONDS)


def pytest_terminal_summary(terminalreporter):
    """The lines the tests left for the report (tests.helpers.summary_line), and how
    many Python fences of each language ran."""
    from tests.helpers import SUMMARY

    lines = [line for part in sorted(SUMMARY.glob("*.txt"))
             for line in part.read_text("utf-8").splitlines()]
    for line in dict.fromkeys(lines):  # once, when both workers say it
        terminalreporter.write_line(line)
    _fence_summary(terminalreporter)


def _fence_summary(terminalreporter):
    """How many of each language's Python fences ran and passed, skipped or failed;
    'shared': passed as the same code as another page's run (the other language's)."""
    outcomes: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "skipped", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            properties = dict(getattr(report, "user_properties", []))
            if "python_fences" in properties and report.when in ("call", "setup"):
                language, count = properties["python_fences"]
                counts = outcomes.setdefault(language, {})
                counts[outcome] = counts.get(outcome, 0) + count
                if "same_program_as" in properties:
                    counts["shared"] = counts.get("shared", 0) + count
    if outcomes:
        terminalreporter.write_line("Python code blocks executed per language: " + ", ".join(
            f"{language}: {counts.get('passed', 0)} of "
            f"{sum(n for what, n in counts.items() if what != 'shared')}"
            + "".join(f", {n} {what}" for what, n in counts.items()
                      if what not in ("passed", "shared") and n)
            + (f" ({counts['shared']} the same code as another language's page, "
               "which ran)" if counts.get("shared") else "")
            for language, counts in sorted(outcomes.items())))
