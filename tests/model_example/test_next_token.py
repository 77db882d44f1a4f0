"""next_token.py: from token ids through the decoder stack and LM head to one token."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script
from tools.paths import SNIPPETS

PROMPT_IDS = [450, 7483, 310, 3444, 338]  # "The capital of France is", real tokenizer
RECORDED = SNIPPETS / "model_example" / "output" / "next_token" / "next-token.real.txt"


@pytest.fixture(scope="module")
def snippet():
    import snippets.model_example.next_token as snippet

    return snippet


def test_script_prints_ids_tokens_and_shapes(snippet):
    lines = run_script("snippets/model_example/next_token.py").splitlines()
    hidden, vocab = snippet.model.config.hidden_size, snippet.model.config.vocab_size
    seq = snippet.input_ids.shape[1]
    assert lines[4] == f"torch.Size([1, {seq}, {hidden}])"  # embeddings
    assert lines[5] == f"torch.Size([1, {seq}, {hidden}])"  # after the decoder stack
    assert lines[6] == f"torch.Size([1, {seq}, {vocab}])"  # scores from the LM head
    assert lines[7] == f"tensor({snippet.token_id.item()})"
    assert lines[8] == snippet.tokenizer.decode(snippet.token_id)


@pytest.mark.real_tokenizer
def test_script_prints_the_real_token_ids():
    lines = run_script("snippets/model_example/next_token.py").splitlines()
    assert lines[0] == "tensor([[ 450, 7483,  310, 3444,  338]])"
    assert lines[1] == "['▁The', '▁capital', '▁of', '▁France', '▁is']"
    assert lines[2:4] == ["<s> 1", "False"]


@pytest.mark.real_tokenizer
def test_no_bos_token_is_prepended(snippet):
    assert snippet.input_ids.tolist() == [PROMPT_IDS]
    assert snippet.tokenizer.bos_token_id == 1 not in snippet.input_ids[0].tolist()
    assert snippet.tokenizer.add_bos_token is False


@pytest.mark.real_tokenizer
def test_the_recorded_token_decodes_to_paris(snippet):
    assert snippet.tokenizer.decode(3681) == "Paris"
    assert snippet.tokenizer.convert_ids_to_tokens(3681) == "▁Paris"


def test_embedding_picks_one_row_per_id(snippet):
    table = snippet.model.model.embed_tokens.weight
    torch.testing.assert_close(snippet.embeddings, table[snippet.input_ids])


def test_shapes(snippet):
    config = snippet.model.config
    assert snippet.input_ids.shape == (1, 5)
    assert snippet.hidden_states.shape == (1, 5, config.hidden_size)
    assert snippet.lm_head_output.shape == (1, 5, config.vocab_size) == (1, 5, 32064)


def test_step_by_step_equals_the_whole_model(snippet):
    with torch.no_grad():
        full = snippet.model(snippet.input_ids, output_hidden_states=True)
    torch.testing.assert_close(snippet.hidden_states, full.hidden_states[-1])
    torch.testing.assert_close(snippet.lm_head_output, full.logits)


def test_token_id_is_the_argmax_of_the_last_position(snippet):
    last = snippet.lm_head_output[0, -1]
    assert snippet.token_id.item() == last.argmax().item()
    assert last[snippet.token_id] == last.max()


@pytest.mark.real_model
def test_real_model_predicts_paris(snippet):
    assert snippet.token_id.item() == 3681
    assert snippet.tokenizer.decode(snippet.token_id) == "Paris"
    assert RECORDED.read_text(encoding="utf-8") == "tensor(3681)\nParis\n"
