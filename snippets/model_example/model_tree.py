"""Print Phi-3's module tree, walk it, and count the parameters of each part."""

from snippets.model_example.load_model import model, tokenizer

# --8<-- [start:print-model]
print(model)
# --8<-- [end:print-model]

# --8<-- [start:embeddings]
print(model.model.embed_tokens)
print("tokens the tokenizer knows:", len(tokenizer))  # fewer than the table's rows
# --8<-- [end:embeddings]

# --8<-- [start:first-layer]
decoder_layers = model.model.layers  # a ModuleList: index it like a Python list
print(len(decoder_layers))
first_layer = decoder_layers[0]
print(first_layer.self_attn.qkv_proj)
print(first_layer.mlp.gate_up_proj)
# --8<-- [end:first-layer]

# --8<-- [start:attention-heads]
config = model.config
head_dim = config.hidden_size // config.num_attention_heads
query_heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
qkv_width = (query_heads + 2 * kv_heads) * head_dim
print("query heads:", query_heads)
print("key/value heads:", kv_heads)  # as many as queries: no GQA
print("head_dim:", head_dim)
print("qkv_proj out_features:", qkv_width)  # queries, then keys, then values
# --8<-- [end:attention-heads]

# --8<-- [start:count-parameters]
def count_parameters(module):
    return sum(parameter.numel() for parameter in module.parameters())


parts = {
    "embed_tokens": model.model.embed_tokens,
    "one decoder layer": first_layer,
    "  self_attn": first_layer.self_attn,
    "  mlp": first_layer.mlp,
    "  input_layernorm": first_layer.input_layernorm,
    "  post_attention_layernorm": first_layer.post_attention_layernorm,
    "all decoder layers": model.model.layers,
    "norm": model.model.norm,
    "lm_head": model.lm_head,
    "whole model": model,
}
for name, module in parts.items():
    print(f"{name:<28}{count_parameters(module):>15,}")
# --8<-- [end:count-parameters]
