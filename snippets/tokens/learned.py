"""How the pieces are learned: BPE by hand, byte fallback learned, and what a
vocabulary trained on this site's own pages would make Chinese cost.

Run from the repository's root folder: it reads the pages under docs/.
"""

# --8<-- [start:slice]
import contextlib
import io
import re
from collections import Counter
from pathlib import Path

with contextlib.redirect_stdout(io.StringIO()):  # importing it prints its tables
    import snippets.tokens.chinese_cost as chinese_cost  # the last page, its prose

page = Path("docs/model-example/load-and-generate.md")
text = chinese_cost.prose(page.read_text(encoding="utf-8"))
word_counts = Counter(re.findall(r"\w+|[^\w\s]+", text))  # (1)!
print(f"{len(text):,} characters, {sum(word_counts.values()):,} words, "
      f"{len(word_counts):,} different ones")
print(word_counts.most_common(6))
# --8<-- [end:slice]


# --8<-- [start:bpe]
def count_pairs(words):
    """How often each two neighbouring pieces occur, over every word."""
    pairs = Counter()
    for pieces, count in words.items():
        for pair in zip(pieces, pieces[1:]):
            pairs[pair] += count  # a word seen 5 times adds 5
    return pairs


def merge(pieces, pair):
    """The pieces of one word, with each occurrence of `pair` joined, left to right."""
    joined, i = [], 0
    while i < len(pieces):
        if pieces[i:i + 2] == pair:
            joined.append(pair[0] + pair[1])
            i += 2
        else:
            joined.append(pieces[i])
            i += 1
    return tuple(joined)


def train_bpe(word_counts, vocab_size):
    """Learn merges until the vocabulary has `vocab_size` pieces."""
    # First the characters, in code-point order: their ids are their ranks.
    vocab = {char: i for i, char in enumerate(sorted(set("".join(word_counts))))}
    words = {tuple(word): count for word, count in word_counts.items()}  # letters
    merges, ties = [], 0
    while len(vocab) < vocab_size:
        pairs = count_pairs(words)
        if not pairs:
            break  # every word is a single piece
        # The most frequent pair; a tie goes to the pair with the lowest ids.
        best = max(pairs, key=lambda p: (pairs[p], -vocab[p[0]], -vocab[p[1]]))
        ties += sum(count == pairs[best] for count in pairs.values()) > 1
        merges.append(best)
        vocab.setdefault(best[0] + best[1], len(vocab))  # the next id
        words = {merge(pieces, best): count for pieces, count in words.items()}
    return vocab, merges, ties
# --8<-- [end:bpe]


# --8<-- [start:by-hand]
VOCAB_SIZE = 250
vocab, merges, ties = train_bpe(word_counts, VOCAB_SIZE)
print(len(vocab) - len(merges), "characters, then", len(merges), "merges;",
      ties, "of them broke a tie")
for number, (left, right) in enumerate(merges[:8], 1):
    print(f"merge {number}: {left!r} + {right!r}")


def pieces_of(word, merges):
    """A word cut with the merges, applied in the order they were learned."""
    pieces = tuple(word)
    for pair in merges:
        pieces = merge(pieces, pair)
    return pieces


for learned in [0, 10, 40, 100, len(merges)]:
    print(f"after {learned:3} merges:", pieces_of("generation", merges[:learned]))
# --8<-- [end:by-hand]

# --8<-- [start:library]
import json

from tokenizers import Tokenizer, models, pre_tokenizers, trainers

library = Tokenizer(models.BPE())
library.pre_tokenizer = pre_tokenizers.Whitespace()  # words as \w+|[^\w\s]+ above
trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, show_progress=False)
library.train_from_iterator([text], trainer)
trained = json.loads(library.to_str())["model"]  # its vocabulary and merges
print("same pieces, same ids:", trained["vocab"] == vocab)
print("same merges, same order:", [tuple(m) for m in trained["merges"]] == merges)
print("ids of 'generation':", library.encode("generation").ids,
      [vocab[piece] for piece in pieces_of("generation", merges)])
