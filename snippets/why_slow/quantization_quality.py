"""What int8 and int4 weights cost in predictions, measured on a model that learned.

Random weights can't say it: their predictions are flat. So this measures the tiny
Phi-3 of "From scores to text" (snippets/scores_to_text/tiny-phi3), trained by this
project on its own English prose: 4 layers of width 128, not Phi-3-mini. Its
checkpoint holds float16 weights; float32 computes with exactly those values, so
float32 is the reference, and bfloat16, int8 and int4 (the recipes of the page, with
their bfloat16 activations) are compared with it on text the model never trained on.
"""

# --8<-- [start:heldout]
from pathlib import Path

import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from snippets.why_slow.int8_linear import Int8Linear, quantize_linears

# The tiny Phi-3 of "From scores to text", trained on the site's prose (make train-tiny)
CHECKPOINT = Path("snippets/scores_to_text/tiny-phi3")
torch.set_num_threads(1)  # tiny matrices: a second thread costs more than it saves
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


# --8<-- [start:measure]
# float32 holds the checkpoint's float16 values exactly: the reference.
reference = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
reference_logits, reference_loss = logits_and_loss(reference)
results = {}  # name: (KL per token, top-1 agreement, held-out loss)
LARGER_GROUPS = 128  # int4 with 4 times fewer steps and offsets per weight


def int4_larger_groups(linear):
    return Int4Linear(linear, group_size=LARGER_GROUPS)


formats = [("bfloat16", None), ("int8", Int8Linear),
           (f"int4 g{GROUP_SIZE}", Int4Linear),
           (f"int4 g{LARGER_GROUPS}", int4_larger_groups)]
print(f"{'':>9}  KL per token  top-1 agrees  held-out loss")
print(f"{'float32':>9}  {'(reference)':>12}  {'':>12}  {reference_loss:13.2f}")
for name, quantized in formats:
    model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.bfloat16)
    if quantized:  # as the recipes do: bfloat16 weights in, then quantized
        quantize_linears(model, quantized)
    logits, loss = logits_and_loss(model)
    kl, agreement = compare(reference_logits, logits)
    results[name] = (kl, agreement, loss)
    # As many digits as stay the same on every CPU: bfloat16 rounds differently with
    # other kernels, and the top token of a few positions changes.
    print(f"{name:>9}  {kl:12.4f}  {agreement:12.0%}  {loss:13.2f}")
# --8<-- [end:measure]
