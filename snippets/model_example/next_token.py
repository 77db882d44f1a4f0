"""Follow "The capital of France is" from token ids to the next token."""

from snippets.model_example.load_model import model, tokenizer

# --8<-- [start:tokenize]
prompt = "The capital of France is"
input_ids = tokenizer(prompt, return_tensors="pt").input_ids
print(input_ids)
print(tokenizer.convert_ids_to_tokens(input_ids[0]))
# --8<-- [end:tokenize]

# --8<-- [start:no-bos]
print(tokenizer.bos_token, tokenizer.bos_token_id)  # the start token exists...
print(tokenizer.add_bos_token)  # ...but Phi-3's tokenizer doesn't prepend it
# --8<-- [end:no-bos]

# --8<-- [start:embed]
embeddings = model.model.embed_tokens(input_ids)  # one row of the table per id
print(embeddings.shape)  # (batch, seq, hidden)
# --8<-- [end:embed]

# --8<-- [start:decoder-stack]
model_output = model.model(input_ids)  # embeddings, 32 layers, final norm
hidden_states = model_output[0]  # (batch, seq, hidden)
print(hidden_states.shape)
# --8<-- [end:decoder-stack]

# --8<-- [start:lm-head]
# a score for every vocabulary entry at every position
lm_head_output = model.lm_head(hidden_states)  # (batch, seq, vocab)
print(lm_head_output.shape)
# --8<-- [end:lm-head]

# --8<-- [start:next-token]
token_id = lm_head_output[0, -1].argmax(-1)  # best score, last position
print(token_id)
print(tokenizer.decode(token_id))
# --8<-- [end:next-token]
