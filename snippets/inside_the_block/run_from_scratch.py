"""Load Phi-3's weights into the from-scratch model; check logits and greedy tokens."""

# --8<-- [start:load]
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from snippets.inside_the_block.phi3_from_scratch import (
    Phi3FromScratch,
    generate_greedy,
)
from snippets.preflight import check_environment

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
check_environment(MODEL_ID)
tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
# "eager": transformers' step-by-step attention, the same operations as ours (its
# default, a fused kernel, adds up in another order).
model = AutoModelForCausalLM.from_pretrained(
    MODEL_ID,
    dtype=torch.bfloat16,  # the checkpoint's own dtype: half the memory of float32
    attn_implementation="eager",
).eval()
# --8<-- [end:load]

# --8<-- [start:load-weights]
with torch.device("meta"):  # a skeleton without memory: the weights come next
    scratch = Phi3FromScratch(model.config)
state_dict = model.state_dict()
# strict: every name must match, none may be missing or left over.
# assign: use transformers' tensors as they are, so the weights are not copied.
scratch.load_state_dict(state_dict, strict=True, assign=True)
scratch.eval()
parameters = sum(p.numel() for p in scratch.parameters())
print(f"{len(state_dict)} tensors loaded, {parameters:,} parameters")
for name in list(state_dict)[:7]:  # the embedding, then the first layer's weights
    print(" ", name, tuple(state_dict[name].shape))
# --8<-- [end:load-weights]

# --8<-- [start:same-logits]
prompt = "The capital of France is"
input_ids = tokenizer(prompt, return_tensors="pt").input_ids  # (1, seq)
with torch.no_grad():
    # use_cache=False: no KV cache, as in our model (its copies of the keys and
    # values would lie differently in memory)
    their_logits = model(input_ids, use_cache=False).logits  # (1, seq, vocab)
    our_logits = scratch(input_ids)  # (1, seq, vocab)
assert torch.equal(our_logits, their_logits)  # not close: equal, bit for bit
print("same logits as transformers:", tuple(our_logits.shape))
# --8<-- [end:same-logits]

# --8<-- [start:same-tokens]
eos_token_ids = model.generation_config.eos_token_id  # <|endoftext|>, <|end|>, ...
new_tokens = 8
ours = generate_greedy(scratch, input_ids, new_tokens, eos_token_ids=eos_token_ids)
# Recompute every position at every step, and score every position, as our loop
# does (by default generate keeps a KV cache and scores only the last position).
theirs = model.generate(input_ids, do_sample=False, max_new_tokens=new_tokens,
                        use_cache=False, logits_to_keep=0)
assert torch.equal(ours, theirs), (ours, theirs)
print("same tokens as model.generate:", ours.shape[1] - input_ids.shape[1], "new")
# --8<-- [end:same-tokens]

# --8<-- [start:next-token]
next_token_id = ours[0, input_ids.shape[1]].item()  # the first generated token
print(next_token_id, tokenizer.decode(next_token_id))
# --8<-- [end:next-token]
