"""What Chinese costs: Phi-3's tokenizer on this site's own pages, in both languages.

Run from the repository's root folder: it reads the pages under docs/.
"""

# --8<-- [start:load]
import json
import re
from pathlib import Path

from transformers import AutoTokenizer

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
# --8<-- [end:load]

# --8<-- [start:one-sentence]
for text in ["The capital of France is", "法国的首都是"]:
    pieces = tokenizer.tokenize(text)
    print(len(pieces), "tokens for", len(text), "characters:", pieces)
# --8<-- [end:one-sentence]

# --8<-- [start:prose]
NOT_PROSE = [  # re.S lets `.` cross lines: only for what spans lines
    re.compile(r"^([ \t]*)(`{3,}).*?^\1\2", re.M | re.S),  # fences (admonitions too)
    re.compile(r"^[ \t]*--8<--.*$", re.M),  # an included file: that line only
    re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S),  # math
    re.compile(r"<!--.*?-->", re.S),  # notes for the tests
    re.compile(r"`[^`\n]+`"),  # inline code: the same in both languages
    re.compile(r"\]\([^)]*\)"),  # link targets (the link text stays)
    re.compile(r"\{\s*#[^}]*\}"),  # heading anchors
]


def prose(markdown):
    for pattern in NOT_PROSE:
        markdown = pattern.sub(" ", markdown)
    return " ".join(markdown.split())  # line breaks are spaces, as in the browser


def measure(page):
    text = prose(page.read_text(encoding="utf-8"))
    pieces = tokenizer.tokenize(text)
    return {
        "tokens": len(pieces),
        "characters": len(text.replace(" ", "")),  # spaces not counted
        "bytes": sum(piece.startswith("<0x") for piece in pieces),  # byte fallback
    }
# --8<-- [end:prose]

# --8<-- [start:per-page]
# Every English page with its Chinese twin; this chapter would measure itself.
pages = [page for page in sorted(Path("docs").rglob("*.md"))
         if not page.name.endswith(".zh.md") and page.parent.name != "tokens"]
rows = []
for page in pages:
    en, zh = measure(page), measure(page.with_suffix(".zh.md"))
    name = page.relative_to("docs").with_suffix("").as_posix()
    rows.append({"page": name, "en": en, "zh": zh})
    ratio = zh["tokens"] / en["tokens"]
    print(f"{name:32} {en['tokens']:6,} {zh['tokens']:6,}  x{ratio:.2f}")
# --8<-- [end:per-page]

# --8<-- [start:totals]
totals = {}
for language in ["en", "zh"]:
    total = {key: sum(row[language][key] for row in rows) for key in rows[0]["en"]}
    total["per character"] = total["tokens"] / total["characters"]
    total["byte share"] = total["bytes"] / total["tokens"]
    totals[language] = total
    print(f"{language}: {total['tokens']:,} tokens, "
          f"{total['characters']:,} characters, "
          f"{total['per character']:.2f} tokens per character, "
          f"{total['byte share']:.1%} byte tokens")
# --8<-- [end:totals]

# --8<-- [start:context]
context = tokenizer.model_max_length  # 4096 for the -4k model
for language, total in totals.items():
    per_page = total["tokens"] / len(rows)
    print(f"{language}: {context / total['per character']:,.0f} characters or "
          f"{context / per_page:.1f} average pages fit in {context:,} tokens")
# --8<-- [end:context]

# --8<-- [start:speed]
# This machine's benchmark at Phi-3-mini's real size (chapter "Why is it slow?").
benchmark = json.loads(Path("docs/why-slow/benchmark.json").read_text())
walkthrough = benchmark["recipes"][0]  # the first chapter's pipeline, bfloat16
tokens_per_second = 1 / walkthrough["decode_s_per_token"]
print(f"{walkthrough['name']}: {tokens_per_second:.1f} tokens per second")
for language, total in totals.items():
    print(f"{language}: {tokens_per_second / total['per character']:.1f} characters "
          "per second")
# --8<-- [end:speed]

LABELS = {
    "en": {"title": "The same page in two languages", "x": "tokens per page",
           "en": "English", "zh": "Chinese"},
    "zh": {"title": "同一页面的两种语言", "x": "每页词元数", "en": "英文", "zh": "中文"},
}


def draw_tokens_per_page(language="en"):
    """Tokens of each page in English and in Chinese, labels in `language`."""
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    names = [row["page"] for row in rows][::-1]  # first page at the top
    y = range(len(names))
    figure, axes = plt.subplots(figsize=(7.5, 0.32 * len(names) + 1.2))
    for shift, column, color in [(0.2, "en", "tab:blue"), (-0.2, "zh", "tab:red")]:
        values = [row[column]["tokens"] for row in rows][::-1]
        axes.barh([i + shift for i in y], values, height=0.4, color=color,
                  label=labels[column])
    axes.set_yticks(list(y), names)
    axes.set_xlabel(labels["x"])
    axes.set_title(labels["title"])
    axes.grid(axis="x", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.patch.set_alpha(0)  # transparent: the page's own background shows
    axes.set_facecolor("none")
    figure.tight_layout()
    return figure


FIGURES = {"tokens-per-page": draw_tokens_per_page}
