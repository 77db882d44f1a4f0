"""attention_maps.py: the tiny trained model's attention weights, head by head."""

from __future__ import annotations

import numpy
import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def maps():
    import snippets.inside_the_block.attention_maps as maps

    return maps


def test_the_model_is_the_tiny_one_trained_here(maps):
    from snippets.scores_to_text.train_tiny import CHECKPOINT

    assert maps.trained.config.name_or_path == str(CHECKPOINT)
    config, seq = maps.trained.config, len(maps.tokens)
    assert maps.attention.shape == (config.num_hidden_layers,
                                    config.num_attention_heads, seq, seq)


def test_eager_attention_computes_what_the_default_computes(maps):
    """The weights come from the eager path; the model is the same either way."""
    from transformers import Phi3ForCausalLM

    default = Phi3ForCausalLM.from_pretrained(maps.CHECKPOINT, dtype=torch.float32)
    with torch.no_grad():
        torch.testing.assert_close(maps.trained(maps.sentence_ids).logits,
                                   default(maps.sentence_ids).logits)


def test_the_weights_are_causal_and_each_row_sums_to_one(maps):
    weights = maps.attention
    assert torch.equal(weights.triu(1), torch.zeros_like(weights))  # no look ahead
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]))


def test_the_printed_shares_are_the_weights(maps):
    printed = run_script("snippets/inside_the_block/attention_maps.py").splitlines()
    weights = maps.attention
    layers, heads, seq, _ = weights.shape
    itself = [[weights[layer, head, 2:].diagonal(offset=2).mean().item()
               for head in range(heads)] for layer in range(layers)]
    previous = [[sum(weights[layer, head, i, i - 1].item() for i in range(2, seq))
                 / (seq - 2) for head in range(heads)] for layer in range(layers)]
    first = [[weights[layer, head, 2:, 0].mean().item() for head in range(heads)]
             for layer in range(layers)]
    lines = printed[2:]
    assert len(lines) == 3 * (layers + 1)
    for block, shares in enumerate((itself, previous, first)):
        rows = lines[block * (layers + 1) + 1:(block + 1) * (layers + 1)]
        for row, layer_shares in zip(rows, shares):
            numbers = [float(n) for n in row.split(":")[1].split()]
            assert numbers == pytest.approx(layer_shares, abs=0.0051)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_panel_plots_its_head(maps, language):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = maps.draw_heads(language)
    layers, heads, seq, _ = maps.attention.shape
    panels = figure.axes[:layers * heads]
    for number, axes in enumerate(panels):
        layer, head = divmod(number, heads)
        drawn = numpy.asarray(axes.images[0].get_array())
        numpy.testing.assert_allclose(drawn, maps.attention[layer, head].numpy())
        assert axes.get_title() == maps.LABELS[language]["panel"].format(
            layer=layer + 1, head=head + 1)
    assert [label.get_text() for label in panels[0].get_yticklabels()] == maps.tokens
    plt.close(figure)
