"""exercises_quantization_quality.py: where int4 changes the top token, the reference
led by little; and the KL of int4 window by window."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer  # the held-out split is in real token ids


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.exercises_quantization_quality as snippet

    return snippet


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/why_slow/exercises_quantization_quality.py").splitlines()


def test_the_windows_are_the_pages_first_eight(snippet):
    from snippets.why_slow.heldout_text import windows

    assert torch.equal(snippet.few, windows[:8])
    assert snippet.reference.dtype == torch.float32


def test_the_top_token_led_by_less_where_it_changed(snippet, printed):
    share = snippet.changed.float().mean().item()
    assert 0 < share < 0.5
    assert printed[0] == f"int4 changed the top token at {share:.0%} of the positions"
    there, elsewhere = (float(line.split(":")[1]) for line in printed[1:3])
    assert there == round(snippet.lead[snippet.changed].median().item(), 2)
    assert there < elsewhere


def test_the_windows_kl_average_to_the_whole(snippet, printed):
    values = [float(v) for v in printed[3].split(":")[1].split()]
    assert len(values) == 8 and all(v > 0 for v in values)
    whole, _ = snippet.compare(snippet.reference_logits, snippet.int4_logits)
    # equal windows: the mean of the windows' means is the mean of all positions
    assert sum(snippet.kl_per_window) / 8 == pytest.approx(whole, rel=1e-4)
