"""chat_pipeline.py: the pipeline templates a list of messages itself."""

from __future__ import annotations

import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.chat_pipeline as snippet

    return snippet


def test_script_prints_the_role_and_the_answer(snippet):
    lines = run_script("snippets/tokens/chat_pipeline.py").splitlines()
    assert lines[0] == "assistant"
    # Greedy decoding: a second run gives the same answer.
    assert "\n".join(lines[1:]) == snippet.conversation[-1]["content"]


def test_the_conversation_keeps_the_messages_and_adds_the_answer(snippet):
    assert snippet.conversation[:-1] == snippet.messages
    assert snippet.conversation[-1]["role"] == "assistant"


def test_the_answer_continues_the_templated_prompt(snippet):
    """What generate() gives for apply_chat_template's ids is the pipeline's answer."""
    tokenizer, model = snippet.tokenizer, snippet.model
    ids = tokenizer.apply_chat_template(snippet.messages, add_generation_prompt=True,
                                        return_tensors="pt").input_ids
    with torch.no_grad():
        out = model.generate(ids, max_new_tokens=50, do_sample=False)
    answer = tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)
    assert answer.strip() == snippet.conversation[-1]["content"].strip()
