"""A whole Phi-3 from scratch, in the pieces this chapter built.

embedding -> N x (pre-norm attention + residual, pre-norm MLP + residual)
-> final norm -> LM head. The module names are those of transformers'
`Phi3ForCausalLM` (`model.embed_tokens`, `model.layers.0.self_attn.qkv_proj`, ...), so
its state dict loads one-to-one with `load_state_dict(strict=True)`.
"""

# --8<-- [start:model]
import torch

from snippets.inside_the_block.attention import CausalSelfAttention
from snippets.inside_the_block.mlp import SwiGLUMLP
from snippets.inside_the_block.rmsnorm import RMSNorm
from snippets.inside_the_block.rotary import rotary_cos_sin


class DecoderLayer(torch.nn.Module):
    """Pre-norm: normalise, transform, add back to the residual stream. Twice."""

    def __init__(self, config):
        super().__init__()
        hidden = config.hidden_size
        self.input_layernorm = RMSNorm(hidden, eps=config.rms_norm_eps)
        self.self_attn = CausalSelfAttention(
            hidden,
            config.num_attention_heads,
            config.num_key_value_heads,
            config.sliding_window,  # Phi-3-mini: each token sees the last 2047 only
        )
        self.post_attention_layernorm = RMSNorm(hidden, eps=config.rms_norm_eps)
        self.mlp = SwiGLUMLP(hidden, config.intermediate_size)

    def forward(self, x, cos, sin):  # (batch, seq, hidden)
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x  # (batch, seq, hidden)


class Phi3FromScratch(torch.nn.Module):
    """Token ids in, one score per vocabulary token and position out."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        # The body sits under `model`, as in transformers: model.embed_tokens, ...
        self.model = torch.nn.Module()
        self.model.embed_tokens = torch.nn.Embedding(
            config.vocab_size, config.hidden_size)
        self.model.layers = torch.nn.ModuleList(
            DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.model.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.lm_head = torch.nn.Linear(
            config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids):  # (batch, seq)
        seq = input_ids.shape[1]
        positions = torch.arange(seq, device=input_ids.device)[None]  # (1, seq)
        head_dim = self.config.hidden_size // self.config.num_attention_heads
        theta = self.config.rope_parameters["rope_theta"]
        cos, sin = rotary_cos_sin(head_dim, positions, theta)  # every layer uses them

        x = self.model.embed_tokens(input_ids)  # (batch, seq, hidden)
        for layer in self.model.layers:
            x = layer(x, cos, sin)
        x = self.model.norm(x)
        return self.lm_head(x)  # (batch, seq, vocab)
# --8<-- [end:model]


# --8<-- [start:generate]
@torch.no_grad()
def generate_greedy(model, input_ids, max_new_tokens, eos_token_ids=()):
    """Append the highest-scoring token, run the whole sequence again, repeat.

    No KV cache: every step recomputes every position. Slower, but nothing hidden.
    """
    for _ in range(max_new_tokens):
        logits = model(input_ids)  # (1, seq, vocab)
        next_token = logits[:, -1].argmax(dim=-1, keepdim=True)  # (1, 1)
        input_ids = torch.cat([input_ids, next_token], dim=-1)  # (1, seq + 1)
        if next_token.item() in eos_token_ids:  # the model says it is done
            break
    return input_ids
# --8<-- [end:generate]