# --8<-- [end:library]

# --8<-- [start:phi3-spec]
from huggingface_hub import hf_hub_download
from sentencepiece import sentencepiece_model_pb2

# Phi-3's tokenizer.model keeps the settings it was trained with.
phi3 = sentencepiece_model_pb2.ModelProto()
phi3.ParseFromString(
    Path(hf_hub_download(chinese_cost.MODEL_ID, "tokenizer.model")).read_bytes())
spec = phi3.trainer_spec
print("model_type:", spec.ModelType.Name(spec.model_type))
for name in ["vocab_size", "byte_fallback", "character_coverage", "split_digits",
             "max_sentencepiece_length"]:
    value = getattr(spec, name)
    print(f"{name}: {value:g}" if isinstance(value, float) else f"{name}: {value}")
# --8<-- [end:phi3-spec]

# --8<-- [start:train-like-phi3]
import sentencepiece


def train_like_phi3(sentences, vocab_size):
    """A SentencePiece BPE vocabulary trained with Phi-3's settings on `sentences`."""
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=model,
        model_type="bpe", vocab_size=vocab_size,
        byte_fallback=spec.byte_fallback,
        character_coverage=spec.character_coverage,
        split_digits=spec.split_digits,
        max_sentencepiece_length=spec.max_sentencepiece_length,
        allow_whitespace_only_pieces=spec.allow_whitespace_only_pieces,
        normalization_rule_name="identity", remove_extra_whitespaces=False,  # as Phi-3
        hard_vocab_limit=False,  # (1)!
        num_threads=1, minloglevel=2)  # one thread: the same result every run
    return sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())


def prose_of(page, language):
    """The prose of an English page or of its Chinese twin."""
    source = page if language == "en" else page.with_suffix(".zh.md")
    return chinese_cost.prose(source.read_text(encoding="utf-8"))


def sentences(page, language):
    """The prose of a page cut into sentences: SentencePiece learns from lines."""
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", prose_of(page, language)) if s]


# The last page's page pairs, but the glossary: its tables hold both languages.
pairs = [page for page in chinese_cost.pages if page.stem != "glossary"]
held_out = pairs[::4]  # every fourth page pair: only for measuring
training = [page for page in pairs if page not in held_out]
english = [s for page in training for s in sentences(page, "en")]
chinese = [s for page in training for s in sentences(page, "zh")]
print(len(training), "page pairs to learn from,", len(held_out), "held out:")
print([page.relative_to("docs").with_suffix("").as_posix() for page in held_out])
# --8<-- [end:train-like-phi3]

# --8<-- [start:byte-fallback]
bilingual = train_like_phi3(english + chinese, 4000)
phi3_tokenizer = chinese_cost.tokenizer
han = Counter(char for s in chinese for char in s if "\u4e00" <= char <= "\u9fff")
print(f"{len(han):,} different Chinese characters, {han.total():,} in all")
print("times seen  characters  a piece here  a piece in Phi-3")
for seen, low, high in [("1", 1, 1), ("2", 2, 2), ("3-9", 3, 9), ("10-99", 10, 99),
                        ("100+", 100, None)]:
    chars = [c for c, n in han.items() if n >= low and (high is None or n <= high)]
    here = sum(bilingual.piece_to_id(c) != bilingual.unk_id() for c in chars)
    in_phi3 = sum(phi3_tokenizer.convert_tokens_to_ids(c)
                  != phi3_tokenizer.unk_token_id for c in chars)
    print(f"{seen:>10} {len(chars):11} {here:13} {in_phi3:17}")
print("词:", han["词"], "times;", bilingual.encode("词", out_type=str),
      phi3_tokenizer.tokenize("词"))
# --8<-- [end:byte-fallback]

# --8<-- [start:mixes]
SIZES = [1500, 2000, 3000, 4000]


