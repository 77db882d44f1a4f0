"""exercises_sampling.py: the solutions of "From logits to probabilities"'s exercises."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.scores_to_text.exercises_sampling as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/scores_to_text/exercises_sampling.py").splitlines()


def test_a_cold_temperature_sharpens_more_than_half(snippet, printed):
    """0.3 is colder than the page's 0.5: the top token gets more, as the page's
    rule (t < 1 sharpens) says."""
    cold = torch.softmax(snippet.logits / 0.3, dim=-1).max()
    half = torch.softmax(snippet.logits / 0.5, dim=-1).max()
    assert cold > half
    assert printed[0].startswith(f"t = 0.3: top token {cold:6.1%}")


def test_a_temperature_near_zero_is_greedy(printed):
    assert printed[1].endswith(": True") and printed[2].endswith(": True")
    assert printed[2].startswith("t = 0.01: 100.0%")


def test_the_same_seed_samples_the_same_tokens(snippet, printed):
    assert printed[3] == "True"
    torch.manual_seed(43)  # another seed: another continuation (for this model)
    other = snippet.model.generate(snippet.input_ids, do_sample=True, temperature=0.8,
                                   top_k=0, max_new_tokens=8)
    assert not torch.equal(other, snippet.runs[0])
