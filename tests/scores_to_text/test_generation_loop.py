"""The loop by hand equals generate, greedy and sampled, and stops at end of text."""

import pytest
import torch

from snippets.scores_to_text import generation_loop
from tests.helpers import run_script
from tests.kernels import first_difference, kernel_trace


def test_runs_as_a_script():
    printed = run_script("snippets/scores_to_text/generation_loop.py")
    # Each text is printed after its equality with generate held.
    assert printed.startswith("Every code block on every page")
    assert printed.count("Every code block on every page") == 2


def test_the_loop_stops_at_the_end_of_text_token():
    model = generation_loop.model
    input_ids = generation_loop.input_ids
    free = generation_loop.generate_by_hand(model, input_ids, max_new_tokens=3)
    model.config.eos_token_id, saved = free[0, -3].item(), model.config.eos_token_id
    try:
        stopped = generation_loop.generate_by_hand(model, input_ids, max_new_tokens=3)
    finally:
        model.config.eos_token_id = saved
    assert stopped.shape[1] == input_ids.shape[1] + 1
    assert torch.equal(stopped, free[:, :input_ids.shape[1] + 1])


@pytest.mark.parametrize("temperature", [None, 0.8])
def test_the_loop_runs_the_same_kernels_as_generate(temperature):
    """Why the page says "the very same scores": without a KV cache on either side,
    every call whose result can depend on the kernel is the same, on the same
    layouts."""
    model, input_ids = generation_loop.model, generation_loop.input_ids
    weights = list(model.parameters())
    settings = ({"do_sample": False} if temperature is None
                else {"do_sample": True, "temperature": temperature, "top_k": 0})
    torch.manual_seed(1)
    ours, our_calls = kernel_trace(generation_loop.generate_by_hand, model, input_ids,
                                   20, temperature=temperature, sources=weights)
    torch.manual_seed(1)
    theirs, their_calls = kernel_trace(model.generate, input_ids, max_new_tokens=20,
                                       use_cache=False, sources=weights, **settings)
    assert our_calls == their_calls, first_difference(our_calls, their_calls)
    assert torch.equal(ours, theirs)
