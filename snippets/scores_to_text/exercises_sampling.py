"""Solutions to the exercises of "From logits to probabilities"."""

from snippets.scores_to_text.sampling import (
    input_ids, logits, model, softmax, temperature, tokenizer)

# --8<-- [start:cold]
p = softmax(temperature(logits, 0.3))[0]
print(f"t = 0.3: top token {p.max():6.1%}, tokens above 1%: {(p > 0.01).sum()}")
# --8<-- [end:cold]

# --8<-- [start:greedy-limit]
greedy = logits.argmax(dim=-1)  # what do_sample=False picks
for t in (0.1, 0.01):
    p = softmax(temperature(logits, t))
    print(f"t = {t}: {p.max():.1%} on the greedy token: {bool(p.argmax() == greedy)}")
# --8<-- [end:greedy-limit]

# --8<-- [start:same-seed]
import torch

runs = []
for _ in range(2):
    torch.manual_seed(42)  # the same seed before each run
    runs.append(model.generate(input_ids, do_sample=True, temperature=0.8,
                               top_k=0, max_new_tokens=8))
print(torch.equal(runs[0], runs[1]))
print(repr(tokenizer.decode(runs[0][0, input_ids.shape[1]:])))
# --8<-- [end:same-seed]
