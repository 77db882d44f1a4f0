"""Decoder positions ignore later tokens; encoder positions don't."""

import pytest
import torch

from tests.helpers import run_script
from tests.kernels import first_difference, kernel_trace


@pytest.fixture(scope="module")
def causal():
    from snippets.inside_the_block import causal_mask

    return causal_mask


def test_mask_is_lower_triangular(causal):
    n = causal.sequence_length
    expected = torch.tensor([[key <= query for key in range(n)] for query in range(n)])
    assert torch.equal(causal.causal_mask, expected)


def test_phi3_earlier_positions_unchanged(causal):
    ids = causal.tokenizer(causal.original, return_tensors="pt").input_ids
    edited = causal.tokenizer(causal.edited, return_tensors="pt").input_ids
    assert ids.shape == edited.shape
    changed = (ids != edited).nonzero()[:, 1].tolist()
    assert len(changed) == 1 and changed[0] > 0
    first = changed[0]
    before, after = causal.hidden_states_before_and_after(causal.model.model, ids, edited)
    assert torch.equal(before[:, :first], after[:, :first])
    assert not torch.equal(before[:, first:], after[:, first:])
    assert (after - before)[:, first:].abs().amax(-1).min() > 0  # later ones change too


def test_phi3_runs_the_same_kernels_before_and_after_the_edit(causal):
    """The page's reason for "bit for bit": same length, so the same kernels on the
    same layouts; a shorter input multiplies matrices of other shapes."""
    ids = causal.tokenizer(causal.original, return_tensors="pt").input_ids
    edited = causal.tokenizer(causal.edited, return_tensors="pt").input_ids
    body = causal.model.model
    weights = list(body.parameters())
    _, before = kernel_trace(body, input_ids=ids, sources=weights)
    _, after = kernel_trace(body, input_ids=edited, sources=weights)
    assert before and before == after, first_difference(before, after)
    _, shorter = kernel_trace(body, input_ids=ids[:, :-1], sources=weights)
    assert shorter != before


def test_encoder_every_position_changes(causal):
    ids = causal.encoder_tokenizer(causal.original, return_tensors="pt").input_ids
    edited = causal.encoder_tokenizer(causal.edited, return_tensors="pt").input_ids
    assert ids.shape == edited.shape
    first = int((ids != edited).nonzero()[0, 1])
    before, after = causal.hidden_states_before_and_after(causal.encoder, ids, edited)
    change = (after - before).abs().amax(-1)[0]
    assert first > 1 and change[:first].min() > 0.1  # even [CLS] at position 0


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/causal_mask.py")
    assert "positions before the edit unchanged: True" in output
    assert "edited position changed: True" in output
