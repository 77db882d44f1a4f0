"""Give the pipeline a conversation: it applies the chat template itself."""

from snippets.model_example.load_model import model, tokenizer

# --8<-- [start:pipeline]
from transformers import pipeline

generator = pipeline(
    "text-generation", model=model, tokenizer=tokenizer,
    max_new_tokens=50, do_sample=False,  # the settings of the first chapter
)
messages = [
    {"role": "user", "content": (
        "Write an email apologizing to Sarah for the tragic gardening mishap. "
        "Explain how it happened."
    )},
]
output = generator(messages)  # a list of messages instead of a string
conversation = output[0]["generated_text"]  # the messages, plus the model's answer
print(conversation[-1]["role"])
print(conversation[-1]["content"])
# --8<-- [end:pipeline]
