"""exercises_generation_loop.py: the solutions of "The generation loop by hand"."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.scores_to_text.exercises_generation_loop as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/scores_to_text/exercises_generation_loop.py").splitlines()


def test_the_positions_are_counted_step_by_step(snippet, printed):
    """Count what each step of the loop feeds the model: the whole text so far."""
    length, steps = snippet.input_ids.shape[1], snippet.new_tokens
    fed = [length + step for step in range(steps)]
    assert printed[0] == (f"{sum(fed)} positions computed without a cache, "
                          f"{length + steps - 1} with one")


def test_each_temperature_samples_what_generate_samples(snippet, printed):
    for line, temperature in zip(printed[1:], (0.3, 1.5)):
        torch.manual_seed(0)
        theirs = snippet.model.generate(
            snippet.input_ids, do_sample=True, temperature=temperature, top_k=0,
            max_new_tokens=12, use_cache=False)
        new = snippet.tokenizer.decode(theirs[0, snippet.input_ids.shape[1]:])
        assert line == f"t = {temperature}: {new!r}"
