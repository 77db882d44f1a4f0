"""The objective page: hand cross-entropy, the causal mask, the first steps, the model."""

import json

from snippets.scores_to_text.train_tiny import CHECKPOINT
from tests.helpers import run_script
from tools.paths import ROOT

LOG = json.loads((ROOT / CHECKPOINT / "training-log.json").read_text())


def test_runs_as_a_script_and_every_check_passes():
    printed = run_script("snippets/scores_to_text/tiny_phi3.py")
    assert f"{LOG['characters']:,} characters" in printed
    assert "lm_head is embed_tokens: True" in printed
    assert "cross-entropy by hand" in printed  # printed after its assert_close
    assert "position 63 changed: True" in printed
    assert f"trained {LOG['steps']} steps" in printed
    held_out = [line for line in printed.splitlines() if "held out" in line]
    trained = [line for line in printed.splitlines() if "trained on:" in line]
    loss = lambda line: float(line.split("loss ")[1].split(",")[0])  # noqa: E731
    assert loss(trained[0]) < loss(held_out[0])  # it memorised what it read
    # the page's words: "about fifteen" tokens on its own text, "hundreds" held out
    perplexity = lambda line: float(line.split("perplexity ")[1])  # noqa: E731
    assert 12 <= perplexity(trained[0]) < 18 and 100 <= perplexity(held_out[0]) < 1000


def test_loss_curve_has_a_line_per_series_in_both_languages():
    from snippets.scores_to_text.train_tiny import draw_loss_curve

    for language, word in [("en", "training step"), ("zh", "训练步数")]:
        figure = draw_loss_curve(language)
        axes = figure.axes[0]
        assert axes.get_xlabel() == word
        assert len(axes.lines[0].get_xdata()) == LOG["steps"]
