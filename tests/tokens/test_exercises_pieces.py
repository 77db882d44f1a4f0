"""exercises_pieces.py: the solutions of "Pieces, not words"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer  # the answers are about the real vocabulary


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.exercises_pieces as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/tokens/exercises_pieces.py").splitlines()


def test_a_space_in_front_changes_nothing_but_case_does(snippet, printed):
    tokenizer = snippet.tokenizer
    plain, spaced, lower, upper = (tokenizer(text).input_ids for text in [
        "The capital", " The capital", "the capital", "THE CAPITAL"])
    assert spaced == plain and tokenizer.decode(spaced) == "The capital"
    assert lower != plain and len(lower) == len(plain)  # another piece, as many
    assert len(upper) > len(plain)  # capitals: more pieces
    assert printed[1].startswith(f"{' The capital'!r:15} {plain}")


def test_a_byte_token_alone_decodes_to_no_character(snippet, printed):
    tokenizer = snippet.tokenizer
    singles = [tokenizer.decode(token_id) for token_id in snippet.ids]
    assert singles[1:4] == ["\ufffd"] * 3 and singles[4] == "元"
    assert tokenizer.convert_ids_to_tokens(snippet.ids[1:4]) == [
        f"<0x{byte:02X}>" for byte in "词".encode("utf-8")]
    assert printed[-2:] == [str(singles), "词"]
