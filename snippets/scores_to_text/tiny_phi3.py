"""The training objective, a few training steps, and the trained tiny Phi-3.

The page "Train a tiny Phi-3" shows the definitions of train_tiny.py first; run on its
own, this file imports them.
"""

from snippets.scores_to_text.train_tiny import CHECKPOINT, tiny_config, train

# --8<-- [start:corpus]
import json

import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

torch.set_num_threads(1)  # tiny matrices: a second thread costs more than it saves
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
corpus = (CHECKPOINT / "corpus.txt").read_text(encoding="utf-8")
ids = torch.tensor(tokenizer(corpus, verbose=False)["input_ids"])
split = int(0.9 * len(ids))  # the last tenth is held out: text never trained on
train_ids, heldout_ids = ids[:split], ids[split:]
print(f"{len(corpus):,} characters -> {len(ids):,} tokens, "
      f"{len(set(ids.tolist())):,} different ones")
print(repr(corpus[:70]))
# --8<-- [end:corpus]

# --8<-- [start:new-model]
torch.manual_seed(0)
model = Phi3ForCausalLM(tiny_config())
parameters = sum(p.numel() for p in model.parameters())
table = model.model.embed_tokens.weight
print(f"{parameters:,} parameters, {table.numel():,} of them in the token table")
print("lm_head is embed_tokens:", model.lm_head.weight is table)
# --8<-- [end:new-model]

# --8<-- [start:cross-entropy]
batch = train_ids[:64][None]  # (1, 64): the first 64 tokens of the corpus
with torch.no_grad():
    logits = model(batch).logits  # (1, 64, 32064): scores for the next token
    # Position t predicts token t + 1: drop the last prediction, the first target.
    predictions = logits[0, :-1]  # (63, 32064)
    targets = batch[0, 1:]  # (63,)
    log_probs = predictions.log_softmax(dim=-1)
    per_token = -log_probs[torch.arange(len(targets)), targets]  # (63,)
    by_hand = per_token.mean()
    theirs = model(batch, labels=batch).loss  # transformers shifts by one itself
torch.testing.assert_close(by_hand, theirs)
print(f"cross-entropy by hand {by_hand:.2f} = transformers {theirs:.2f}")
vocab = model.config.vocab_size  # a uniform guess has perplexity = vocabulary size
# To the hundred: its last digits change with the last bit of the loss (the CPU's).
print(f"perplexity {round(by_hand.exp().item(), -2):,.0f}; a uniform guess: {vocab:,}")
# --8<-- [end:cross-entropy]

# --8<-- [start:every-position]
# Change the last token: the predictions at every earlier position stay the same.
changed = batch.clone()
changed[0, -1] = tokenizer.convert_tokens_to_ids("▁Paris")
with torch.no_grad():
    changed_logits = model(changed).logits
torch.testing.assert_close(changed_logits[:, :-1], logits[:, :-1])
print("positions 0-62 unchanged:", True)
print("position 63 changed:", not torch.allclose(changed_logits[:, -1], logits[:, -1]))
# --8<-- [end:every-position]

# --8<-- [start:first-steps]
model, losses = train(train_ids, steps=2)  # `make train-tiny` runs the same, longer
log = json.loads((CHECKPOINT / "training-log.json").read_text())
# Seeded: the same losses, up to the last digits (another CPU rounds them apart).
torch.testing.assert_close(torch.tensor(losses), torch.tensor(log["losses"][:2]),
                           rtol=1e-4, atol=1e-4)
print("our first losses:     ", [round(loss, 2) for loss in losses])
print("make train-tiny's log:", [round(loss, 2) for loss in log["losses"][:2]])
# --8<-- [end:first-steps]

# --8<-- [start:load]
# The trained weights: stored in float16 to halve the file, computed in float32.
model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
print(f"trained {log['steps']} steps on {log['characters']:,} characters")
for name, part in [("trained on", train_ids), ("held out", heldout_ids)]:
    windows = part[:16 * 64].view(16, 64)  # 16 windows of 64 tokens from each part
    with torch.no_grad():
        loss = model(windows, labels=windows).loss
    print(f"{name:>10}: loss {loss:.2f}, perplexity {loss.exp():.1f}")
# --8<-- [end:load]
