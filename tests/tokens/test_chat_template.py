"""chat_template.py: the rendered conversation, its ids, rstrip, the stop tokens."""

from __future__ import annotations

import ast
import json

import pytest

from tests.helpers import run_script
from tools import hfcache
from tools.paths import SNIPPETS, TEST_DATA

OUTPUT = SNIPPETS / "tokens" / "output" / "chat_template"
USER, END, ASSISTANT, SYSTEM = 32010, 32007, 32001, 32006


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.chat_template as snippet

    return snippet


def first_chapter_prompt() -> str:
    """The prompt of generate_email.py, read without loading a model."""
    source = (SNIPPETS / "model_example" / "generate_email.py").read_text()
    for node in ast.walk(ast.parse(source)):
        target = getattr(node, "targets", [None])[0]
        if isinstance(node, ast.Assign) and getattr(target, "id", "") == "prompt":
            return ast.literal_eval(node.value)
    raise LookupError("prompt")


def test_script_prints_the_rendered_conversation(snippet):
    printed = run_script("snippets/tokens/chat_template.py")
    assert printed.startswith(repr(f"<|user|>\n{snippet.prompt}<|end|>\n<|endoftext|>"))
    assert f"<|user|>\n{snippet.prompt}<|end|>\n<|assistant|>\n" in printed


def test_the_message_is_the_first_chapters_prompt(snippet):
    assert snippet.prompt == first_chapter_prompt()


def test_the_template_is_phi3s_format(snippet):
    assert snippet.text == (f"<|system|>\nYou are a helpful assistant.<|end|>\n"
                            f"<|user|>\n{snippet.prompt}<|end|>\n<|assistant|>\n")


@pytest.mark.real_tokenizer
def test_special_tokens_frame_the_message(snippet):
    ids = snippet.ids
    assert ids[0] == USER and ids[-2:] == [END, ASSISTANT]
    assert snippet.system_ids[0] == SYSTEM
    assert snippet.system_ids.count(END) == 2
    # The message in between is the prompt's own tokens, but for the first one.
    assert ids[2:-2] == snippet.raw_ids[1:]
    tokenizer = snippet.tokenizer
    assert ids[1] == tokenizer.convert_tokens_to_ids("Write") == 6113
    assert snippet.raw_ids[0] == tokenizer.convert_tokens_to_ids("▁Write") == 14350
    assert len(ids) == len(snippet.raw_ids) + 3


@pytest.mark.real_tokenizer
def test_the_line_breaks_after_chat_tokens_become_no_token(snippet):
    assert 13 not in snippet.ids  # <0x0A>, the byte of "\n"
    assert "\n" not in snippet.tokenizer.decode(snippet.ids)
    folder = hfcache.real_tokenizer_dir()
    if folder is None:  # --real-model without the shared copy: the Hub's tokenizer
        pytest.skip("the shared tokenizer_config.json is not here to read")
    config = json.loads((folder / "tokenizer_config.json").read_text())
    rstrip = {int(i): t["rstrip"] for i, t in config["added_tokens_decoder"].items()}
    assert rstrip[USER] and rstrip[END] and rstrip[ASSISTANT] and rstrip[SYSTEM]
    assert not rstrip[32000]


def test_generation_stops_at_the_ids_of_the_model_config(snippet):
    config = json.loads(
        (TEST_DATA / "phi3-mini-4k-instruct.generation_config.json").read_text())
    assert snippet.stop_ids == config["eos_token_id"] == [32000, ASSISTANT, END]


@pytest.mark.real_model
def test_the_hub_tokenizer_gives_the_ids_the_page_shows(snippet):
    """The shared tokenizer is a reconstruction: the Hub's tokenizer.json decides.

    The ids next to special tokens depend on how the prefix space is handled
    (the first word after <|user|> is `Write` here); if the Hub differs, the page
    and its output files must change.
    """
    shown = ast.literal_eval(
        (OUTPUT / "ids.txt").read_text(encoding="utf-8").splitlines()[0])
    assert snippet.ids == shown
