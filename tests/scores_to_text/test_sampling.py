"""Softmax, temperature, top-k, top-p, min-p and the repetition penalty by hand equal
transformers' processors, on the page's scores and on random ones."""

import pytest
import torch
from transformers import (
    MinPLogitsWarper,
    RepetitionPenaltyLogitsProcessor,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from snippets.scores_to_text import sampling
from tests.helpers import run_script


def test_runs_as_a_script():
    printed = run_script("snippets/scores_to_text/sampling.py")
    assert "sum of probabilities: 1.0000" in printed
    assert "greedy:" in printed and "t = 1.5:" in printed


@pytest.fixture(params=[0, 1, 2])
def scores(request):
    generator = torch.Generator().manual_seed(request.param)
    logits = torch.randn(3, 500, generator=generator) * 3
    input_ids = torch.randint(0, 500, (3, 7), generator=generator)
    return input_ids, logits


@pytest.mark.parametrize("p", [0.3, 0.8, 0.95])
def test_top_p_and_min_p_on_random_scores(scores, p):
    input_ids, logits = scores
    torch.testing.assert_close(sampling.top_p(logits, p),
                               TopPLogitsWarper(p)(input_ids, logits))
    torch.testing.assert_close(sampling.min_p(logits, p),
                               MinPLogitsWarper(p)(input_ids, logits))


@pytest.mark.parametrize("k", [1, 5, 50])
def test_top_k_on_random_scores(scores, k):
    input_ids, logits = scores
    ours = sampling.top_k(logits, k)
    torch.testing.assert_close(ours, TopKLogitsWarper(k)(input_ids, logits))
    assert (torch.isfinite(ours).sum(dim=-1) == k).all()


def test_repetition_penalty_lowers_repeated_tokens(scores):
    input_ids, logits = scores
    ours = sampling.repetition_penalty(input_ids, logits, 1.5)
    torch.testing.assert_close(
        ours, RepetitionPenaltyLogitsProcessor(1.5)(input_ids, logits))
    seen = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, input_ids, True)
    assert (ours[seen] < logits[seen]).all() and (ours[~seen] == logits[~seen]).all()


def test_temperature_figure_has_three_bars_per_token_in_both_languages():
    for language, word in [("en", "probability"), ("zh", "概率")]:
        axes = sampling.draw_temperatures(language).axes[0]
        assert axes.get_ylabel() == word
        assert len(axes.patches) == 3 * 8
