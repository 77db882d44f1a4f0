"""exercises_logit_lens.py: the solutions of "A logit lens"'s exercises."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.scores_to_text.exercises_logit_lens as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/scores_to_text/exercises_logit_lens.py").splitlines()


def test_the_hook_catches_hidden_state_two(snippet, printed):
    assert printed[0] == "True"
    hooks = snippet.model.model.layers[1]._forward_hooks.values()
    assert snippet.keep_output not in hooks  # removed again


def test_the_lens_reads_every_layer_and_the_output_last(snippet, printed):
    layers = snippet.model.config.num_hidden_layers
    lines = printed[1:]
    assert len(lines) == layers + 1
    with torch.no_grad():
        logits = snippet.model(snippet.sentence).logits[0, -1]
    answer = snippet.tokenizer.convert_ids_to_tokens(logits.argmax().item())
    assert lines[-1] == f"{'output':>9}: {answer!r}"
