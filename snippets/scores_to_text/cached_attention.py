"""The KV cache from scratch: the from-scratch Phi-3 of "Inside the block", extended
with past keys and values. Definitions only; kv_cache_in_use.py runs them."""

# --8<-- [start:attention]
import math

import torch

from snippets.inside_the_block.attention import CausalSelfAttention
from snippets.inside_the_block.phi3_from_scratch import DecoderLayer, Phi3FromScratch
from snippets.inside_the_block.rotary import apply_rotary, rotary_cos_sin


def mask_with_past(seq, past, sliding_window=None):
    """Queries are the last `seq` positions of `past + seq`; keys are all of them."""
    i = torch.arange(past, past + seq)[:, None]  # (seq, 1): query positions
    j = torch.arange(past + seq)[None, :]  # (1, past + seq): key positions
    allowed = j <= i
    if sliding_window is not None:
        allowed = allowed & (i - j < sliding_window)
    return allowed  # (seq, past + seq)


class CachedSelfAttention(CausalSelfAttention):
    """The chapter's attention, plus the keys and values of earlier calls."""

    def forward(self, x, cos, sin, past=None):  # past: (keys, values) or None
        batch, seq, _ = x.shape
        q_size = self.num_heads * self.head_dim
        kv_size = self.num_kv_heads * self.head_dim
        q, k, v = self.qkv_proj(x).split([q_size, kv_size, kv_size], dim=-1)
        q = q.view(batch, seq, self.num_heads, self.head_dim).transpose(1, 2)
        k = k.view(batch, seq, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = v.view(batch, seq, self.num_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rotary(q, k, cos, sin)  # cos, sin of the new positions only
        if past is not None:
            # Keys are cached after rotation: a key's position never changes.
            k = torch.cat([past[0], k], dim=2)  # (batch, kv_heads, past + seq, d)
            v = torch.cat([past[1], v], dim=2)
        cache = (k, v)  # what the next call needs, before the heads are repeated

        group_size = self.num_heads // self.num_kv_heads
        k = k.repeat_interleave(group_size, dim=1)
        v = v.repeat_interleave(group_size, dim=1)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (b, h, seq, all)
        allowed = mask_with_past(seq, k.shape[2] - seq, self.sliding_window)
        scores = scores.masked_fill(~allowed, float("-inf"))
        weights = scores.float().softmax(dim=-1).to(v.dtype)
        heads = (weights @ v).transpose(1, 2).reshape(batch, seq, q_size)
        return self.o_proj(heads), cache
# --8<-- [end:attention]


# --8<-- [start:model]
class CachedDecoderLayer(DecoderLayer):
    def __init__(self, config):
        super().__init__(config)
        self.self_attn = CachedSelfAttention(
            config.hidden_size, config.num_attention_heads,
            config.num_key_value_heads, config.sliding_window)

    def forward(self, x, cos, sin, past=None):
        attention, cache = self.self_attn(self.input_layernorm(x), cos, sin, past)
        x = x + attention
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, cache


class Phi3WithCache(Phi3FromScratch):
    """Phi3FromScratch whose forward takes and returns one (keys, values) per layer."""

    def __init__(self, config):
        super().__init__(config)
        self.model.layers = torch.nn.ModuleList(
            CachedDecoderLayer(config) for _ in range(config.num_hidden_layers))

    def forward(self, input_ids, past=None):
        seq = input_ids.shape[1]
        done = 0 if past is None else past[0][0].shape[2]  # tokens already cached
        positions = torch.arange(done, done + seq)[None]  # they continue, not restart
        head_dim = self.config.hidden_size // self.config.num_attention_heads
        theta = self.config.rope_parameters["rope_theta"]
        cos, sin = rotary_cos_sin(head_dim, positions, theta)
        x = self.model.embed_tokens(input_ids)
        caches = []
        for n, layer in enumerate(self.model.layers):
            x, cache = layer(x, cos, sin, None if past is None else past[n])
            caches.append(cache)
        return self.lm_head(self.model.norm(x)), caches
# --8<-- [end:model]

# --8<-- [start:generate-functions]
@torch.no_grad()
def generate_with_cache(model, input_ids, max_new_tokens):
    """Greedy: the prompt once (prefill), then one new token per step (decode)."""
    logits, past = model(input_ids)
    for _ in range(max_new_tokens):
        next_token = logits[:, -1].argmax(dim=-1, keepdim=True)
        input_ids = torch.cat([input_ids, next_token], dim=-1)
        logits, past = model(next_token, past)  # only the new token goes in
    return input_ids


@torch.no_grad()
def generate_without_cache(model, input_ids, max_new_tokens):
    for _ in range(max_new_tokens):
        logits, _ = model(input_ids)  # the whole text, every step
        next_token = logits[:, -1].argmax(dim=-1, keepdim=True)
        input_ids = torch.cat([input_ids, next_token], dim=-1)
    return input_ids
# --8<-- [end:generate-functions]
