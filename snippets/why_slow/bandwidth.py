"""Your machine's memory bandwidth, measured as `make bench` measures it, and the
floor it sets for the walkthrough recipe (Phi-3-mini in bfloat16).

The figures are your machine's: they are not the page's, and they change from run to
run with what else the machine does.
"""

# --8<-- [start:bandwidth]
import time

import torch
from transformers import AutoConfig, AutoModelForCausalLM


def bandwidth(nbytes: int = 2**30, repeats: int = 5) -> float:
    """Bytes per second that summing a large float32 tensor reads (the best run)."""
    data = torch.ones(nbytes // 4, dtype=torch.float32)  # larger than any CPU cache
    data.sum()  # the first touch maps the memory: not part of the reading
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        data.sum()
        times.append(time.perf_counter() - start)
    return data.nbytes / min(times)


config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
with torch.device("meta"):  # real shapes, no weights, no memory
    phi3 = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
# every weight but the embedding table's is read once per token
read = sum(p.nbytes for n, p in phi3.named_parameters() if "embed_tokens" not in n)
speed = bandwidth()
threads = torch.get_num_threads()
print(f"memory bandwidth: {speed / 1e9:.1f} GB/s with {threads} threads")
print(f"walkthrough floor: {read / speed:.3f} s per token")
# --8<-- [end:bandwidth]
