"""exercises_chinese_cost.py: the solutions of "What Chinese costs"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script
from tools.paths import DOCS

pytestmark = pytest.mark.real_tokenizer  # counts of the real vocabulary


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.exercises_chinese_cost as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/tokens/exercises_chinese_cost.py").splitlines()


def test_every_page_of_this_chapter_costs_more_in_chinese(snippet, printed):
    english = sorted(page for page in (DOCS / "tokens").glob("*.md")
                     if not page.name.endswith(".zh.md"))
    rows = {line.split()[0]: line.split() for line in printed[:len(english)]}
    assert sorted(rows) == sorted(page.stem for page in english)
    for page in english:
        en = snippet.measure(page)["tokens"]
        zh = snippet.measure(page.with_suffix(".zh.md"))["tokens"]
        assert rows[page.stem][1:3] == [f"{en:,}", f"{zh:,}"]
        assert zh > en, page.name  # the answer: "They do."


def test_the_byte_tokens_are_the_bytes_of_the_characters_without_a_piece(snippet):
    """The solution counts characters missing from the vocabulary; byte fallback
    writes exactly those, three bytes each (the answer's "three bytes")."""
    missing = [char for char in snippet.chinese_text
               if char != " " and char not in snippet.vocabulary]
    assert sum(len(char.encode("utf-8")) for char in missing) == snippet.zh["bytes"]
    assert all(len(char.encode("utf-8")) == 3 for char in missing)
    assert snippet.no_piece == len(missing)


def test_a_piece_each_would_still_cost_more_than_english(snippet, printed):
    """The answer: much closer to English, still more, as Phi-3 has few pieces of
    two Chinese characters or more."""
    en, zh = snippet.en["tokens"], snippet.zh["tokens"]
    assert en < snippet.one_each < zh  # closer to English, still above it
    han = [piece.lstrip("▁") for piece in snippet.vocabulary
           if all("\u4e00" <= char <= "\u9fff" for char in piece.lstrip("▁"))]
    longer, single = ([p for p in han if len(p) > 1], [p for p in han if len(p) == 1])
    assert len(longer) < len(single) / 10
    assert printed[-1].endswith(f"x{snippet.one_each / en:.2f} with a piece for "
                                "every character")
