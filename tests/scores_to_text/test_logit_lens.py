"""The logit lens reads every layer, and its last reading is the model's output."""

import torch

from snippets.scores_to_text import logit_lens
from tests.helpers import run_script


def test_runs_as_a_script():
    printed = run_script("snippets/scores_to_text/logit_lens.py").splitlines()
    layers = logit_lens.model.config.num_hidden_layers
    assert printed[0] == f"{layers + 1} hidden states for {layers} layers"
    assert len(printed) == 1 + layers + 1  # embedding, layers 1..n-1, the output


def test_the_last_hidden_state_is_already_normalised():
    """Why the lens skips the norm for the last one: transformers applied it."""
    hidden = logit_lens.hidden
    with torch.no_grad():
        twice = logit_lens.lens(hidden[-1])
    assert not torch.allclose(twice, logit_lens.out.logits)
    torch.testing.assert_close(logit_lens.model.lm_head(hidden[-1]),
                               logit_lens.out.logits)
