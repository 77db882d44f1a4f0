"""The opt-in tier: run the pages' snippets against the real Phi-3 weights.

`make test-real` (`pytest --real-model`) needs the network or a Hugging Face cache
that holds microsoft/Phi-3-mini-4k-instruct. Every output a page shows, computed
(`.txt`) or recorded (`.real.txt`), must be what the real model prints. Each snippet
runs in a process of its own, so one snippet's model (7.6 GB in bfloat16) is freed
before the next loads; a snippet whose pre-flight check finds too little memory is
skipped with the check's message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tools.paths import ROOT
from tools.update_examples import output_file, shown_outputs


def _shown():
    computed, recorded = shown_outputs(), shown_outputs(real=True)
    for snippet in sorted(set(computed) | set(recorded)):
        yield pytest.param(snippet, computed.get(snippet, set()),
                           recorded.get(snippet, set()),
                           id=str(snippet.relative_to(ROOT)))


def run_in_own_process(snippet) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "tools.sections", str(snippet)],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=3600,
    )
    reasons = [line for line in result.stderr.splitlines() if "Not enough memory" in line]
    if result.returncode != 0 and reasons:
        pytest.skip(reasons[-1])
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.rsplit("\n", 1)[1])


@pytest.mark.real_model
@pytest.mark.parametrize(("snippet", "computed", "recorded"), list(_shown()))
def test_outputs_match_the_real_model(snippet, computed, recorded):
    printed = run_in_own_process(snippet)
    for section in sorted(computed):
        expected = output_file(snippet, section).read_text(encoding="utf-8")
        assert printed[section] == expected, f"{snippet.name}:{section}"
    for section in sorted(recorded):
        expected = output_file(snippet, section, real=True).read_text(encoding="utf-8")
        # Recorded from a lesson's transcript, which lost some whitespace (blank lines):
        # the pages say so, and the comparison ignores whitespace.
        assert printed[section].split() == expected.split(), f"{snippet.name}:{section}"


def test_a_snippet_runs_in_its_own_process():
    """The mechanism the real tier uses, checked offline on the stand-in."""
    printed = run_in_own_process(ROOT / "snippets" / "model_example" / "next_token.py")
    assert printed["lm-head"].startswith("torch.Size([1, 5, 32064])")


def test_a_page_program_runs_in_its_own_process():
    """How --real-model runs a page's blocks, checked offline on the stand-in."""
    from tools.rehearse import run_page_program

    code = (
        "from transformers import AutoConfig\n"
        "import os\n"
        "config = AutoConfig.from_pretrained('microsoft/Phi-3-mini-4k-instruct')\n"
        "print(config.model_type, __name__, os.getpid())\n"
    )
    result = run_page_program(code)
    assert result.returncode == 0, result.stderr
    model_type, name, pid = result.stdout.split()
    assert (model_type, name) == ("phi3", "builtins")  # as pytest-codeblocks runs it
    assert int(pid) != os.getpid()
    failing = run_page_program("raise SystemExit('Not enough memory for it')\n")
    assert failing.returncode == 1
    assert "Not enough memory for it" in failing.stderr
