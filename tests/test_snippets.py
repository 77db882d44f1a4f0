"""Every snippet has its own test module, which runs it as a script (FastAPI style)."""

from __future__ import annotations

import pytest

from tools.paths import ROOT, SNIPPETS

SNIPPET_FILES = sorted(
    path for path in SNIPPETS.rglob("*.py")
    if path.name != "__init__.py" and "output" not in path.parts
)


@pytest.mark.parametrize("snippet", SNIPPET_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_snippet_has_a_test_module_that_runs_it(snippet):
    relative = snippet.relative_to(SNIPPETS)
    test_module = ROOT / "tests" / relative.parent / f"test_{snippet.stem}.py"
    assert test_module.exists(), f"{snippet.relative_to(ROOT)} needs {test_module.relative_to(ROOT)}"
    source = test_module.read_text(encoding="utf-8")
    assert "run_script(" in source and snippet.name in source, (
        f"{test_module.relative_to(ROOT)} must run {snippet.name} with tests.helpers.run_script"
    )


@pytest.mark.parametrize("snippet", SNIPPET_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_snippet_lines_are_short(snippet):
    long = [n for n, line in enumerate(snippet.read_text(encoding="utf-8").splitlines(), 1)
            if len(line) > 88]
    assert not long, f"{snippet.relative_to(ROOT)}: lines over 88 characters: {long}"
