"""learned.py: BPE by hand equals the tokenizers trainer; byte fallback learned with
SentencePiece; vocabularies trained on the site's pages; a larger vocabulary's cost."""

from __future__ import annotations

import json
import re
from collections import Counter

import matplotlib
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from tests.helpers import run_script
from tools.paths import DOCS

matplotlib.use("Agg")
pytestmark = pytest.mark.real_tokenizer


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.learned as snippet

    return snippet


def library_bpe(text: str, vocab_size: int) -> tuple[dict, list]:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(
        [text], trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False))
    model = json.loads(tokenizer.to_str())["model"]
    return model["vocab"], [tuple(m) for m in model["merges"]]


def test_script_prints_the_equality_with_the_library(snippet):
    printed = run_script("snippets/tokens/learned.py")
    assert "same pieces, same ids: True" in printed
    assert "same merges, same order: True" in printed


def test_words_are_split_as_the_whitespace_pre_tokenizer_splits(snippet):
    split = pre_tokenizers.Whitespace().pre_tokenize_str(snippet.text)
    assert Counter(word for word, _ in split) == snippet.word_counts


def test_by_hand_equals_the_library_on_every_page_in_both_languages(snippet):
    """The claim of the page: every page of the site, English and Chinese."""
    ties = 0
    for page in sorted(DOCS.rglob("*.md")):
        text = snippet.chinese_cost.prose(page.read_text(encoding="utf-8"))
        words = Counter(re.findall(r"\w+|[^\w\s]+", text))
        size = len(set("".join(words))) + 25  # the first merges: ties among them
        vocab, merges, page_ties = snippet.train_bpe(words, size)
        assert (vocab, merges) == library_bpe(text, size), page
        ties += page_ties
    assert ties > 100  # the rule for ties is tested, not only the counting


def test_the_library_encodes_words_with_the_ids_of_the_hand_made_vocabulary(snippet):
    library = snippet.library
    for word in ["generation", "tokens", "Phi", "transformers"]:
        pieces = snippet.pieces_of(word, snippet.merges)
        assert library.encode(word).ids == [snippet.vocab[p] for p in pieces]


def test_another_tie_rule_learns_other_merges(snippet):
    """The tie rule is what makes the two equal: the first pair met differs."""
    def first_met(word_counts, vocab_size):
        vocab = {c: i for i, c in enumerate(sorted(set("".join(word_counts))))}
        words = {tuple(w): n for w, n in word_counts.items()}
        merges = []
        while len(vocab) < vocab_size:
            pairs = snippet.count_pairs(words)
            best = max(pairs, key=pairs.get)  # the first pair counted, of the most
            merges.append(best)
            vocab.setdefault(best[0] + best[1], len(vocab))
            words = {snippet.merge(p, best): n for p, n in words.items()}
        return merges

    assert snippet.ties > 0
    assert first_met(snippet.word_counts, snippet.VOCAB_SIZE) != snippet.merges


def test_merge_joins_left_to_right_without_overlap(snippet):
    assert snippet.merge(tuple("aaa"), ("a", "a")) == ("aa", "a")
    assert snippet.merge(tuple("abab"), ("a", "b")) == ("ab", "ab")


def test_the_settings_are_phi3s_own(snippet):
    spec = snippet.spec
    assert spec.ModelType.Name(spec.model_type) == "BPE"
    assert spec.byte_fallback
    assert spec.vocab_size == snippet.chinese_cost.tokenizer.vocab_size
    assert spec.character_coverage == pytest.approx(0.99995)


def test_the_small_vocabularies_are_trained_as_phi3s_was(snippet):
    """Every setting that shapes the pieces is Phi-3's, but the size and the limit."""
    from sentencepiece import sentencepiece_model_pb2

    ours = sentencepiece_model_pb2.ModelProto()
    ours.ParseFromString(snippet.bilingual.serialized_model_proto())
    phi3 = snippet.phi3
    for name in ["model_type", "byte_fallback", "character_coverage", "split_digits",
                 "max_sentencepiece_length", "allow_whitespace_only_pieces",
                 "split_by_unicode_script", "split_by_whitespace", "split_by_number",
                 "treat_whitespace_as_suffix", "unk_id", "bos_id", "eos_id"]:
        ours_value, phi3_value = (getattr(m.trainer_spec, name) for m in (ours, phi3))
        assert ours_value == phi3_value, name
    for name in ["name", "add_dummy_prefix", "remove_extra_whitespaces"]:
        assert (getattr(ours.normalizer_spec, name)
                == getattr(phi3.normalizer_spec, name)), name


