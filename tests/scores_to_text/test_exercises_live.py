"""exercises_live.py: the solutions of "Play with the tiny model"'s exercises."""

from __future__ import annotations

import pytest
import torch
from transformers import MinPLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.scores_to_text.exercises_live as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/scores_to_text/exercises_live.py").splitlines()


def test_every_weight_is_a_float16_number(snippet, printed):
    count = len(dict(snippet.model.named_parameters()))
    assert printed[0] == f"{count} of {count} weights are float16 numbers"
    # and the check can fail: a float32 number between two float16 ones
    assert not torch.equal(torch.tensor([1 + 2**-12]).half().float(),
                           torch.tensor([1 + 2**-12]))


def test_each_filter_keeps_what_its_processor_alone_would_after_the_one_before(
        snippet, printed):
    kept = [int(line.split(":")[1].split()[0]) for line in printed[1:]]
    vocabulary = snippet.logits.shape[-1]
    assert kept[0] == vocabulary  # temperature removes nothing
    assert kept[1] == 50 and vocabulary > kept[1] >= kept[2] >= kept[3] >= 1
    # the same counts, step by step, from the processors on the tempered scores
    scores = snippet.logits[None] / 0.7
    for processor, count in zip([TopKLogitsWarper(50), TopPLogitsWarper(0.9),
                                 MinPLogitsWarper(0.05)], kept[1:]):
        scores = processor(snippet.input_ids, scores)
        assert torch.isfinite(scores).sum().item() == count
