"""Solutions to the exercises of "A logit lens"."""

from snippets.scores_to_text.logit_lens import hidden, input_ids, lens, model, tokenizer

# --8<-- [start:hook]
import torch

caught = {}


def keep_output(module, args, output):
    caught["layer 2"] = output[0] if isinstance(output, tuple) else output


handle = model.model.layers[1].register_forward_hook(keep_output)  # layer 2
with torch.no_grad():
    model(input_ids)
handle.remove()  # a hook stays until removed
print(torch.equal(caught["layer 2"], hidden[2]))
# --8<-- [end:hook]

# --8<-- [start:other-sentence]
sentence = tokenizer("Every code block on every page", return_tensors="pt").input_ids
with torch.no_grad():
    states = model(sentence, output_hidden_states=True).hidden_states
    for n, h in enumerate(states[:-1]):
        best = lens(h)[0, -1].argmax().item()
        print(f"{'embedding' if n == 0 else f'layer {n}':>9}: "
              f"{tokenizer.convert_ids_to_tokens(best)!r}")
    final = model.lm_head(states[-1])[0, -1].argmax().item()
print(f"{'output':>9}: {tokenizer.convert_ids_to_tokens(final)!r}")
# --8<-- [end:other-sentence]