def held_out_cost(encode):
    """Tokens per character on the held-out pages, and Chinese / English tokens."""
    tokens, characters = Counter(), Counter()
    for page in held_out:
        for language in ["en", "zh"]:
            text = prose_of(page, language)
            tokens[language] += len(encode(text))
            characters[language] += len(text.replace(" ", ""))  # as the last page
    return {"en": tokens["en"] / characters["en"],
            "zh": tokens["zh"] / characters["zh"],
            "zh/en": tokens["zh"] / tokens["en"]}


results = {"Phi-3": held_out_cost(phi3_tokenizer.tokenize)}
MIXES = {"English": english, "English+Chinese": english + chinese}
for mix, training_text in MIXES.items():
    for size in SIZES:
        results[mix, size] = held_out_cost(train_like_phi3(training_text, size).encode)
print("vocabulary              en tokens/char  zh tokens/char  zh/en tokens")
for name, result in results.items():
    label = name if isinstance(name, str) else f"{name[0]}, {name[1]:,}"
    print(f"{label:24} {result['en']:14.2f} {result['zh']:15.2f} "
          f"{result['zh/en']:13.2f}")
# --8<-- [end:mixes]

# --8<-- [start:cost]
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from snippets.why_slow.int8_linear import bytes_per_token

config = AutoConfig.from_pretrained(chinese_cost.MODEL_ID)
with torch.device("meta"):  # real shapes, no memory
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
read_per_token = bytes_per_token(model)  # every weight but the embedding table
row_bytes = model.lm_head.weight[0].nbytes  # one row: hidden_size numbers of 2 bytes
# Larger vocabularies of real models (sources on the page).
VOCABULARIES = {"Phi-3-mini": config.vocab_size, "Phi-3-small": 100_352,
                "Llama 3": 128_256}
print("vocabulary      rows  parameters  GB (bf16)  lm_head's share  more to read")
for name, rows in VOCABULARIES.items():
    extra = (rows - config.vocab_size) * row_bytes  # more rows in lm_head
    parameters = 2 * rows * config.hidden_size  # embed_tokens and lm_head
    head_share = rows * row_bytes / (read_per_token + extra)
    gigabytes = 2 * rows * row_bytes / 1e9
    print(f"{name:11} {rows:8,} {parameters / 1e6:9,.0f} M {gigabytes:10.2f}"
          f" {head_share:16.1%} {extra / read_per_token:13.1%}")
# --8<-- [end:cost]

LABELS = {
    "en": {"title": "What the training text makes Chinese cost",
           "x": "pieces in the vocabulary", "y": "Chinese tokens / English tokens",
           "English": "learned from the English pages",
           "English+Chinese": "learned from both languages",
           "Phi-3": "Phi-3 ({:,} pieces)"},
    "zh": {"title": "训练文本决定了中文的代价",
           "x": "词表中的片段数", "y": "中文词元数 / 英文词元数",
           "English": "只用英文页面训练",
           "English+Chinese": "用中英文页面训练",
           "Phi-3": "Phi-3（{} 个片段）"},
}


def draw_vocabulary_mix(language="en"):
    """The Chinese/English token ratio on the held-out pages, per vocabulary size."""
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    figure, axes = plt.subplots(figsize=(8.5, 4))
    for mix, color in [("English", "tab:blue"), ("English+Chinese", "tab:red")]:
        ratios = [results[mix, size]["zh/en"] for size in SIZES]
        axes.plot(SIZES, ratios, marker="o", color=color, label=labels[mix])
    axes.axhline(results["Phi-3"]["zh/en"], color="tab:gray", linestyle="--",
                 label=labels["Phi-3"].format(spec.vocab_size))
    axes.axhline(1, color="tab:gray", linewidth=0.8, alpha=0.5)
    axes.set_xticks(SIZES)
    axes.set_ylim(bottom=0)
    axes.set_xlabel(labels["x"])
    axes.set_ylabel(labels["y"])
    axes.set_title(labels["title"])
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.patch.set_alpha(0)  # transparent: the page's own background shows
    axes.set_facecolor("none")
    figure.tight_layout()
    return figure


FIGURES = {"vocabulary-mix": draw_vocabulary_mix}
