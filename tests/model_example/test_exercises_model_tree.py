"""exercises_model_tree.py: the solutions of "The module tree"'s exercises."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.model_example.exercises_model_tree as snippet

    return snippet


@pytest.fixture(scope="module")
def printed(snippet):
    return run_script("snippets/model_example/exercises_model_tree.py").splitlines()


def test_the_ends_share(snippet, printed):
    model = snippet.model
    vocab, hidden = model.config.vocab_size, model.config.hidden_size
    share = 2 * vocab * hidden / model.num_parameters()  # two tables of vocab x hidden
    assert printed[0] == f"embedding table and LM head: {share:.1%}"


def test_the_first_width_is_the_models_own(snippet, printed):
    model = snippet.model
    layer = model.model.layers[0].self_attn.qkv_proj
    assert f"qkv_proj out_features {layer.out_features}, " in printed[1]
    weights = layer.weight.numel() * model.config.num_hidden_layers
    assert printed[1].endswith(f"{weights:,} weights")


def test_eight_key_value_heads_shrink_only_keys_and_values(snippet, printed):
    config = snippet.config
    head_dim = snippet.head_dim
    queries = config.num_attention_heads * head_dim
    assert f"out_features {queries + 2 * 8 * head_dim}, " in printed[2]


def test_the_counts_follow_from_the_layers(snippet, printed):
    layers = snippet.model.config.num_hidden_layers
    assert printed[3] == f"{2 * layers + 1} Phi3RMSNorm, {4 * layers + 1} Linear"
