"""heldout_text.py: the held-out tenth of the tiny model's corpus, and `compare`."""

from __future__ import annotations

import json
import math

import pytest
import torch

from snippets.scores_to_text.train_tiny import CHECKPOINT
from tests.helpers import run_script
from tools.paths import ROOT

pytestmark = pytest.mark.real_tokenizer  # the held-out split is in real token ids


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.heldout_text as snippet

    return snippet


def test_it_prints_the_windows(snippet):
    printed = run_script("snippets/why_slow/heldout_text.py")
    windows = snippet.windows
    assert printed == (f"held-out text: {windows.numel():,} tokens in {len(windows)} "
                       f"windows of {windows.shape[1]}\n")


def test_the_held_out_text_is_what_training_left_out(snippet):
    namespace = vars(snippet)
    assert namespace["CHECKPOINT"] == CHECKPOINT  # the chapter's trained model
    log = json.loads((ROOT / CHECKPOINT / "training-log.json").read_text())
    ids, heldout = namespace["ids"], namespace["heldout"]
    assert len(ids) == log["tokens"]  # the same corpus, the same tokenizer
    assert len(ids) - len(heldout) == log["train_tokens"]  # the split of the training
    assert torch.equal(ids[-len(heldout):], heldout)
    assert torch.equal(namespace["windows"].flatten(), heldout[:namespace["windows"].numel()])


def test_compare_equals_torch_kl_div_on_a_hand_case(snippet):
    compare = snippet.compare
    p = torch.tensor([[0.5, 0.5, 0.0 + 1e-30], [0.7, 0.2, 0.1]])
    q = torch.tensor([[0.25, 0.75, 1e-30], [0.1, 0.2, 0.7]])
    kl, agreement = compare(p.log(), q.log())  # logits: log-probabilities will do
    by_hand = (0.5 * math.log(2) + 0.5 * math.log(0.5 / 0.75)
               + 0.7 * math.log(7) + 0.1 * math.log(0.1 / 0.7)) / 2
    theirs = torch.nn.functional.kl_div(q.log(), p.log(), log_target=True,
                                        reduction="batchmean")
    assert kl == pytest.approx(by_hand, rel=1e-5)
    assert kl == pytest.approx(theirs.item(), rel=1e-5)
    assert agreement == 0.0  # row 1: 0 against 1; row 2: 0 against 2
    assert compare(q, q) == (0.0, 1.0)
