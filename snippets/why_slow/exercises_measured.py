"""Solutions to the exercises of "Measured on this machine"."""

from snippets.why_slow.bandwidth import bandwidth, read, speed  # the page's program

# --8<-- [start:one-thread]
import torch

all_threads = torch.get_num_threads()
torch.set_num_threads(1)
one = bandwidth()
torch.set_num_threads(all_threads)
print(f"1 thread: {one / 1e9:.1f} GB/s, {one / speed:.0%} of {all_threads} threads'")
# --8<-- [end:one-thread]

# --8<-- [start:positions]
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
prompt = (  # the first chapter's, which every recipe generates from
    "Write an email apologizing to Sarah for the tragic gardening mishap. "
    "Explain how it happened."
)
prompt_tokens = len(tokenizer(prompt).input_ids)
new_tokens = 50
# with the cache: the prompt once, then the newest token only, at every step
with_cache = prompt_tokens + new_tokens - 1
# without: every step runs the whole text so far through the model
without = sum(prompt_tokens + step for step in range(new_tokens))
print(f"{prompt_tokens} prompt tokens, {new_tokens} new tokens")
print(f"positions computed with the cache: {with_cache:,}, without: {without:,}")
# --8<-- [end:positions]
