"""live.py prints the prompt's pieces and the ten most probable next tokens: what the
live demo must show for its first prompt (tests/site/test_live_in_browser.py checks
that it does)."""

import re

import torch

from snippets.scores_to_text import live
from tests.helpers import run_script
from tools import site


def test_runs_as_a_script():
    printed = run_script("snippets/scores_to_text/live.py").splitlines()
    ids = live.input_ids[0].tolist()
    assert len(printed) == len(ids) + 10  # the pieces, then the ten next tokens
    for line, token_id, piece in zip(printed, ids, live.pieces):
        assert line.split() == [repr(piece), str(token_id)]
    shown = [int(line.split()[1]) for line in printed[len(ids):]]
    assert shown == live.logits.topk(10).indices.tolist()


def test_the_pieces_are_the_tokenizer_s_and_decode_back_to_the_prompt():
    ids = live.input_ids[0].tolist()
    assert live.tokenizer.convert_tokens_to_ids(live.pieces) == ids
    assert live.tokenizer.decode(live.input_ids[0]) == live.prompt
    assert live.pieces[0].startswith("▁")  # the space marker, kept in the pieces


def test_the_probabilities_shown_add_up_as_a_softmax_does():
    torch.testing.assert_close(live.probs.sum(), torch.tensor(1.0))
    assert live.probs.argmax() == live.logits.argmax()


def test_the_demo_starts_with_the_page_s_prompt_in_every_language():
    """The demo's first prompt (its element's data-prompt) is the snippet's, so the
    reader compares the same numbers."""
    model = site.load()
    for language in model.codes:
        page = model.page(model.docs / model.source("scores-to-text/live.md", language))
        prompts = re.findall(r'<div class="live-phi3" id="live-phi3" '
                             r'data-prompt="([^"]*)">', page.text)
        assert prompts == [live.prompt], language
