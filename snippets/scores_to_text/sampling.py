"""From logits to probabilities to a chosen token: softmax, temperature, top-k, top-p,
min-p and the repetition penalty, each checked against transformers' own processor."""

# --8<-- [start:load]
import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

torch.set_num_threads(1)  # tiny matrices: a second thread costs more than it saves
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
prompt = "The capital of France is"
input_ids = tokenizer(prompt, return_tensors="pt").input_ids  # (1, 5)
with torch.no_grad():
    logits = model(input_ids).logits[:, -1]  # (1, 32064): scores for the next token
# --8<-- [end:load]


# --8<-- [start:softmax]
def softmax(logits):
    """exp, then divide by the sum. Subtracting the max first changes nothing but
    keeps exp from overflowing."""
    exps = (logits - logits.max(dim=-1, keepdim=True).values).exp()
    return exps / exps.sum(dim=-1, keepdim=True)


probs = softmax(logits)
torch.testing.assert_close(probs, logits.softmax(dim=-1))
print(f"sum of probabilities: {probs.sum():.4f}")
top = probs[0].topk(5)
for p, token_id in zip(top.values, top.indices):
    print(f"{p:6.1%}  {tokenizer.convert_ids_to_tokens(token_id.item())!r}")
# --8<-- [end:softmax]

# --8<-- [start:temperature]
from transformers import TemperatureLogitsWarper


def temperature(logits, t):
    """Divide every score by t: t < 1 sharpens the distribution, t > 1 flattens it."""
    return logits / t


for t in (0.5, 1.0, 2.0):
    torch.testing.assert_close(
        temperature(logits, t), TemperatureLogitsWarper(t)(input_ids, logits))
    p = softmax(temperature(logits, t))[0]
    print(f"t = {t}: top token {p.max():6.1%}, tokens above 1%: {(p > 0.01).sum()}")
# --8<-- [end:temperature]

# --8<-- [start:top-k]
from transformers import TopKLogitsWarper


def top_k(logits, k):
    """Keep the k highest scores; -inf elsewhere (probability 0 after softmax)."""
    kth_best = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth_best, float("-inf"))


torch.testing.assert_close(top_k(logits, 10), TopKLogitsWarper(10)(input_ids, logits))
print("tokens left by top-k 10:", torch.isfinite(top_k(logits, 10)).sum().item())
# --8<-- [end:top-k]

# --8<-- [start:top-p]
from transformers import TopPLogitsWarper


def top_p(logits, p):
    """Nucleus: keep the most probable tokens until their probabilities reach p."""
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    sorted_probs = softmax(sorted_logits)
    before = sorted_probs.cumsum(dim=-1) - sorted_probs  # mass of the better tokens
    drop_sorted = before >= p  # the set already reached p without this token
    drop = drop_sorted.scatter(-1, order, drop_sorted)  # back to vocabulary order
    return logits.masked_fill(drop, float("-inf"))


for p in (0.5, 0.9):
    ours, theirs = top_p(logits, p), TopPLogitsWarper(p)(input_ids, logits)
    torch.testing.assert_close(ours, theirs)
    print(f"tokens left by top-p {p}:", torch.isfinite(ours).sum().item())
# --8<-- [end:top-p]

# --8<-- [start:min-p]
from transformers import MinPLogitsWarper


def min_p(logits, p):
    """Keep the tokens at least p times as probable as the most probable one."""
    probs = softmax(logits)
    threshold = p * probs.max(dim=-1, keepdim=True).values
    return logits.masked_fill(probs < threshold, float("-inf"))


torch.testing.assert_close(min_p(logits, 0.1), MinPLogitsWarper(0.1)(input_ids, logits))
print("tokens left by min-p 0.1:", torch.isfinite(min_p(logits, 0.1)).sum().item())
# --8<-- [end:min-p]

# --8<-- [start:repetition]
from transformers import RepetitionPenaltyLogitsProcessor


def repetition_penalty(input_ids, logits, penalty):
    """Make every token already in the text less likely: positive scores are
    divided by the penalty, negative ones multiplied (both move down)."""
    seen = logits.gather(-1, input_ids)  # the scores of the tokens already there
    seen = torch.where(seen < 0, seen * penalty, seen / penalty)
    return logits.scatter(-1, input_ids, seen)


theirs = RepetitionPenaltyLogitsProcessor(1.3)(input_ids, logits)
torch.testing.assert_close(repetition_penalty(input_ids, logits, 1.3), theirs)
print("changed scores:", (theirs != logits).sum().item(), "(the prompt's tokens)")
# --8<-- [end:repetition]

# --8<-- [start:where-zero-lies]
shifted = logits - logits.max()  # every score below zero
torch.testing.assert_close(softmax(shifted), softmax(logits))  # the same probabilities
prompt_tokens = input_ids[0]
for name, scores in [("as they are", logits), ("minus the largest", shifted)]:
    seen = scores[0, prompt_tokens]
    before = softmax(scores)[0, prompt_tokens]
    after = softmax(repetition_penalty(input_ids, scores, 1.3))[0, prompt_tokens]
    factor = before / after  # how many times less likely each prompt token became
    print(f"scores {name:17}: {(seen > 0).sum()} divided, {(seen < 0).sum()} "
          f"multiplied; probabilities / {factor.min():.1f} to {factor.max():.1f}")
# --8<-- [end:where-zero-lies]

# --8<-- [start:sample]
probs = softmax(temperature(logits, 0.8))
generator = torch.Generator().manual_seed(0)
first = torch.multinomial(probs, num_samples=8, replacement=True, generator=generator)
generator = torch.Generator().manual_seed(0)  # the same seed again
second = torch.multinomial(probs, num_samples=8, replacement=True, generator=generator)
assert torch.equal(first, second)  # a seed makes sampling repeatable
print(tokenizer.convert_ids_to_tokens(first[0].tolist()))
# --8<-- [end:sample]

# --8<-- [start:continuations]
# The tiny model learned from a few pages: its text is as good as that, no better.
def continue_text(prompt, **settings):
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    torch.manual_seed(0)  # generate samples with torch's global generator
    out = model.generate(ids, max_new_tokens=20, **settings)
    return tokenizer.decode(out[0, ids.shape[1]:])


print("greedy:  ", repr(continue_text(prompt, do_sample=False)))
for t in (0.7, 1.5):
    text = continue_text(prompt, do_sample=True, temperature=t, top_k=0)
    print(f"t = {t}:", repr(text))
# --8<-- [end:continuations]


def draw_temperatures(language="en"):
    """The next-token distribution after the prompt at three temperatures."""
    import matplotlib.pyplot as plt

    title = {"en": "temperature", "zh": "温度"}[language]
    ylabel = {"en": "probability", "zh": "概率"}[language]
    best = logits[0].topk(8).indices
    names = [tokenizer.convert_ids_to_tokens(i.item()) for i in best]
    figure, axes = plt.subplots(figsize=(7, 3.6))
    figure.patch.set_alpha(0)  # transparent: the page's own background shows
    width = 0.27
    for n, (t, color) in enumerate([(0.5, "#3f51b5"), (1.0, "#7986cb"),
                                    (2.0, "#ff9800")]):
        p = softmax(temperature(logits, t))[0, best]
        axes.bar(torch.arange(len(best)) + (n - 1) * width, p, width,
                 color=color, label=f"{title} {t}")
    axes.set_xticks(range(len(best)), names, rotation=30)
    axes.set_ylabel(ylabel)
    axes.legend()
    axes.spines[["top", "right"]].set_visible(False)
    return figure


FIGURES = {"temperatures": draw_temperatures}
