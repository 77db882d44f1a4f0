"""pieces.py: the space marker, rare words, digits one by one, byte fallback."""

from __future__ import annotations

import pytest

from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer  # every claim is about the real vocabulary


@pytest.fixture(scope="module")
def tokenizer():
    import snippets.tokens.pieces as snippet

    return snippet.tokenizer


def test_script_prints_what_the_page_explains():
    lines = run_script("snippets/tokens/pieces.py").splitlines()
    assert lines[0] == "32000 pieces learned by SentencePiece"
    assert lines[1] == "32011 tokens in all, with the special ones added for chat"
    assert lines[2] == "['▁The', '▁capital', '▁of', '▁France', '▁is']"
    assert lines[-1] == "True"


def test_the_space_marker_starts_words_only(tokenizer):
    assert tokenizer.tokenize("The capital") == ["▁The", "▁capital"]
    glued = tokenizer.tokenize("TheCapitalOfFrance")
    assert glued[0] == "▁The" and not any(p.startswith("▁") for p in glued[1:])


def test_rare_words_split_into_known_pieces(tokenizer):
    assert tokenizer.tokenize("garden") == ["▁garden"]
    assert tokenizer.tokenize("gardening") == ["▁garden", "ing"]
    assert len(tokenizer.tokenize("mishap")) == 3


def test_digits_are_tokens_of_their_own(tokenizer):
    number = "3821079552"
    pieces = tokenizer.tokenize(number)
    assert pieces == ["▁", *number]


def test_byte_fallback_gives_the_utf8_bytes(tokenizer):
    pieces = tokenizer.tokenize("词")
    assert pieces[0] == "▁"
    assert bytes(int(piece[3:5], 16) for piece in pieces[1:]) == "词".encode("utf-8")
    # 元, 法, 国 have pieces of their own; 词 has none
    assert [p for p in tokenizer.tokenize("元法国") if p.startswith("<0x")] == []
    assert "词" not in tokenizer.get_vocab() and "元" in tokenizer.get_vocab()


def test_the_byte_tokens_follow_the_three_control_tokens(tokenizer):
    first, last = tokenizer.convert_tokens_to_ids(["<0x00>", "<0xFF>"])
    assert (first, last) == (3, 258)
    assert tokenizer.convert_ids_to_tokens([0, 1, 2]) == ["<unk>", "<s>", "</s>"]
    assert tokenizer.convert_tokens_to_ids("<0xE8>") == 235
    assert tokenizer.tokenize("a\nb")[1] == "<0x0A>"


def test_the_examples_of_the_round_trip_need_byte_fallback(tokenizer):
    for text, byte_tokens in [("🙂", 4), ("读", 3), ("，", 0)]:
        pieces = tokenizer.tokenize(text)
        assert sum(p.startswith("<0x") for p in pieces) == byte_tokens


@pytest.mark.parametrize("text", [
    "Phi-3 读 3821079552 个参数，词元: tokens 🙂",
    "深入 Phi-3：词元与对话格式", "naïve café 🙂", "two  spaces\nand a line break",
])
def test_decode_round_trips(tokenizer, text):
    assert tokenizer.decode(tokenizer(text).input_ids) == text


def test_only_a_leading_space_is_lost(tokenizer):
    """The tokenizer writes a ▁ before the text, decode drops one: the page says so."""
    assert tokenizer.decode(tokenizer(" one").input_ids) == "one"
