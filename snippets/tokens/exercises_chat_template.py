"""Solutions to the exercises of "The chat template".

They use only `tokenizer` and `messages`, which the page's last program (the
pipeline's) defines too.
"""

from snippets.tokens.chat_template import messages, tokenizer

# --8<-- [start:system-ids]
system = {"role": "system", "content": "You are a helpful assistant."}
system_ids = tokenizer.apply_chat_template([system, *messages],
                                           add_generation_prompt=True).input_ids
added = tokenizer.added_tokens_decoder  # id -> special token
for position, token_id in enumerate(system_ids):
    if token_id in added:
        print(f"{position:2} {token_id} {added[token_id].content}")
# --8<-- [end:system-ids]

# --8<-- [start:second-turn]
conversation = [
    *messages,
    {"role": "assistant", "content": "(the e-mail it wrote)"},  # not a real answer
    {"role": "user", "content": "Make it shorter."},
]
print(tokenizer.apply_chat_template(conversation, tokenize=False,
                                    add_generation_prompt=True), end="")
# --8<-- [end:second-turn]

# --8<-- [start:first-word]
user = tokenizer.convert_tokens_to_ids("<|user|>")
for piece in ["Write", "▁Write"]:  # the two spellings of the first word
    pair = [user, tokenizer.convert_tokens_to_ids(piece)]
    print(f"{piece!r:9} {pair} {tokenizer.decode(pair)!r:17} "
          f"{tokenizer.decode(pair, skip_special_tokens=True)!r}")
# --8<-- [end:first-word]
