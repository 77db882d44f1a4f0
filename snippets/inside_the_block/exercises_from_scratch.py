"""Solutions to the exercises of "The whole forward pass from scratch"."""

import torch
from transformers import AutoModelForCausalLM

from snippets.inside_the_block.phi3_from_scratch import Phi3FromScratch, generate_greedy

# --8<-- [start:medium]
from transformers import AutoConfig

medium = AutoConfig.from_pretrained("microsoft/Phi-3-medium-4k-instruct")
with torch.device("meta"):  # real shapes, no memory: nothing to load
    ours_medium = Phi3FromScratch(medium)
    theirs_medium = AutoModelForCausalLM.from_config(medium)
shapes = {name: t.shape for name, t in ours_medium.state_dict().items()}
their_shapes = {name: t.shape for name, t in theirs_medium.state_dict().items()}
print("same names and shapes:", shapes == their_shapes)
parameters = sum(p.numel() for p in ours_medium.parameters())
print(f"{parameters:,} parameters, {medium.num_hidden_layers} layers, "
      f"{medium.num_key_value_heads} key/value heads")
# --8<-- [end:medium]

# The page's model, loaded with Phi-3's weights (the next solution runs it).
from snippets.inside_the_block.run_from_scratch import input_ids, scratch  # noqa: E402

# --8<-- [start:work]
lengths = []  # how many positions each forward pass computes
count = scratch.model.embed_tokens.register_forward_hook(
    lambda module, args, output: lengths.append(args[0].shape[1]))
steps = 4
generate_greedy(scratch, input_ids, steps)
count.remove()
print("positions computed without a cache:", lengths, "=", sum(lengths))
print("with a cache:", input_ids.shape[1], "+", [1] * (steps - 1), "=",
      input_ids.shape[1] + steps - 1)
# --8<-- [end:work]
