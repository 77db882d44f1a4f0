"""Solutions to the exercises of "Load and generate"."""

from snippets.model_example.load_model import model

# --8<-- [start:float32]
# every parameter is a bfloat16 number of 2 bytes; in float32 it takes 4
print(f"{model.num_parameters() * 4 / 1e9:.1f} GB in float32")
# --8<-- [end:float32]

# --8<-- [start:bandwidth]
channels, megatransfers = 2, 5600  # yours: two channels of DDR5-5600, say
bandwidth = channels * 8 * megatransfers * 1e6  # bytes/s: 8 bytes per transfer
read_per_token = sum(  # every weight but the embedding table, of which one row
    parameter.numel() * parameter.element_size()
    for name, parameter in model.named_parameters() if "embed_tokens" not in name
)
seconds = read_per_token / bandwidth
print(f"{read_per_token / 1e9:.1f} GB per token at {bandwidth / 1e9:.1f} GB/s: "
      f"at least {seconds:.2f} s per token, at most {1 / seconds:.0f} tokens/s")
# --8<-- [end:bandwidth]

# the page's pipeline and prompt (the first two solutions need only the model)
from snippets.model_example.generate_email import generator, prompt  # noqa: E402

# --8<-- [start:sample]
from transformers import set_seed

for seed in (0, 1):
    set_seed(seed)  # the same seed, the same e-mail
    sampled = generator(prompt, do_sample=True, temperature=0.7)
    print(sampled[0]["generated_text"])
# --8<-- [end:sample]
