"""Solutions to the exercises of "Pieces, not words"."""

from snippets.tokens.pieces import tokenizer

# --8<-- [start:leading-space]
for text in ["The capital", " The capital", "the capital", "THE CAPITAL"]:
    print(f"{text!r:15}", tokenizer(text).input_ids, tokenizer.tokenize(text))
# --8<-- [end:leading-space]

# --8<-- [start:one-at-a-time]
ids = tokenizer("词元").input_ids
print([tokenizer.decode(token_id) for token_id in ids])  # one id at a time
print(tokenizer.decode(ids[1:4]))  # the three byte tokens of 词 together
# --8<-- [end:one-at-a-time]