def test_held_out_pages_are_not_trained_on(snippet):
    held = set(snippet.held_out)
    assert held and not held & set(snippet.training)
    glossary = {page for page in snippet.chinese_cost.pages if page.stem == "glossary"}
    assert set(snippet.training) | held == set(snippet.chinese_cost.pages) - glossary
    # No Chinese in the English training text: the English-only vocabulary has none.
    assert not any("\u4e00" <= char <= "\u9fff" for s in snippet.english for char in s)
    # What the held-out pages share with the training text word for word (a page's
    # title in its chapter's index, "!") is a small part of them.
    held_sentences = {s for page in held for s in snippet.sentences(page, "zh")}
    shared = held_sentences & set(snippet.chinese)
    assert sum(map(len, shared)) < 0.05 * sum(map(len, held_sentences))


def test_characters_without_a_piece_are_the_rarest(snippet):
    """Character coverage: a character gets a piece by how often it occurs."""
    bilingual, han = snippet.bilingual, snippet.han
    without = [c for c in han if bilingual.piece_to_id(c) == bilingual.unk_id()]
    with_piece = [c for c in han if bilingual.piece_to_id(c) != bilingual.unk_id()]
    assert without, "the page says a few characters fall back to bytes"
    assert max(han[c] for c in without) <= min(han[c] for c in with_piece)
    characters = sum(len(s) for s in snippet.english + snippet.chinese)
    left = 1 - snippet.spec.character_coverage
    assert sum(han[c] for c in without) <= left * characters + 1
    for char in without:  # written as its UTF-8 bytes, which decode back
        pieces = bilingual.encode(char, out_type=str)
        assert pieces[-3:] == [f"<0x{b:02X}>" for b in char.encode()]
        assert bilingual.decode(bilingual.encode(char)) == char


def test_phi3_has_pieces_for_fewer_characters_the_rarer_they_are(snippet):
    """The page: most characters the site uses often have a piece in Phi-3, and the
    share falls with how often a character occurs."""
    tokenizer, han = snippet.phi3_tokenizer, snippet.han
    shares = []
    for low, high in [(1, 1), (2, 2), (3, 9), (10, 99), (100, None)]:
        chars = [c for c, n in han.items() if low <= n and (high is None or n <= high)]
        pieces = sum(tokenizer.convert_tokens_to_ids(c) != tokenizer.unk_token_id
                     for c in chars)
        shares.append(pieces / len(chars))
    assert shares == sorted(shares) and shares[-1] > shares[-2] > 0.5 > shares[0]


def test_the_mix_decides_more_than_the_size(snippet):
    results, sizes = snippet.results, snippet.SIZES
    phi3 = results["Phi-3"]["zh/en"]
    for size in sizes:
        assert results["English", size]["zh/en"] > phi3 > 1
        assert results["English+Chinese", size]["zh/en"] < 1
    # "about half the tokens Phi-3 needs" for a Chinese page, at the largest size
    ratio = results["English+Chinese", max(sizes)]["zh"] / results["Phi-3"]["zh"]
    assert 0.4 < ratio < 0.6


def test_held_out_cost_counts_as_the_last_page(snippet):
    """Phi-3's tokens and characters on a held-out page are measure()'s."""
    page = snippet.held_out[0]
    measured = snippet.chinese_cost.measure(page)
    text = snippet.prose_of(page, "en")
    assert len(snippet.phi3_tokenizer.tokenize(text)) == measured["tokens"]
    assert len(text.replace(" ", "")) == measured["characters"]


def test_the_cost_follows_the_rows(snippet):
    model, config = snippet.model, snippet.config
    assert snippet.row_bytes == config.hidden_size * 2  # bfloat16
    assert model.lm_head.weight.nbytes == config.vocab_size * snippet.row_bytes
    from snippets.why_slow.int8_linear import bytes_per_token

    assert snippet.read_per_token == bytes_per_token(model)
    assert snippet.VOCABULARIES["Phi-3-mini"] == config.vocab_size


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_figure_has_a_line_per_mix_and_labels_in_its_language(snippet, language):
    figure = snippet.FIGURES["vocabulary-mix"](language=language)
    axes = figure.axes[0]
    labels = snippet.LABELS[language]
    lines = [line for line in axes.get_lines() if len(line.get_xdata()) > 2]
    assert [list(line.get_ydata()) for line in lines] == [
        [snippet.results[mix, size]["zh/en"] for size in snippet.SIZES]
        for mix in ["English", "English+Chinese"]]
    assert axes.get_xlabel() == labels["x"] and axes.get_title() == labels["title"]
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend[:2] == [labels["English"], labels["English+Chinese"]]
