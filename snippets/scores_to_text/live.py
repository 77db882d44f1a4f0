"""Play with the tiny model: what the page's live demo must show for its first prompt,
computed by PyTorch: the prompt's pieces and ids, and the ten most probable next
tokens."""

# --8<-- [start:pieces]
import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

torch.set_num_threads(1)  # tiny matrices: a second thread costs more than it saves
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32)
prompt = "The capital of France is"  # the demo's first prompt too
input_ids = tokenizer(prompt, return_tensors="pt").input_ids  # (1, 5)
# the pieces as the model reads them: convert_ids_to_tokens keeps the "▁" that
# marks a space, which decode() turns back into a space (or drops at the start)
pieces = tokenizer.convert_ids_to_tokens(input_ids[0].tolist())
for piece, token_id in zip(pieces, input_ids[0].tolist()):
    print(f"{piece!r:>10} {token_id:>6}")
# --8<-- [end:pieces]

# --8<-- [start:next-token]
with torch.no_grad():
    logits = model(input_ids).logits[0, -1]  # (32064,): scores for the next token
probs = logits.softmax(dim=-1)
top = probs.topk(10)
for p, token_id in zip(top.values, top.indices.tolist()):
    print(f"{tokenizer.convert_ids_to_tokens(token_id)!r:>10} {token_id:>6} {p:6.1%}")
# --8<-- [end:next-token]
