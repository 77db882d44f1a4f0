"""Let Phi-3 write an e-mail with a greedy text-generation pipeline."""

from snippets.model_example.load_model import model, tokenizer

# --8<-- [start:inspect]
print(model.dtype)  # the checkpoint's dtype, kept by dtype="auto"
print(f"{model.num_parameters():,} parameters")
print(f"{model.get_memory_footprint() / 1e9:.1f} GB of weights")  # 2 bytes each
# --8<-- [end:inspect]

# --8<-- [start:pipeline]
from transformers import pipeline

generator = pipeline(
    "text-generation",
    model=model,
    tokenizer=tokenizer,
    return_full_text=False,  # return only the new text, not the prompt
    max_new_tokens=50,  # stop after 50 new tokens, even in the middle of a word
    do_sample=False,  # greedy decoding: always take the most likely next token
)
# --8<-- [end:pipeline]

# --8<-- [start:generate]
prompt = (
    "Write an email apologizing to Sarah for the tragic gardening mishap. "
    "Explain how it happened."
)
output = generator(prompt)
print(output[0]["generated_text"])
# --8<-- [end:generate]
