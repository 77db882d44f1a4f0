"""Test set-up for tests/ and docs/: see CONTRIBUTING.md, "How the tests work".

1. Mode. By default the tests never touch the network: before anything imports
   huggingface_hub, `tools.hfcache.activate("standin")` points the Hugging Face cache at
   a local stand-in for microsoft/Phi-3-mini-4k-instruct (same class and module names,
   tiny sizes, seeded random weights, the real tokenizer when ../shared/phi3-tokenizer
   exists) and sets HF_HUB_OFFLINE=1. Environment variables reach the code blocks and
   the snippet scripts, so they run unchanged. `pytest --real-model` skips this and
   uses the real weights (network or an existing cache).
2. Pages. Every docs/**/*.md page is collected: its `--8<--` includes are expanded
   with pymdownx's snippet preprocessor, then pytest-codeblocks' own extraction and
   test items run the blocks, in both languages.
3. Guard. `DocsGuard` runs last and fails if any Python fence on any page was not
   executed, unless the fence carries `<!--pytest.mark.skip(reason="...")-->`.
"""

from __future__ import annotations

import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

REAL_MODEL = "--real-model" in sys.argv or os.environ.get("INSIDE_PHI3_REAL_MODEL") == "1"
if not REAL_MODEL:
    # Tiny models gain nothing from a second thread, and on a busy 2-core machine
    # competing thread pools made the suite ten times slower. Set before torch is
    # imported; it reaches the subprocesses and notebook kernels too.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from tools import hfcache

    hfcache.activate("standin")  # before anything imports huggingface_hub

import pytest  # noqa: E402
from pytest_codeblocks.plugin import TestBlock  # noqa: E402

from tools import docs_blocks  # noqa: E402
from tools.paths import DOCS, ROOT  # noqa: E402

# page -> fences the guard expects to run, and fences that did run
EXPECTED: dict[Path, list[docs_blocks.Fence]] = {}
EXECUTED: Counter[Path] = Counter()
COLLECTED_PAGES: set[Path] = set()


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
    from tools import hfcache

    return [f"inside-phi3 mode: {hfcache.describe('standin')}"]


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and DOCS in file_path.parents:
        return DocsPage.from_parent(parent, path=file_path)
    return None


class DocsPage(pytest.File):
    """One Markdown page, includes expanded, run block by block."""

    def collect(self):
        text = docs_blocks.expand_includes(self.path)
        fences = docs_blocks.scan_fences(text)
        EXPECTED[self.path] = [fence for fence in fences if fence.is_python]
        COLLECTED_PAGES.add(self.path)
        try:
            blocks = docs_blocks.code_blocks(fences)
        except ValueError as error:
            raise pytest.UsageError(f"{self.path}: {error}") from None
        block_class = TestBlock
        if REAL_MODEL:  # real-size models: a page's memory is freed when its process ends
            from tools.rehearse import OwnProcessBlock as block_class
        for block, fence_count in blocks:
            item = block_class.from_parent(self, name=f"line {block.lineno}", obj=block)
            item.fence_count = fence_count if block.syntax == "python" else 0
            for mark in block.marks:
                item.add_marker(eval(mark, {"sys": sys, "pytest": pytest}))
            yield item


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when == "call" and report.passed and isinstance(item, TestBlock):
        EXECUTED[item.path] += item.fence_count


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
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
    # The guard only makes sense when every page, and every block of a page with
    # Python code, is part of this run.
    pages_with_code = {page for page, fences in EXPECTED.items() if fences}
    selected_pages = {item.path for item in items if isinstance(item, TestBlock)}
    if (items and COLLECTED_PAGES == set(docs_blocks.pages())
            and pages_with_code <= selected_pages):
        items.append(DocsGuard.from_parent(items[0].session, name="docs-guard"))


class DocsGuard(pytest.Item):
    """Every Python fence on every page ran, or says why it was skipped."""

    def runtest(self):
        problems = []
        for page, fences in sorted(EXPECTED.items()):
            where = page.relative_to(ROOT)
            for fence in fences:
                if fence.info != "python" and not fence.skip_reason_given:
                    problems.append(
                        f"{where}:{fence.lineno}: ```{fence.info} is not run by "
                        "pytest-codeblocks; write ```python")
            excused = sum(fence.skip_reason_given for fence in fences)
            if EXECUTED[page] + excused != len(fences):
                problems.append(
                    f"{where}: {len(fences)} Python fences, {EXECUTED[page]} executed, "
                    f"{excused} skipped with a reason")
        if problems:
            raise AssertionError("\n".join(problems))

    def reportinfo(self):
        return self.path, None, "every Python fence on every page was executed"


def pytest_terminal_summary(terminalreporter):
    if not EXPECTED:
        return
    ran: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for page, fences in EXPECTED.items():
        language = docs_blocks.language_of(page)
        ran[language] += EXECUTED[page]
        total[language] += len(fences)
    summary = ", ".join(
        f"{language}: {ran[language]} of {total[language]}" for language in sorted(total))
    terminalreporter.write_line(f"Python code blocks executed per language: {summary}")
