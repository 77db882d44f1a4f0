"""Phi-3's attention sizes, and the from-scratch attention checked against transformers.

Multi-head attention as in Phi-3-mini, grouped-query attention as in Phi-3-medium:
both from `attention.py`, both equal to transformers' `Phi3Attention`.
"""

import torch

from snippets.inside_the_block.attention import CausalSelfAttention, causal_mask

# --8<-- [start:heads]
from transformers import AutoConfig

config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
head_dim = config.hidden_size // config.num_attention_heads
q_size = config.num_attention_heads * head_dim
kv_size = config.num_key_value_heads * head_dim
print(f"query heads:     {config.num_attention_heads} x {head_dim} = {q_size}")
print(f"key/value heads: {config.num_key_value_heads} x {head_dim} = {kv_size}")
qkv_size = q_size + 2 * kv_size
print(f"qkv_proj: {config.hidden_size} -> {q_size} + {kv_size} + {kv_size}"
      f" = {qkv_size}")
# --8<-- [end:heads]

# --8<-- [start:show-mask]
print(causal_mask(5).int())  # row i: the positions token i may look at
print(causal_mask(5, sliding_window=3).int())
# --8<-- [end:show-mask]


# --8<-- [start:compare]
from transformers import Phi3Config
from transformers.models.phi3.modeling_phi3 import Phi3Attention

from snippets.inside_the_block.rotary import rotary_cos_sin


def check_against_transformers(num_heads, num_kv_heads, hidden_size=64, seq=7):
    """Same weights, same input, same positions: the outputs must agree."""
    tiny = Phi3Config(  # random weights: only the arithmetic is compared
        hidden_size=hidden_size,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        attn_implementation="eager",
    )
    theirs = Phi3Attention(tiny, layer_idx=0).eval()
    ours = CausalSelfAttention(hidden_size, num_heads, num_kv_heads)
    ours.load_state_dict(theirs.state_dict())  # same names, same shapes

    x = torch.randn(2, seq, hidden_size)  # (batch, seq, hidden)
    positions = torch.arange(seq).expand(2, seq)  # (batch, seq)
    cos, sin = rotary_cos_sin(ours.head_dim, positions)
    # a mask to add to the scores: 0 where allowed, -inf where not (transformers'
    # own masks use torch.finfo(dtype).min there: the same weight, 0)
    additive_mask = torch.zeros(seq, seq).masked_fill(~causal_mask(seq), -torch.inf)
    with torch.no_grad():
        expected, _ = theirs(x, (cos, sin), additive_mask[None, None])
        torch.testing.assert_close(ours(x, cos, sin), expected)
    print(f"query heads {num_heads}, key/value heads {num_kv_heads}: "
          "same output as Phi3Attention")


torch.manual_seed(0)
check_against_transformers(num_heads=4, num_kv_heads=4)  # multi-head, like Phi-3-mini
# --8<-- [end:compare]

# --8<-- [start:medium]
medium = AutoConfig.from_pretrained("microsoft/Phi-3-medium-4k-instruct")
with torch.device("meta"):  # real shapes, no memory: nothing is loaded
    medium_attention = Phi3Attention(medium, layer_idx=0)
print(medium.num_attention_heads, "query heads,", medium.num_key_value_heads,
      "key/value heads, head_dim", medium.hidden_size // medium.num_attention_heads)
print(medium_attention)
# --8<-- [end:medium]

# --8<-- [start:compare-gqa]
check_against_transformers(num_heads=4, num_kv_heads=2)  # grouped-query
check_against_transformers(num_heads=4, num_kv_heads=1)  # multi-query
# --8<-- [end:compare-gqa]
