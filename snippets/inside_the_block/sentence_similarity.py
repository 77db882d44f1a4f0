"""What encoders are for: sentence embeddings for search (all-MiniLM-L6-v2)."""

import torch

from snippets.inside_the_block.load_encoder import encoder, encoder_tokenizer

# --8<-- [start:similarity]
query = "How do I keep my houseplants alive?"
documents = [
    "The train to Paris leaves at nine.",
    "Water a pothos when the top of the soil feels dry.",
    "Interest rates rose again this quarter.",
    "Most indoor plants need bright, indirect light.",
]
batch = encoder_tokenizer([query, *documents], padding=True, return_tensors="pt")
with torch.no_grad():
    token_vectors = encoder(**batch).last_hidden_state  # (texts, seq, 384)

# Mean pooling: average the vectors of the real tokens, not of the padding.
is_token = batch.attention_mask.unsqueeze(-1).float()  # (texts, seq, 1)
sentence_vectors = (token_vectors * is_token).sum(1) / is_token.sum(1)  # (texts, 384)
sentence_vectors = torch.nn.functional.normalize(sentence_vectors, dim=-1)

cosine = sentence_vectors[1:] @ sentence_vectors[0]  # (documents,)
for score, document in sorted(zip(cosine.tolist(), documents), reverse=True):
    print(f"{score:+.3f}  {document}")
# --8<-- [end:similarity]
