"""The three module trees: sizes from the paper and the configs, counts from formulas."""

import pytest

from tests.facts import real_size_phi3
from tests.helpers import run_script


@pytest.fixture(scope="module")
def families():
    from snippets.inside_the_block import three_families

    return three_families


def test_transformer_2017_has_the_papers_sizes(families):
    config = families.transformer_2017_config
    assert (config.encoder_layers, config.decoder_layers) == (6, 6)
    assert (config.d_model, config.encoder_ffn_dim, config.decoder_ffn_dim) == (512, 2048, 2048)
    assert config.encoder_attention_heads == config.decoder_attention_heads == 8
    assert not config.normalize_before if hasattr(config, "normalize_before") else True


def test_transformer_2017_trained_parameters_by_formula(families):
    d, ff, vocab, n = 512, 2048, 37000, 6
    attention = 4 * (d * d + d)  # q, k, v, out projections with biases
    feed_forward = d * ff + ff + ff * d + d
    layer_norm = 2 * d
    encoder_layer = attention + feed_forward + 2 * layer_norm
    decoder_layer = 2 * attention + feed_forward + 3 * layer_norm
    expected = vocab * d + n * encoder_layer + n * decoder_layer  # one shared embedding
    model = families.transformer_2017
    assert families.count_parameters(model, trainable_only=True) == expected
    # The sinusoidal tables are stored as weights but never trained.
    tables = [model.model.encoder.embed_positions, model.model.decoder.embed_positions]
    assert all(not table.weight.requires_grad for table in tables)
    assert families.count_parameters(model) == expected + 2 * 512 * d
    assert model.lm_head.weight is model.model.shared.weight  # tied output projection


def test_encoder_and_decoder_counts(families):
    assert families.count_parameters(families.encoder) == 22_713_216
    phi3 = real_size_phi3()
    assert families.count_parameters(phi3) == 3_821_079_552


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/three_families.py")
    assert "MarianMTModel(" in output and "BertModel(" in output
    assert "Phi3ForCausalLM(" in output
