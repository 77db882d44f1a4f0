"""exercises_train_tiny.py: the solutions of "Train a tiny Phi-3"'s exercises."""

from __future__ import annotations

import math

import pytest

from tests.helpers import run_script
from tools.paths import ROOT


@pytest.fixture(scope="module")
def snippet():
    import snippets.scores_to_text.exercises_train_tiny as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/scores_to_text/exercises_train_tiny.py").splitlines()


def test_a_uniform_guess_costs_log_vocab(snippet, printed):
    vocab = snippet.model.config.vocab_size
    assert printed[0].endswith(f"loss {math.log(vocab):.2f}")


def test_the_site_sentence_is_read_and_the_other_is_not(snippet, printed):
    """The solution's point: the model read the first sentence in training (it is
    in its corpus), not the second, and it shows in the loss."""
    corpus = (ROOT / snippet.CHECKPOINT / "corpus.txt").read_text(encoding="utf-8")
    site, other = (line.split(": ", 1)[1] for line in printed[1:3])
    assert site in corpus and other not in corpus
    losses = [float(line.split()[1].rstrip(":")) for line in printed[1:3]]
    assert losses[0] < losses[1]
