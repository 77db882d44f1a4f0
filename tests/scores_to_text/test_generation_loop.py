"""The loop by hand equals generate, greedy and sampled, and stops at end of text."""

import torch

from snippets.scores_to_text import generation_loop
from tests.helpers import run_script


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
