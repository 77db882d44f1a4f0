"""Bits per weight of three 4-bit formats: what each keeps beside a block of weights.

All three store 4 bits per weight in blocks of 32 weights of a row; the difference is
what turns a block's integers back into numbers (see the page for where each is
defined).
"""

# --8<-- [start:bits]
BLOCK = 32  # weights per block, in all three formats
# the bits each keeps beside a block, to turn its integers back into numbers
BESIDE_A_BLOCK = {
    "int4 recipe: bf16 step and offset": 16 + 16,
    "ONNX Runtime MatMulNBits: fp32 scale": 32,
    "llama.cpp Q4_0: fp16 scale": 16,
}
for name, extra_bits in BESIDE_A_BLOCK.items():
    bits = 4 + extra_bits / BLOCK
    print(f"{name:<38} {bits:.3f} bits, {bits / 8:.4f} bytes per weight")
# --8<-- [end:bits]
