"""The opt-in tier: run the pages' snippets against the real Phi-3 weights.

`make test-real` (`pytest --real-model`) needs the network or a Hugging Face cache
that holds microsoft/Phi-3-mini-4k-instruct. Every output a page shows, computed
(`.txt`) or recorded (`.real.txt`), must be what the real model prints.
"""

from __future__ import annotations

import pytest

from tools.paths import ROOT
from tools.sections import run_sections
from tools.update_examples import output_file, shown_outputs


def _shown():
    computed, recorded = shown_outputs(), shown_outputs(real=True)
    for snippet in sorted(set(computed) | set(recorded)):
        yield pytest.param(snippet, computed.get(snippet, set()),
                           recorded.get(snippet, set()),
                           id=str(snippet.relative_to(ROOT)))


@pytest.mark.real_model
@pytest.mark.parametrize(("snippet", "computed", "recorded"), list(_shown()))
def test_outputs_match_the_real_model(snippet, computed, recorded):
    printed = run_sections(snippet)
    for section in sorted(computed):
        expected = output_file(snippet, section).read_text(encoding="utf-8")
        assert printed[section] == expected, f"{snippet.name}:{section}"
    for section in sorted(recorded):
        expected = output_file(snippet, section, real=True).read_text(encoding="utf-8")
        # Recorded from a notebook transcript: compare without trailing whitespace.
        assert printed[section].rstrip() == expected.rstrip(), f"{snippet.name}:{section}"
