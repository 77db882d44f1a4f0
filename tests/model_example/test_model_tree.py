"""model_tree.py: the printed tree, walking it, and parameter counts that add up."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.model_example.model_tree as snippet

    return snippet


def test_script_prints_the_tree_and_the_table(snippet):
    printed = run_script("snippets/model_example/model_tree.py")
    model, config = snippet.model, snippet.model.config
    n = config.num_hidden_layers
    assert printed.startswith(str(model) + "\n")
    assert f"(0-{n - 1}): {n} x Phi3DecoderLayer(" in printed
    assert f"Embedding({config.vocab_size}, {config.hidden_size}, padding_idx=" in printed
    table = printed.splitlines()[-len(snippet.parts):]
    for line, (name, module) in zip(table, snippet.parts.items()):
        assert line.startswith(name)
        assert int(line[len(name):].replace(",", "")) == snippet.count_parameters(module)


@pytest.mark.real_tokenizer
def test_the_embedding_table_has_rows_no_token_uses(snippet):
    """32064 rows, 32011 tokens: the rows past len(tokenizer) belong to no token."""
    tokenizer, rows = snippet.tokenizer, snippet.model.model.embed_tokens.num_embeddings
    assert len(tokenizer) < rows == snippet.model.lm_head.out_features
    assert max(tokenizer.get_vocab().values()) == len(tokenizer) - 1
    assert tokenizer.convert_ids_to_tokens(len(tokenizer) - 1) == "<|user|>"
    assert tokenizer.decode([len(tokenizer)]) == ""  # an id past the tokenizer: nothing


def test_walking_the_tree(snippet):
    model = snippet.model
    assert snippet.first_layer is model.model.layers[0]
    assert len(snippet.decoder_layers) == model.config.num_hidden_layers
    assert snippet.first_layer.self_attn.qkv_proj.out_features == snippet.qkv_width


def test_attention_heads(snippet):
    config = snippet.config
    assert snippet.head_dim * config.num_attention_heads == config.hidden_size
    assert snippet.qkv_width == 3 * config.hidden_size  # multi-head: as many K, V as Q
    assert config.num_key_value_heads == config.num_attention_heads


def test_parameter_table_adds_up(snippet):
    count, parts = snippet.count_parameters, snippet.parts
    n = {name.strip(): count(module) for name, module in parts.items()}
    layers = snippet.model.config.num_hidden_layers
    assert n["one decoder layer"] == (n["self_attn"] + n["mlp"] + n["input_layernorm"]
                                      + n["post_attention_layernorm"])
    assert n["all decoder layers"] == layers * n["one decoder layer"]
    assert n["whole model"] == (n["embed_tokens"] + n["all decoder layers"] + n["norm"]
                                + n["lm_head"])
    assert n["whole model"] == snippet.model.num_parameters()
    assert n["embed_tokens"] == n["lm_head"]  # same shape, not shared
    assert snippet.model.lm_head.weight is not snippet.model.model.embed_tokens.weight
