"""Solutions to the exercises of "Special tokens"."""

from snippets.tokens.special_tokens import tokenizer

# --8<-- [start:exact-text]
for text in ["<|end|>", "<end>", "<| end |>", "She typed <|end|> here"]:
    print(f"{text!r:25}", tokenizer(text).input_ids)
# --8<-- [end:exact-text]

# --8<-- [start:right-padding]
tokenizer.padding_side = "right"
batch = tokenizer(["Hello", "The capital of France is"], padding=True)
tokenizer.padding_side = "left"  # back to Phi-3's setting
print(batch.input_ids[0], batch.attention_mask[0])  # the short text
# --8<-- [end:right-padding]
