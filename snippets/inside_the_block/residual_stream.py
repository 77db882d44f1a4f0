"""A Phi-3 decoder layer is two writes into the residual stream.

We catch what layer 0 receives and returns inside a real forward pass, then redo
the layer by hand from its submodules: `h = x + attn(norm(x))`,
`out = h + mlp(norm(h))`.
"""

from snippets.model_example.load_model import model, tokenizer

# --8<-- [start:catch-layer]
import torch

layer = model.model.layers[0]  # Phi3DecoderLayer
caught = {}


def catch(module, args, kwargs, output):
    caught.update(kwargs, stream_in=args[0], stream_out=output)


hook = layer.register_forward_hook(catch, with_kwargs=True)
input_ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
with torch.no_grad():
    model.model(input_ids, use_cache=False)  # (1)!
hook.remove()
# --8<-- [end:catch-layer]

# --8<-- [start:by-hand]
x = caught["stream_in"]  # (batch, seq, hidden): the stream entering layer 0
with torch.no_grad():
    attention_output, _ = layer.self_attn(
        layer.input_layernorm(x),  # the attention reads a normalised copy...
        position_embeddings=caught["position_embeddings"],  # RoPE cos and sin
        attention_mask=caught["attention_mask"],
    )
    h = x + attention_output  # ...and adds its result to the stream
    out = h + layer.mlp(layer.post_attention_layernorm(h))  # same for the MLP
print("by hand == Phi3DecoderLayer:", torch.equal(out, caught["stream_out"]))
# --8<-- [end:by-hand]
