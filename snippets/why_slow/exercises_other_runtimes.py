"""Solutions to the exercises of "Other runtimes side by side"."""

from snippets.why_slow.weight_formats import BESIDE_A_BLOCK  # noqa: F401  the page's

# --8<-- [start:block-size]
for block in (32, 64, 128, 256):
    bits = 4 + 16 / block  # one fp16 scale per block, as in Q4_0
    print(f"blocks of {block:>3}: {bits:.4f} bits per weight")
# --8<-- [end:block-size]

# --8<-- [start:lm-head]
from transformers import AutoConfig

config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
head = config.vocab_size * config.hidden_size  # the LM head's weights
# ggml's blocks: Q4_0 is 18 bytes per 32 weights, Q6_K 210 bytes per 256
for name, bits in [("Q4_0", 18 * 8 / 32), ("Q6_K", 210 * 8 / 256)]:
    print(f"LM head in {name}: {head * bits / 8 / 1e6:.1f} MB")
# --8<-- [end:lm-head]
