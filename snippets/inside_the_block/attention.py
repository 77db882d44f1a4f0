"""Causal self-attention from scratch, as Phi-3 computes it.

One class covers multi-head attention (Phi-3-mini: as many key/value heads as query
heads), grouped-query attention (Phi-3-medium: fewer key/value heads, each shared by a
group of query heads) and multi-query attention (a single key/value head). Its weight
names (`qkv_proj`, `o_proj`) are those of transformers' `Phi3Attention`, so Phi-3's
weights load into it one-to-one. The chapter's from-scratch Phi-3 imports it from here.
"""

# --8<-- [start:imports]
import torch

from snippets.inside_the_block.rotary import apply_rotary
# --8<-- [end:imports]


# --8<-- [start:causal-mask]
def causal_mask(seq_len, sliding_window=None, device=None):
    """True where query position i may look at key position j."""
    i = torch.arange(seq_len, device=device)[:, None]  # (seq, 1): query positions
    j = torch.arange(seq_len, device=device)[None, :]  # (1, seq): key positions
    allowed = j <= i  # no looking ahead: a token sees itself and what came before
    if sliding_window is not None:
        allowed = allowed & (i - j < sliding_window)  # and only the last few tokens
    return allowed  # (seq, seq)
# --8<-- [end:causal-mask]


# --8<-- [start:attention]
class CausalSelfAttention(torch.nn.Module):
    """softmax(q k^T / sqrt(d) + mask) v for every head, then one output projection."""

    def __init__(self, hidden_size, num_heads, num_kv_heads, sliding_window=None):
        super().__init__()
        self.num_heads = num_heads
        self.num_kv_heads = num_kv_heads
        self.head_dim = hidden_size // num_heads
        self.sliding_window = sliding_window
        qkv_size = (num_heads + 2 * num_kv_heads) * self.head_dim
        # One matrix computes queries, keys and values at once (Phi-3 fuses them).
        self.qkv_proj = torch.nn.Linear(hidden_size, qkv_size, bias=False)
        self.o_proj = torch.nn.Linear(
            num_heads * self.head_dim, hidden_size, bias=False)

    def forward(self, x, cos, sin):  # x: (batch, seq, hidden)
        batch, seq, _ = x.shape
        q_size = self.num_heads * self.head_dim
        kv_size = self.num_kv_heads * self.head_dim
        q, k, v = self.qkv_proj(x).split([q_size, kv_size, kv_size], dim=-1)

        # Cut each vector into heads and move the head axis before the sequence.
        q = q.view(batch, seq, self.num_heads, self.head_dim).transpose(1, 2)
        k = k.view(batch, seq, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = v.view(batch, seq, self.num_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rotary(q, k, cos, sin)  # positions enter here (RoPE)
        q, k = q.contiguous(), k.contiguous()  # (1)!

        # Grouped-query attention: each key/value head serves a group of query
        # heads. With as many key/value heads as query heads there is nothing to do.
        group_size = self.num_heads // self.num_kv_heads
        if group_size > 1:
            k = k.repeat_interleave(group_size, dim=1)  # (batch, heads, seq, head_dim)
            v = v.repeat_interleave(group_size, dim=1)  # (batch, heads, seq, head_dim)

        # Times 1/sqrt(d) rather than divided by sqrt(d): the same maths, rounded as
        # transformers rounds it.
        scores = q @ k.transpose(-2, -1) * self.head_dim**-0.5  # (b, h, seq, seq)
        allowed = causal_mask(seq, self.sliding_window, device=x.device)
        scores = scores.masked_fill(~allowed, float("-inf"))  # weight 0 after softmax
        weights = scores.float().softmax(dim=-1).to(v.dtype)  # (2)!
        heads = weights @ v  # (batch, heads, seq, head_dim): weighted sum of values

        heads = heads.transpose(1, 2).reshape(batch, seq, q_size)  # heads side by side
        return self.o_proj(heads)  # (batch, seq, hidden)
# --8<-- [end:attention]
