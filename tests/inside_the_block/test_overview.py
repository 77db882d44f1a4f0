"""The claims of the chapter overview's table (docs/inside-the-block/index.md)."""

import torch

from tests.facts import real_size_phi3


def test_phi3_has_no_biases_and_separate_embeddings():
    phi3 = real_size_phi3()
    assert not [name for name, _ in phi3.named_parameters() if name.endswith(".bias")]
    assert phi3.lm_head.weight is not phi3.model.embed_tokens.weight
    assert not phi3.config.tie_word_embeddings
    assert not any(isinstance(m, torch.nn.Linear) and m.bias is not None
                   for m in phi3.modules())


def test_2017_model_has_biases_in_the_stacks_and_one_shared_matrix():
    from snippets.inside_the_block.three_families import transformer_2017 as model

    stacks = [model.model.encoder, model.model.decoder]
    for stack in stacks:
        for module in stack.modules():
            if isinstance(module, (torch.nn.Linear, torch.nn.LayerNorm)):
                assert module.bias is not None
    shared = model.model.shared.weight
    assert model.model.encoder.embed_tokens.weight is shared
    assert model.model.decoder.embed_tokens.weight is shared
    assert model.lm_head.weight is shared
    assert model.lm_head.bias is None  # the output projection is the embedding itself


def test_phi3_mlp_and_attention_sizes():
    layer = real_size_phi3().model.layers[0]
    assert layer.mlp.gate_up_proj.out_features == 2 * 8192
    assert layer.mlp.down_proj.in_features == 8192
    assert layer.self_attn.head_dim == 96
    assert layer.self_attn.config.num_attention_heads == 32


def test_2017_attention_and_feed_forward_sizes():
    from snippets.inside_the_block.three_families import transformer_2017 as model

    layer = model.model.encoder.layers[0]
    assert (layer.fc1.in_features, layer.fc1.out_features) == (512, 2048)
    assert layer.self_attn.head_dim == 64 and layer.self_attn.num_heads == 8
    assert isinstance(layer.activation_fn, torch.nn.ReLU)
