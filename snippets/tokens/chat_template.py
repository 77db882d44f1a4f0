"""The chat format: what apply_chat_template makes of a conversation."""

# --8<-- [start:load]
from transformers import AutoTokenizer, GenerationConfig

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
# --8<-- [end:load]

# --8<-- [start:render]
# The e-mail request of the first chapter, now as a message from the user.
prompt = (
    "Write an email apologizing to Sarah for the tragic gardening mishap. "
    "Explain how it happened."
)
messages = [{"role": "user", "content": prompt}]
text = tokenizer.apply_chat_template(messages, tokenize=False)
print(repr(text))
# --8<-- [end:render]

# --8<-- [start:generation-prompt]
text = tokenizer.apply_chat_template(
    messages, tokenize=False, add_generation_prompt=True  # "now the assistant speaks"
)
print(text, end="")  # it ends with a line break
# --8<-- [end:generation-prompt]

# --8<-- [start:ids]
ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True).input_ids
print(ids)
print(tokenizer.convert_ids_to_tokens(ids))
# --8<-- [end:ids]

# --8<-- [start:rstrip]
print(repr(tokenizer.decode(ids)))  # the text has no "\n" after the special tokens
print(tokenizer.added_tokens_decoder[32010].rstrip)  # <|user|> eats the whitespace
print(tokenizer("<|user|>\nHi").input_ids, tokenizer("<|user|>Hi").input_ids)
# --8<-- [end:rstrip]

# --8<-- [start:system]
with_system = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": prompt},
]
text = tokenizer.apply_chat_template(with_system, tokenize=False,
                                     add_generation_prompt=True)
print(text, end="")
system_ids = tokenizer.apply_chat_template(with_system,
                                           add_generation_prompt=True).input_ids
print(len(system_ids), "tokens instead of", len(ids))
# --8<-- [end:system]

# --8<-- [start:raw-prompt]
raw_ids = tokenizer(prompt).input_ids  # what the first chapter's pipeline sent
print(len(raw_ids), "tokens:", tokenizer.convert_ids_to_tokens(raw_ids[:3]), "...")
print(len(ids), "tokens:", tokenizer.convert_ids_to_tokens(ids[:3]), "...",
      tokenizer.convert_ids_to_tokens(ids[-3:]))
# --8<-- [end:raw-prompt]

# --8<-- [start:stop]
generation_config = GenerationConfig.from_pretrained(MODEL_ID)
stop_ids = generation_config.eos_token_id
print(stop_ids, tokenizer.convert_ids_to_tokens(stop_ids))
# --8<-- [end:stop]
