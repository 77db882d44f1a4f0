"""Phi-3's special tokens: the ids after the 32,000 pieces, and rows no token uses."""

# --8<-- [start:load]
from transformers import AutoConfig, AutoTokenizer

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
# --8<-- [end:load]

# --8<-- [start:table]
for token_id, token in sorted(tokenizer.added_tokens_decoder.items()):
    if token_id >= tokenizer.vocab_size:  # the tokens added after the 32,000 pieces
        print(token_id, f"{token.content:18}", "rstrip" if token.rstrip else "")
# --8<-- [end:table]

# --8<-- [start:bos]
print(tokenizer.bos_token, tokenizer.bos_token_id, tokenizer.add_bos_token)
print(tokenizer("Hello").input_ids)  # no 1 in front
# --8<-- [end:bos]

# --8<-- [start:padding]
print(tokenizer.eos_token, tokenizer.eos_token_id)
print(tokenizer.pad_token, tokenizer.pad_token_id)  # the same token pads a batch
batch = tokenizer(["Hello", "The capital of France is"], padding=True)
print(batch.input_ids)  # padded on the left: generation continues on the right
# --8<-- [end:padding]

# --8<-- [start:unused-rows]
config = AutoConfig.from_pretrained(MODEL_ID)  # a small JSON file, no weights
print(config.vocab_size, "rows in the embedding table and the LM head")
print(len(tokenizer), "ids the tokenizer can produce")
unused = range(len(tokenizer), config.vocab_size)
print(f"{len(unused)} rows no token uses: {unused.start} to {unused.stop - 1}")
print(tokenizer.convert_ids_to_tokens([unused.start, unused.stop - 1]))
# --8<-- [end:unused-rows]
