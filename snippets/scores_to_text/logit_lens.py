"""A logit lens: the final norm and the LM head applied after every layer."""

# --8<-- [start:lens]
import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

torch.set_num_threads(1)  # tiny matrices: a second thread costs more than it saves
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
prompt = "The capital of France is"  # a sentence the tiny model read in training
input_ids = tokenizer(prompt, return_tensors="pt").input_ids

with torch.no_grad():
    out = model(input_ids, output_hidden_states=True)
# hidden_states[0] is the embedding, hidden_states[n] the output of layer n; the
# last one has the final norm applied already (it is what the LM head reads).
hidden = out.hidden_states
print(len(hidden), "hidden states for", model.config.num_hidden_layers, "layers")
with torch.no_grad():
    last = model.lm_head(hidden[-1])
torch.testing.assert_close(last, out.logits)  # the model's own prediction
# --8<-- [end:lens]

# --8<-- [start:read]
def lens(h):
    """Read a hidden state as if it were the last layer's: norm, then LM head."""
    return model.lm_head(model.model.norm(h))


answer = out.logits[0, -1].argmax().item()
with torch.no_grad():
    for n, h in enumerate(hidden[:-1]):
        probs = lens(h)[0, -1].softmax(dim=-1)  # the last position predicts
        best = probs.argmax().item()
        name = "embedding" if n == 0 else f"layer {n}"
        print(f"{name:>13}: {tokenizer.convert_ids_to_tokens(best)!r:>12} "
              f"{probs[best]:6.1%} | answer {probs[answer]:6.1%}")
probs = out.logits[0, -1].softmax(dim=-1)
print(f"{'model output':>13}: {tokenizer.convert_ids_to_tokens(answer)!r:>12} "
      f"{probs[answer]:6.1%}")
# --8<-- [end:read]
