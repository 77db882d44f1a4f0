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


def test_the_penalty_depends_on_where_zero_lies(scores):
    """A constant added to every score changes no probability, but changes what the
    penalty does: the page's claim, on random scores."""
    input_ids, logits = scores
    shifted = logits - logits.max()
    torch.testing.assert_close(shifted.softmax(-1), logits.softmax(-1))
    after = [sampling.repetition_penalty(input_ids, x, 1.5).log_softmax(-1)
             for x in (logits, shifted)]
    assert (after[0] - after[1]).abs().max() > 0.1  # log-probabilities


def test_the_page_shows_the_shift_changing_the_result():
    """The page's own scores, shifted: the same probabilities, another penalty."""
    lines = [line for line in run_script("snippets/scores_to_text/sampling.py")
             .splitlines() if line.startswith("scores ")]
    assert len(lines) == 2 and "0 multiplied" in lines[0]  # the scores are above zero
    assert "0 divided, 5 multiplied" in lines[1]  # all below zero: all multiplied
    assert lines[0].split("/")[-1] != lines[1].split("/")[-1]


def test_temperature_figure_has_three_bars_per_token_in_both_languages():
    for language, word in [("en", "probability"), ("zh", "概率")]:
        axes = sampling.draw_temperatures(language).axes[0]
        assert axes.get_ylabel() == word
        assert len(axes.patches) == 3 * 8
