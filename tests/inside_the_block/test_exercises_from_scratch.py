"""exercises_from_scratch.py: the solutions of the from-scratch page's exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.inside_the_block.exercises_from_scratch as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    path = "snippets/inside_the_block/exercises_from_scratch.py"
    return run_script(path).splitlines()


def test_phi3_medium_from_scratch_is_transformers_model(snippet, printed):
    assert printed[0] == "same names and shapes: True"
    theirs = sum(p.numel() for p in snippet.theirs_medium.parameters())
    medium = snippet.medium
    assert printed[1] == (f"{theirs:,} parameters, {medium.num_hidden_layers} layers, "
                          f"{medium.num_key_value_heads} key/value heads")


def test_without_a_cache_every_step_recomputes_the_whole_text(snippet, printed):
    prompt, steps = snippet.input_ids.shape[1], snippet.steps
    assert snippet.lengths == list(range(prompt, prompt + steps))
    assert printed[2].endswith(f"= {sum(snippet.lengths)}")
    assert printed[3].endswith(f"= {prompt + steps - 1}")
    assert not snippet.scratch.model.embed_tokens._forward_hooks  # removed again
