"""exercises_next_token.py: the solutions of "From token ids to "Paris""'s exercises."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.model_example.exercises_next_token as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/model_example/exercises_next_token.py").splitlines()


def test_the_best_of_five_is_the_greedy_token(snippet, printed):
    assert snippet.best.indices[0] == snippet.token_id
    assert torch.isclose(snippet.probabilities.sum(), torch.tensor(1.0))
    assert printed[3].startswith(f"{snippet.tokenizer.decode(snippet.token_id)!r:>12} ")
    assert len(printed) == 3 + 5 + 1


def test_phi3_does_not_tie_its_tables(snippet, printed):
    model = snippet.model
    assert printed[:2] == ["False", "False"]
    assert model.lm_head.weight.data_ptr() != model.model.embed_tokens.weight.data_ptr()


def test_the_second_token_is_what_generate_chooses(snippet, printed):
    model = snippet.model
    generated = model.generate(snippet.input_ids, max_new_tokens=2, do_sample=False,
                               use_cache=False)  # the same full passes as the solution
    new = generated[0, -2:]
    assert new.tolist() == [snippet.token_id.item(), snippet.second.item()]
    assert printed[-1] == snippet.tokenizer.decode(new)
