"""exercises_special_tokens.py: the solutions of "Special tokens"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.exercises_special_tokens as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/tokens/exercises_special_tokens.py").splitlines()


def test_only_the_exact_text_is_the_special_token_wherever_it_is(snippet, printed):
    tokenizer = snippet.tokenizer
    end = tokenizer.convert_tokens_to_ids("<|end|>")
    assert tokenizer("<|end|>").input_ids == [end]
    for text in ["<end>", "<| end |>"]:
        assert end not in tokenizer(text).input_ids
    typed = tokenizer("She typed <|end|> here").input_ids
    assert end in typed
    after = tokenizer.convert_ids_to_tokens(typed[typed.index(end) + 1])
    assert after == "here"  # rstrip: the space after it is swallowed
    assert printed[0] == f"{'<|end|>'!r:25} {[end]}"


def test_right_padding_puts_the_padding_after_the_text(snippet, printed):
    tokenizer = snippet.tokenizer
    assert tokenizer.padding_side == "left"  # the solution puts Phi-3's back
    hello = tokenizer("Hello").input_ids
    ids, mask = snippet.batch.input_ids[0], snippet.batch.attention_mask[0]
    assert ids[:len(hello)] == hello and set(ids[len(hello):]) == {
        tokenizer.pad_token_id}
    assert mask == [1] * len(hello) + [0] * (len(ids) - len(hello))
    assert printed[-1] == f"{ids} {mask}"
