"""exercises_chat_template.py: the solutions of "The chat template"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer

USER, END, ASSISTANT, SYSTEM = 32010, 32007, 32001, 32006


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.exercises_chat_template as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/tokens/exercises_chat_template.py").splitlines()


def test_the_system_message_has_a_frame_of_its_own(snippet, printed):
    ids = snippet.system_ids
    found = [(position, token) for position, token in enumerate(ids)
             if token in snippet.added]
    assert [token for _, token in found] == [SYSTEM, END, USER, END, ASSISTANT]
    assert found[0][0] == 0 and found[-1][0] == len(ids) - 1
    assert printed[:5] == [f"{p:2} {t} {snippet.added[t].content}" for p, t in found]


def test_a_second_turn_sends_the_whole_conversation(snippet, printed):
    tokenizer = snippet.tokenizer
    first = tokenizer.apply_chat_template(snippet.messages, tokenize=False,
                                          add_generation_prompt=True)
    second = tokenizer.apply_chat_template(snippet.conversation, tokenize=False,
                                           add_generation_prompt=True)
    assert second.startswith(first)  # the first turn, then its answer: all again
    assert second.endswith("<|user|>\nMake it shorter.<|end|>\n<|assistant|>\n")
    assert "\n".join(printed[5:-2]) + "\n" == second


def test_the_two_spellings_of_the_first_word(snippet, printed):
    tokenizer = snippet.tokenizer
    plain, spaced = ([USER, tokenizer.convert_tokens_to_ids(piece)]
                     for piece in ["Write", "▁Write"])
    assert tokenizer.decode(plain, skip_special_tokens=True) == "Write"
    assert tokenizer.decode(spaced, skip_special_tokens=True) == "Write"
    assert tokenizer.decode(plain) == "<|user|>Write"
    assert tokenizer.decode(spaced) == "<|user|> Write"
    assert printed[-2].startswith(f"{'Write'!r:9} {plain} ")
