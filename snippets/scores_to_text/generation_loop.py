"""The generation loop by hand, token by token, equal to model.generate."""

# --8<-- [start:load]
import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

torch.set_num_threads(1)  # tiny matrices: a second thread costs more than it saves
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
input_ids = tokenizer("Every code block on every page", return_tensors="pt").input_ids
# --8<-- [end:load]


# --8<-- [start:loop]
@torch.no_grad()
def generate_by_hand(model, input_ids, max_new_tokens, temperature=None):
    """Score, choose, append, repeat: greedy without a temperature, else sampled."""
    for _ in range(max_new_tokens):
        # use_cache=False: no KV cache, every step recomputes every position.
        # logits_to_keep=1: the LM head scores the last position only, the one we use
        logits = model(input_ids, use_cache=False, logits_to_keep=1).logits[:, -1]
        if temperature is None:
            next_token = logits.argmax(dim=-1, keepdim=True)  # (1, 1)
        else:
            probs = (logits / temperature).softmax(dim=-1)
            next_token = torch.multinomial(probs, num_samples=1)  # (1, 1)
        input_ids = torch.cat([input_ids, next_token], dim=-1)
        if next_token.item() == model.config.eos_token_id:  # the model is done
            break
    return input_ids
# --8<-- [end:loop]


# --8<-- [start:greedy]
ours = generate_by_hand(model, input_ids, max_new_tokens=20)
# use_cache=False: generate recomputes every position, as our loop does
theirs = model.generate(input_ids, do_sample=False, max_new_tokens=20,
                        use_cache=False)
assert torch.equal(ours, theirs)  # token for token
print(tokenizer.decode(ours[0]))
# --8<-- [end:greedy]

# --8<-- [start:sampled]
torch.manual_seed(1)  # both draw from torch's global random generator
ours = generate_by_hand(model, input_ids, max_new_tokens=20, temperature=0.8)
torch.manual_seed(1)
# top_k=0: generate would otherwise keep only the 50 best tokens (its default)
theirs = model.generate(input_ids, do_sample=True, temperature=0.8, top_k=0,
                        max_new_tokens=20, use_cache=False)
assert torch.equal(ours, theirs)  # the same draws give the same tokens
print(tokenizer.decode(ours[0]))
# --8<-- [end:sampled]
