"""The text the quantization-quality page measures on, and how it compares two models.

The tiny Phi-3 of "From scores to text" (snippets/scores_to_text/tiny-phi3) was trained
on the first nine tenths of its corpus; the last tenth, cut into windows of 64 tokens,
is text it never saw. `compare` gives the KL divergence per token from a reference's
predictions and how often the top token agrees; quantization_quality.py measures the
formats with them.
"""

# --8<-- [start:heldout]
from pathlib import Path

import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from snippets.why_slow.int8_linear import Int8Linear, quantize_linears

# The tiny Phi-3 of "From scores to text", trained on the site's prose (make train-tiny)
CHECKPOINT = Path("snippets/scores_to_text/tiny-phi3")
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
corpus = (CHECKPOINT / "corpus.txt").read_text(encoding="utf-8")
ids = torch.tensor(tokenizer(corpus, verbose=False)["input_ids"])
heldout = ids[int(0.9 * len(ids)):]  # the last tenth: the training never saw it
windows = heldout[: len(heldout) // 64 * 64].view(-1, 64)  # (windows, 64 tokens)
print(f"held-out text: {windows.numel():,} tokens in {len(windows)} windows of 64")
# --8<-- [end:heldout]


# --8<-- [start:compare]
def compare(reference: torch.Tensor, logits: torch.Tensor) -> tuple[float, float]:
    """KL(reference || logits) per token, and how often the top token agrees."""
    p_log = reference.float().log_softmax(dim=-1)  # (..., vocab)
    q_log = logits.float().log_softmax(dim=-1)
    # Sum over the vocabulary of p * (log p - log q): what the reference's
    # distribution loses, in nats, when the other one stands in for it.
    kl = (p_log.exp() * (p_log - q_log)).sum(dim=-1)  # (...,): one per position
    agree = reference.argmax(dim=-1) == logits.argmax(dim=-1)
    return kl.mean().item(), agree.float().mean().item()


def logits_and_loss(model) -> tuple[torch.Tensor, float]:
    with torch.no_grad():
        out = model(windows, labels=windows)  # loss: next-token cross-entropy
    return out.logits.float(), out.loss.item()
# --8<-- [end:compare]
