"""exercises_learned.py: the solutions of "How the pieces are learned"'s exercises."""

from __future__ import annotations

import string

import pytest

from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.exercises_learned as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/tokens/exercises_learned.py").splitlines()


def test_a_smaller_text_learns_other_merges_and_cuts_finer(snippet, printed):
    from snippets.tokens import learned

    small, full = snippet.small_merges, learned.merges
    assert small != full[:len(small)]  # other merges...
    cut = snippet.pieces_of("generation", small)
    assert "".join(cut) == "generation" and all(p in snippet.small_vocab for p in cut)
    assert len(cut) > len(snippet.pieces_of("generation", full))  # ...smaller pieces
    assert "generation" not in snippet.small_counts  # a word it has not seen
    assert printed[1] == f"first merges: {small[:4]}"
    assert printed[2] == f"generation: {cut}"


def test_a_chinese_only_vocabulary_is_the_mirror_image(snippet, printed):
    from snippets.tokens import learned

    mine, table = snippet.chinese_only, learned.results
    learned_from_english = [result["en"] for name, result in table.items()
                            if name != "Phi-3"]
    assert mine["en"] > max(learned_from_english)
    bilingual = table["English+Chinese", 4000]  # the same size: about as cheap
    assert mine["zh"] < 1.1 * bilingual["zh"] and mine["zh/en"] < 0.5
    # English falls apart into small pieces, not into bytes: the letters have pieces
    vocabulary = snippet.chinese_vocabulary
    english = "".join(learned.prose_of(page, "en") for page in learned.held_out)
    pieces = vocabulary.encode(english, out_type=str)
    assert sum(piece.startswith("<0x") for piece in pieces) < 0.05 * len(pieces)
    letters = [char for char in string.ascii_letters
               if vocabulary.piece_to_id(char) != vocabulary.unk_id()]
    assert len(letters) >= 0.9 * len(string.ascii_letters)
    assert printed[-1].startswith(f"learned from Chinese only: en {mine['en']:.2f} ")
