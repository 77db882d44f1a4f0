"""The arithmetic intensity of a decode step: FLOPs per byte of weights read.

Counted on Phi-3-mini's real shapes on the meta device (no weights, no memory): every
weight of the decoder layers and of the LM head is read once per step and does one
multiply and one add for each row of the batch.
"""

# --8<-- [start:intensity]
import torch
from transformers import AutoConfig, AutoModelForCausalLM

config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
with torch.device("meta"):  # real shapes, no weights, no memory
    phi3 = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
# the matrices a step multiplies by; the embedding table only gives a row per token
matrices = [m.weight for m in phi3.modules() if isinstance(m, torch.nn.Linear)]
weights = sum(w.numel() for w in matrices)
weight_bytes = sum(w.nbytes for w in matrices)
for batch_size in (1, 4, 16):
    flops = 2 * weights * batch_size  # a multiply and an add per weight and row
    print(f"batch size {batch_size:>2}: {flops / weight_bytes:4.1f} FLOPs per byte")
# --8<-- [end:intensity]
