"""Numbers the pages of docs/tokens state in prose, each computed.

Everything comes from the tokenizer (the real one, ../shared/phi3-tokenizer), the
configs in tests/data and the snippets' own results; no model is built. The
measurement of the site's prose (chinese_cost.py) tokenizes every page: about a
second.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json

from tools.paths import TEST_DATA

def quietly(name: str):
    """Import a snippet module without its printing."""
    with contextlib.redirect_stdout(io.StringIO()):
        return importlib.import_module(f"snippets.tokens.{name}")


pieces = quietly("pieces")
cost = quietly("chinese_cost")
special = quietly("special_tokens")
chat = quietly("chat_template")
tokenizer = pieces.tokenizer
config = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
generation = json.loads(
    (TEST_DATA / "phi3-mini-4k-instruct.generation_config.json").read_text())

en, zh = cost.totals["en"], cost.totals["zh"]
byte_ids = tokenizer.convert_tokens_to_ids([f"<0x{b:02X}>" for b in range(256)])
special_ids = {tokenizer.convert_tokens_to_ids(t) for t in ("<unk>", "<s>", "</s>")}
learned = tokenizer.vocab_size - len(special_ids) - len(byte_ids)
added = sorted(i for i in tokenizer.added_tokens_decoder if i >= tokenizer.vocab_size)

FACTS = {
    "pieces in the vocabulary": f"{tokenizer.vocab_size:,}",
    "last piece id": f"{tokenizer.vocab_size - 1:,}",
    "added tokens": str(len(tokenizer) - tokenizer.vocab_size),
    "byte tokens": str(len(byte_ids)),
    # the vocabulary less <unk>, <s>, </s> and the bytes of byte fallback
    "pieces learned by BPE": f"{learned:,}",
    "pieces learned by BPE (zh)": str(learned),
    "first byte id": str(min(byte_ids)),
    "last byte id": str(max(byte_ids)),
    "id of byte 0xE8": str(tokenizer.convert_tokens_to_ids("<0xE8>")),
    "id of the byte of a line break": str(tokenizer.convert_tokens_to_ids("<0x0A>")),
    "first added id": str(added[0]),
    "last added id": str(added[-1]),
    **{f"special id {i}": str(i) for i in added},
    "embedding rows": str(config["vocab_size"]),
    "unused rows": str(len(special.unused)),
    # the largest power of two that divides the row count: 64
    "rows padded to a multiple of": str(config["vocab_size"] & -config["vocab_size"]),
    "Chinese tokens / English tokens": f"{zh['tokens'] / en['tokens']:.1f}",
    "context length": f"{tokenizer.model_max_length:,}",
    # Chinese pages write numbers without thousands separators, as elsewhere on the site
    "pieces in the vocabulary (zh)": str(tokenizer.vocab_size),
    "last piece id (zh)": str(tokenizer.vocab_size - 1),
    "context length (zh)": str(tokenizer.model_max_length),
    "raw prompt tokens": str(len(chat.raw_ids)),
    "templated prompt tokens": str(len(chat.ids)),
    "id of ▁Write, with its space": str(tokenizer.convert_tokens_to_ids("▁Write")),
    "id of Write": str(tokenizer.convert_tokens_to_ids("Write")),
    **{f"stop id {i}": str(i) for i in generation["eos_token_id"]},
}
NOT_FACTS = {
    "64": "NVIDIA's advice for matrix sizes (its guide to linear layers, quick-start "
          "checklist), quoted; the page's own 64 names its fact",
    "2.2": "a section number of the Llama 2 paper (arXiv:2307.09288)",
    "2024": "a number in the example text of pieces.py, not a measurement",
}
