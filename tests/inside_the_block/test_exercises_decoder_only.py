"""exercises_decoder_only.py: the solutions of the decoder-only page's exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.inside_the_block.exercises_decoder_only as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    path = "snippets/inside_the_block/exercises_decoder_only.py"
    return run_script(path).splitlines()


def test_only_the_2017_model_has_cross_attention(snippet, printed):
    config = snippet.transformer_2017.config
    layers = config.encoder_layers + config.decoder_layers
    expected = {"self_attn": layers, "encoder_attn": config.decoder_layers}
    assert printed[0] == f"2017:  {expected}"
    phi3_layers = snippet.phi3.config.num_hidden_layers
    assert printed[1] == f"Phi-3: {({'self_attn': phi3_layers})}"


def test_the_edit_changes_its_position_and_every_later_one(snippet, printed):
    tokens = snippet.tokenizer.convert_ids_to_tokens(snippet.edited_ids[0])
    assert tokens[1] == "▁dog" and printed[2] == str(tokens)
    assert snippet.unchanged == [True] + [False] * (len(tokens) - 1)
    assert printed[3] == f"unchanged: {snippet.unchanged}"
