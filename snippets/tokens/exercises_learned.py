"""Solutions to the exercises of "How the pieces are learned".

Run from the repository's root folder: it reads the pages under docs/.
"""

import re
from collections import Counter

from snippets.tokens.learned import (
    VOCAB_SIZE, chinese, held_out_cost, pieces_of, text, train_bpe, train_like_phi3)

# --8<-- [start:smaller-text]
tenth = text[: len(text) // 10]  # the first tenth of the slice
small_counts = Counter(re.findall(r"\w+|[^\w\s]+", tenth))
small_vocab, small_merges, _ = train_bpe(small_counts, VOCAB_SIZE)
print(f"{len(small_counts)} different words: {len(small_vocab)} pieces, "
      f"{len(small_merges)} merges")
print("first merges:", small_merges[:4])
print("generation:", pieces_of("generation", small_merges))
# --8<-- [end:smaller-text]

# --8<-- [start:chinese-only]
chinese_vocabulary = train_like_phi3(chinese, 4000)
chinese_only = held_out_cost(chinese_vocabulary.encode)
print(f"learned from Chinese only: en {chinese_only['en']:.2f} tokens/char, "
      f"zh {chinese_only['zh']:.2f} tokens/char, zh/en {chinese_only['zh/en']:.2f}")
# --8<-- [end:chinese-only]
