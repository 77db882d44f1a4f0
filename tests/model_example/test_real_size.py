"""Real-size Phi-3-mini on the meta device: the sizes the chapter states and prints."""

from __future__ import annotations

from tests.facts import real_size_phi3
from tools.paths import SNIPPETS

OUTPUT = SNIPPETS / "model_example" / "output"


def count(module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def test_parameter_count():
    assert count(real_size_phi3()) == 3_821_079_552


def test_printed_tree_is_the_real_size_model():
    printed = (OUTPUT / "model_tree" / "print-model.txt").read_text(encoding="utf-8")
    assert printed == str(real_size_phi3()) + "\n"


def test_attention_is_multi_head_with_96_wide_heads():
    model = real_size_phi3()
    config = model.config
    assert config.hidden_size // config.num_attention_heads == 96
    assert config.num_attention_heads == config.num_key_value_heads == 32  # MHA, no GQA
    attention = model.model.layers[0].self_attn
    assert attention.qkv_proj.out_features == 9216 == 3 * 3072
    assert attention.o_proj.in_features == attention.o_proj.out_features == 3072


def test_mlp_widths():
    mlp = real_size_phi3().model.layers[0].mlp
    assert mlp.gate_up_proj.out_features == 16384 == 2 * 8192
    assert (mlp.down_proj.in_features, mlp.down_proj.out_features) == (8192, 3072)


def test_products_on_the_page():
    layer = real_size_phi3().model.layers[0]
    assert count(layer.self_attn) == 3072 * 9216 + 3072 * 3072
    assert count(layer.mlp) == 3072 * 16384 + 8192 * 3072
    assert 3 * count(layer.mlp) == 2 * (count(layer.mlp) + count(layer.self_attn))


def test_embedding_and_lm_head():
    model = real_size_phi3()
    embedding = model.model.embed_tokens
    assert (embedding.num_embeddings, embedding.embedding_dim) == (32064, 3072)
    assert embedding.padding_idx == model.config.pad_token_id == 32000
    assert (model.lm_head.in_features, model.lm_head.out_features) == (3072, 32064)
    assert model.config.tie_word_embeddings is False


def test_weights_take_7_6_gb_in_bfloat16():
    model = real_size_phi3()
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    assert weight_bytes == 2 * 3_821_079_552
    assert f"{weight_bytes / 1e9:.1f}" == "7.6"
