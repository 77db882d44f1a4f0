"""`make train-tiny` is reproducible, and its checkpoint is what the pages say."""

import json

import torch

from snippets.scores_to_text import train_tiny
from tests.helpers import run_script
from tools.paths import ROOT

CHECKPOINT = ROOT / train_tiny.CHECKPOINT
LOG = json.loads((CHECKPOINT / "training-log.json").read_text())


def test_retraining_the_first_steps_gives_the_logged_losses(tmp_path):
    printed = run_script("snippets/scores_to_text/train_tiny.py", "--steps", "2",
                         "--corpus", str(CHECKPOINT / "corpus.txt"), "--out",
                         str(tmp_path))
    assert printed.startswith("2 steps in")
    log = json.loads((tmp_path / "training-log.json").read_text())
    # Seeded and on one thread: equal up to the rounding of another CPU.
    torch.testing.assert_close(torch.tensor(log["losses"]),
                               torch.tensor(LOG["losses"][:2]), rtol=1e-4, atol=1e-4)
    assert log["losses"][1] != log["losses"][0]  # the second step saw trained weights
    assert log["tokens"] == LOG["tokens"] and log["characters"] == LOG["characters"]


def test_the_checkpoint_is_small_and_has_the_tiny_config():
    weights = CHECKPOINT / "model.safetensors"
    assert weights.stat().st_size <= 10_000_000
    saved = json.loads((CHECKPOINT / "config.json").read_text())
    expected = train_tiny.tiny_config().to_dict()
    for key in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                "num_attention_heads", "num_key_value_heads", "sliding_window",
                "tie_word_embeddings"):
        assert saved[key] == expected[key], key
    assert saved["dtype"] == "float16"


def test_the_log_covers_every_step_and_the_loss_fell():
    assert len(LOG["losses"]) == LOG["steps"]
    assert LOG["threads"] == 1
    first, last = LOG["losses"][0], sum(LOG["losses"][-20:]) / 20
    assert abs(first - torch.tensor(32064.0).log().item()) < 0.2  # a uniform guess
    assert last < first / 2


def test_the_corpus_is_the_prose_of_the_pages_without_code(tmp_path):
    (tmp_path / "page.md").write_text(
        "# Title { #title }\n\nSome prose with a [link](x.md).\n\n```python\n"
        "print('code')\n```\n\n<!-- hidden -->\n", encoding="utf-8")
    (tmp_path / "page.zh.md").write_text("中文\n", encoding="utf-8")
    chapter = tmp_path / "scores-to-text"
    chapter.mkdir()
    (chapter / "index.md").write_text("left out\n", encoding="utf-8")
    assert train_tiny.prose_of_pages(tmp_path) == "# Title \n\nSome prose with a [link].\n"


def test_the_committed_corpus_is_what_the_log_counted():
    corpus = (CHECKPOINT / "corpus.txt").read_text(encoding="utf-8")
    assert len(corpus) == LOG["characters"]
    assert "```" not in corpus and "--8<--" not in corpus
