"""model_shapes.py: the whole model's shapes, caught on the meta device, and the
figure drawn from them in every language."""

from __future__ import annotations

import pytest

from tests.helpers import run_script

HIDDEN_WIDE = ("embed_tokens", "input_layernorm", "o_proj", "post_attention_layernorm",
               "down_proj", "layers[0]", "norm")


@pytest.fixture(scope="module")
def shapes():
    import snippets.inside_the_block.model_shapes as shapes

    return shapes


def caught_shapes(shapes) -> dict[str, tuple[int, ...]]:
    return {name: tuple(output.shape) for name, (_, output) in shapes.caught.items()}


def test_the_shapes_follow_from_the_config(shapes):
    config, seq = shapes.config, shapes.input_ids.shape[1]
    heads, head_dim = config.num_attention_heads, shapes.head_dim
    found = caught_shapes(shapes)
    assert all(found[name] == (1, seq, config.hidden_size) for name in HIDDEN_WIDE)
    qkv = (heads + 2 * config.num_key_value_heads) * head_dim
    assert found["qkv_proj"] == (1, seq, qkv)
    assert found["gate_up_proj"] == (1, seq, 2 * config.intermediate_size)
    assert found["lm_head"] == (1, seq, config.vocab_size)
    assert tuple(shapes.q.shape) == (1, heads, seq, head_dim)
    assert tuple(shapes.scores.shape) == (1, heads, seq, seq)
    assert tuple(shapes.gated.shape) == (1, seq, config.intermediate_size)


def test_it_ran_on_the_meta_device_and_left_no_hook(shapes):
    assert all(output.is_meta for _, output in shapes.caught.values())
    assert not any(module._forward_hooks for module in shapes.watched.values())


def test_every_layer_computes_the_shapes_of_the_first(shapes):
    """The figure draws one layer and says "× layers": each returns the same shape."""
    import torch

    returned = []

    def keep(module, args, output):
        output = output[0] if isinstance(output, tuple) else output
        returned.append(tuple(output.shape))

    hooks = [layer.register_forward_hook(keep) for layer in shapes.phi3.model.layers]
    with torch.no_grad():
        shapes.phi3(shapes.input_ids)
    for hook in hooks:
        hook.remove()
    layers = len(shapes.phi3.model.layers)
    assert returned == [caught_shapes(shapes)["layers[0]"]] * layers


def test_the_printout_lists_them(shapes):
    printed = run_script("snippets/inside_the_block/model_shapes.py").splitlines()
    found = caught_shapes(shapes)
    assert printed[0] == f"{'input_ids':<25} {tuple(shapes.input_ids.shape)}"
    for line, (name, shape) in zip(printed[1:], found.items()):
        assert line == f"{name:<25} {shape}"
    assert printed[len(found) + 2].endswith("(batch, heads, seq, seq)")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_figure_draws_the_computed_shapes(shapes, language):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = shapes.draw_shapes(language)
    texts = [text.get_text() for text in figure.axes[0].texts]
    rows = shapes.diagram_rows(language)
    found = caught_shapes(shapes)
    for label, shape, _, _ in rows:
        assert label in texts and str(shape) in texts
    shown = {label: shape for label, shape, _, _ in rows}
    assert all(shown[name] == found[name] for name in HIDDEN_WIDE[:-2])
    assert shown["qkv_proj"] == found["qkv_proj"]
    assert shown["lm_head"] == found["lm_head"]
    assert any(f"× {shapes.config.num_hidden_layers}" in text for text in texts)
    assert figure.axes[0].get_title().count(str(shapes.input_ids.shape[1])) == 1
    plt.close(figure)
