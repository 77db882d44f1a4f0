"""special_tokens.py: ids 32000-32010, <s> not added, padding, the 53 unused rows."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_script
from tools.paths import TEST_DATA

pytestmark = pytest.mark.real_tokenizer
CHAT_TOKENS = {32000: "<|endoftext|>", 32001: "<|assistant|>", 32006: "<|system|>",
               32007: "<|end|>", 32010: "<|user|>"}


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.special_tokens as snippet

    return snippet


def test_script_prints_one_row_per_added_token():
    lines = run_script("snippets/tokens/special_tokens.py").splitlines()
    rows = lines[:11]
    assert [int(row.split()[0]) for row in rows] == list(range(32000, 32011))
    for row in rows:
        token_id, content = int(row.split()[0]), row.split()[1]
        assert CHAT_TOKENS.get(token_id, content) == content
        assert content.startswith("<|") and content.endswith("|>")
    assert not rows[0].rstrip().endswith("rstrip")  # <|endoftext|> keeps the space
    assert all(row.endswith("rstrip") for row in rows[1:])
    assert lines[-2] == "53 rows no token uses: 32011 to 32063"


def test_bos_exists_but_is_not_added(snippet):
    tokenizer = snippet.tokenizer
    assert (tokenizer.bos_token, tokenizer.bos_token_id) == ("<s>", 1)
    assert 1 not in tokenizer("Hello").input_ids


def test_endoftext_pads_on_the_left(snippet):
    tokenizer = snippet.tokenizer
    assert tokenizer.pad_token_id == tokenizer.eos_token_id == 32000
    short, long = snippet.batch.input_ids
    assert len(short) == len(long) and short[0] == 32000 and long[0] != 32000
    assert snippet.batch.attention_mask[0][0] == 0  # the model is told to ignore it


def test_the_unused_rows_match_the_model_config(snippet):
    config = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
    assert snippet.config.vocab_size == config["vocab_size"] == 32064
    assert len(snippet.unused) == 32064 - len(snippet.tokenizer) == 53
    assert snippet.tokenizer.convert_ids_to_tokens(list(snippet.unused)) == [None] * 53


def test_the_padded_vocabulary_is_a_multiple_of_64(snippet):
    assert snippet.config.vocab_size % 64 == 0
    assert len(snippet.tokenizer) % 64 != 0  # the tokenizer's own count is not


@pytest.mark.parametrize("page", ["special-tokens.md", "special-tokens.zh.md"])
def test_the_table_on_the_page_names_the_right_tokens(snippet, page):
    from tools import site
    from tools.paths import DOCS

    tables = site.load().page(DOCS / "tokens" / page).tables()
    rows = [(site.FACT.sub("", cells[0]), cells[1].strip("`"))
            for table in tables for cells in table[1:]
            if site.FACT.sub("", cells[0]).isdigit()]  # one id: not the placeholders' row
    assert len(rows) == len(CHAT_TOKENS)
    for token_id, token in rows:
        assert snippet.tokenizer.convert_ids_to_tokens(int(token_id)) == token
