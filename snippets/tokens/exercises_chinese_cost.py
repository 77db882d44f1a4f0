"""Solutions to the exercises of "What Chinese costs".

Run from the repository's root folder: it reads the pages under docs/.
"""

from pathlib import Path

from snippets.tokens.chinese_cost import measure, pages, prose, tokenizer, totals

# --8<-- [start:this-chapter]
for page in sorted(Path("docs/tokens").glob("*.md")):  # the pages left out above
    if not page.name.endswith(".zh.md"):
        en, zh = measure(page), measure(page.with_suffix(".zh.md"))
        print(f"{page.stem:16} {en['tokens']:6,} {zh['tokens']:6,}  "
              f"x{zh['tokens'] / en['tokens']:.2f}")
# --8<-- [end:this-chapter]

# --8<-- [start:a-piece-each]
vocabulary = tokenizer.get_vocab()  # piece -> id
chinese_text = "".join(prose(page.with_suffix(".zh.md").read_text(encoding="utf-8"))
                       for page in pages)
# a character with no piece of its own is the one thing written in bytes
no_piece = sum(char not in vocabulary for char in chinese_text if char != " ")
zh, en = totals["zh"], totals["en"]
one_each = zh["tokens"] - zh["bytes"] + no_piece  # one token instead of its bytes
print(f"{no_piece:,} characters written as {zh['bytes']:,} byte tokens")
print(f"Chinese / English tokens: x{zh['tokens'] / en['tokens']:.2f} now, "
      f"x{one_each / en['tokens']:.2f} with a piece for every character")
# --8<-- [end:a-piece-each]
