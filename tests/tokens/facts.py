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
learned = quietly("learned")
tokenizer = pieces.tokenizer
config = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
generation = json.loads(
    (TEST_DATA / "phi3-mini-4k-instruct.generation_config.json").read_text())

en, zh = cost.totals["en"], cost.totals["zh"]
byte_ids = tokenizer.convert_tokens_to_ids([f"<0x{b:02X}>" for b in range(256)])
special_ids = {tokenizer.convert_tokens_to_ids(t) for t in ("<unk>", "<s>", "</s>")}
bpe_pieces = tokenizer.vocab_size - len(special_ids) - len(byte_ids)
added = sorted(i for i in tokenizer.added_tokens_decoder if i >= tokenizer.vocab_size)

held_out = learned.results
phi3_chinese_pieces = [piece for piece in tokenizer.convert_ids_to_tokens(
    range(tokenizer.vocab_size)) if len(piece) == 1 and "\u4e00" <= piece <= "\u9fff"]


def lm_head_share(rows: int) -> float:
    extra = (rows - learned.config.vocab_size) * learned.row_bytes
    return rows * learned.row_bytes / (learned.read_per_token + extra)


llama3_rows = learned.VOCABULARIES["Llama 3"]
llama3_extra = (llama3_rows - learned.config.vocab_size) * learned.row_bytes

FACTS = {
    "pieces in the vocabulary": f"{tokenizer.vocab_size:,}",
    "last piece id": f"{tokenizer.vocab_size - 1:,}",
    "added tokens": str(len(tokenizer) - tokenizer.vocab_size),
    "byte tokens": str(len(byte_ids)),
    # the vocabulary less <unk>, <s>, </s> and the bytes of byte fallback
    "pieces learned by BPE": f"{bpe_pieces:,}",
    "pieces learned by BPE (zh)": str(bpe_pieces),
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
    # How the pieces are learned (learned.py)
    "merges learned by hand": str(len(learned.merges)),
    "merges that broke a tie": str(learned.ties),
    "character coverage %": f"{100 * learned.spec.character_coverage:g}",
    "characters left to bytes %": f"{100 * (1 - learned.spec.character_coverage):.3f}",
    "pieces of the bilingual vocabulary": f"{learned.bilingual.get_piece_size():,}",
    "occurrences of the example character": str(learned.han["词"]),
    "Chinese characters in Phi-3's pieces": str(len(phi3_chinese_pieces)),
    "held-out zh/en, Phi-3": f"{held_out['Phi-3']['zh/en']:.2f}",
    "held-out zh/en, English, 4000": f"{held_out['English', 4000]['zh/en']:.2f}",
    "held-out zh/en, bilingual, 4000":
        f"{held_out['English+Chinese', 4000]['zh/en']:.2f}",
    "largest vocabulary trained": f"{max(learned.SIZES):,}",
    "hidden size (en)": f"{config['hidden_size']:,}",
    "hidden size": str(config["hidden_size"]),
    "pieces of the bilingual vocabulary (zh)": str(learned.bilingual.get_piece_size()),
    "largest vocabulary trained (zh)": str(max(learned.SIZES)),
    "lm_head share, Phi-3-mini %": f"{lm_head_share(config['vocab_size']):.1%}"[:-1],
    "lm_head share, Llama 3 %": f"{lm_head_share(llama3_rows):.1%}"[:-1],
    "more to read per token, Llama 3 %":
        f"{llama3_extra / learned.read_per_token:.1%}"[:-1],
}
NOT_FACTS = {
    "100352": "a quotation of the Phi-3 report (arXiv:2404.14219), section 2",
    "128,256": "the rows of Llama 3's config.json, linked where it is stated",
    "128256": "the rows of Llama 3's config.json (Chinese pages: no separators)",
    "3.2": "a section number of the Llama 3 paper (arXiv:2407.21783)",
    "64": "NVIDIA's advice for matrix sizes (its guide to linear layers, quick-start "
          "checklist), quoted; the page's own 64 names its fact",
    "2.2": "a section number of the Llama 2 paper (arXiv:2307.09288)",
    "2024": "a number in the example text of pieces.py, not a measurement",
}
