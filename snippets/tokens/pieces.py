"""Pieces, not words: how Phi-3's tokenizer cuts English, numbers and Chinese."""

# --8<-- [start:load]
from transformers import AutoTokenizer

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
# Only the tokenizer: a few hundred kilobytes, no model weights needed on this page.
tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
print(tokenizer.vocab_size, "pieces learned by SentencePiece")
print(len(tokenizer), "tokens in all, with the special ones added for chat")
# --8<-- [end:load]

# --8<-- [start:space-marker]
for text in ["The capital of France is", "TheCapitalOfFrance"]:
    print(tokenizer.tokenize(text))
# --8<-- [end:space-marker]

# --8<-- [start:rare-words]
for word in ["garden", "gardening", "apologizing", "mishap"]:
    print(f"{word:12}", tokenizer.tokenize(word))
# --8<-- [end:rare-words]

# --8<-- [start:digits]
print(tokenizer.tokenize("3821079552 parameters in 2024"))
# --8<-- [end:digits]

# --8<-- [start:byte-fallback]
print(tokenizer.tokenize("法国的首都是"))  # common characters: one piece each
print(tokenizer.tokenize("词"))  # no piece for 词: its UTF-8 bytes instead
print("词".encode("utf-8"))  # the same three bytes
# --8<-- [end:byte-fallback]

# --8<-- [start:ids]
ids = tokenizer("词元").input_ids
print(ids)
print(tokenizer.convert_ids_to_tokens(ids))
# --8<-- [end:ids]

# --8<-- [start:round-trip]
text = "Phi-3 读 3821079552 个参数，词元: tokens 🙂"
ids = tokenizer(text).input_ids
print(len(text), "characters ->", len(ids), "tokens")
print(tokenizer.decode(ids) == text)  # every character comes back, bytes included
# --8<-- [end:round-trip]
