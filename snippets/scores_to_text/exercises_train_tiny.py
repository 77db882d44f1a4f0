"""Solutions to the exercises of "Train a tiny Phi-3"."""

import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

# the page's trained model and tokenizer
torch.set_num_threads(1)
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)

# --8<-- [start:uniform]
import math

vocab = model.config.vocab_size
# a uniform guess gives every token 1 / vocab: its loss is -log(1 / vocab)
print(f"uniform guess over {vocab:,} tokens: loss {math.log(vocab):.2f}")
# --8<-- [end:uniform]

# --8<-- [start:two-sentences]
for text in ["Every page alternates short pieces of code with what they show and why.",
             "My grandmother grows tomatoes and roses in her small garden."]:
    ids = tokenizer(text, return_tensors="pt").input_ids
    with torch.no_grad():
        loss = model(ids, labels=ids).loss
    print(f"loss {loss:.1f}: {text}")  # (perplexity: its exp)
# --8<-- [end:two-sentences]
