"""The glossary's tables agree across languages, and Chinese pages use its terms.

docs/glossary.md has tables `| Term | 中文 | Meaning |`, docs/glossary.zh.md tables
`| 中文 | English | 含义 |`. Every English term needs the same Chinese term in both
(and the same anchor), and no Chinese page may use a known mistranslation.
"""

from __future__ import annotations

import re

import pytest

from tools import site
from tools.paths import DOCS, ROOT

EN_PAGE, ZH_PAGE = DOCS / "glossary.md", DOCS / "glossary.zh.md"
COLUMNS = {"Term": "en", "English": "en", "中文": "zh"}
ANCHOR = re.compile(r"\{\s*#(?P<id>[\w-]+)\s*\}")

# Mistranslations -> why. Searched in the prose of every Chinese page.
FORBIDDEN = {
    "变压器": "Transformer stays 'Transformer' (变压器 is an electrical transformer)",
    "令牌": "token is 词元 (令牌 is an access token)",
    # 标记 for token; the verb (标记为, 标记出, ...) is fine.
    "标记(?![为出了成着])": "token is 词元, not 标记",
    # The Chinese editor's list (issue 9).
    "配方": "recipe is 方案, as on the home page",
    "提示词元": "提示词中的词元: 提示词元 reads as one made-up word",
    r"\d\s*个数(?![据字])": "a vector's width is 'N 维', not 'N 个数'",
    r"\d %": "no space before % in Chinese",
    r"共享[^。；]{0,12}键/值头": "query heads 共用 key/value heads: one word throughout",
    r"\d+ M(?![\w/])": "Chinese counts in 万/亿 (约 6500 万), not 'M'",
    # The Chinese editor's list (issue 21).
    r"(最好|更好)的[^，。；]{0,6}词元": "the token that scores highest: 分数最高的词元",
    r"每个数(?![据字值])": "bytes per element: 每个元素, not 每个数",
    "批次": "batch is 批, as in the glossary",
    "(?i)traceback": "in Chinese prose: 报错的调用栈",
    r"(?<![\d,.])\d{1,2},\d{3}(?![\d,])":
        "Chinese pages write numbers below 100000 without separators (4096, 32064)",
}
# Terms the glossary must define, with the Chinese the pages use for them.
REQUIRED = {
    "token": "词元", "token id": "词元 ID", "tokenizer": "分词器", "vocabulary": "词表",
    "embedding": "嵌入", "hidden state": "隐藏状态", "decoder layer": "解码器层",
    "self-attention": "自注意力", "multi-head attention": "多头注意力",
    "grouped-query attention (GQA)": "分组查询注意力（GQA）", "KV cache": "KV 缓存",
    "RMSNorm": "RMSNorm", "LayerNorm": "层归一化", "pre-norm": "前置归一化",
    "residual connection": "残差连接", "rotary position embedding (RoPE)": "旋转位置编码",
    "MLP, feed-forward network": "MLP（前馈网络）", "residual stream": "残差流",
    "SwiGLU": "SwiGLU", "logits": "logits",
    "LM head": "语言模型头", "greedy decoding": "贪婪解码", "prefill": "预填充",
    "decode": "解码", "causal mask": "因果掩码", "Transformer": "Transformer",
    "encoder": "编码器", "decoder": "解码器", "bfloat16": "bfloat16", "parameter": "参数",
    "byte-pair encoding (BPE)": "字节对编码（BPE）", "merge": "合并",
    "vocabulary size": "词表大小", "character coverage": "字符覆盖率",
}


def plain(cell: str) -> str:
    return ANCHOR.sub("", cell).replace("**", "").strip()


def glossary(path) -> list[dict[str, str]]:
    """One dict per table row: {'en': term, 'zh': term, 'anchor': id}."""
    rows = []
    for header, *body in site.load().page(path).tables():
        columns = {COLUMNS[c]: i for i, c in enumerate(header) if c in COLUMNS}
        assert set(columns) == {"en", "zh"}, f"{path.name}: header {header}"
        for cells in body:
            anchor = ANCHOR.search(cells[0])
            assert anchor, f"{path.name}: the first cell needs an {{ #anchor }}: {cells}"
            rows.append({"en": plain(cells[columns["en"]]),
                         "zh": plain(cells[columns["zh"]]), "anchor": anchor["id"]})
    return rows


def by_english(rows):
    table = {}
    for row in rows:
        assert row["en"] not in table, f"{row['en']!r} is defined twice"
        table[row["en"]] = row
    return table


def test_tables_are_parsed():
    english = glossary(EN_PAGE)
    assert len(english) >= len(REQUIRED)
    assert site._cells("| `<|user|>` | a | b |") == ["`<|user|>`", "a", "b"]


def test_every_english_term_has_the_same_chinese_entry_in_both_pages():
    english, chinese = by_english(glossary(EN_PAGE)), by_english(glossary(ZH_PAGE))
    missing = sorted(set(english) - set(chinese))
    assert not missing, f"glossary.zh.md lacks {missing}"
    extra = sorted(set(chinese) - set(english))
    assert not extra, f"glossary.md lacks {extra}"
    for term, row in english.items():
        assert row["zh"], f"{term!r} has no Chinese term in glossary.md"
        assert chinese[term]["zh"] == row["zh"], term
        assert chinese[term]["anchor"] == row["anchor"], term


def test_required_terms_and_their_chinese():
    english = by_english(glossary(EN_PAGE))
    assert {term: english[term]["zh"] for term in REQUIRED if term in english} == REQUIRED


def test_glossary_does_not_define_a_forbidden_term():
    for row in glossary(ZH_PAGE):
        for pattern in FORBIDDEN:
            assert not re.search(pattern, row["zh"]), row


ZH_PAGES = [page for page in site.load().pages() if page.language == "zh"]


@pytest.mark.parametrize("page", ZH_PAGES, ids=lambda p: str(p.path.relative_to(ROOT)))
def test_chinese_pages_avoid_mistranslations(page):
    text = page.prose
    found = [f"{match.group(0)!r} ({why})" for pattern, why in FORBIDDEN.items()
             for match in re.finditer(pattern, text)]
    assert not found, f"{page.path.relative_to(ROOT)}: {found}"


def test_forbidden_patterns_match_what_they_should():
    def hits(text):
        return [p for p in FORBIDDEN if re.search(p, text)]

    assert hits("变压器块") and hits("5 个标记") and hits("标记 ID") and hits("令牌")
    assert not hits("把这一行标记为已读") and not hits("词元")
    assert hits("推荐的配方") and hits("每个提示词元") and hits("3072 个数")
    assert hits("94.8 %") and hits("40 个查询头共享 10 个键/值头") and hits("约 65 M")
    assert hits("32064   个数") and hits("每个数 2 字节") and hits("同一批次里")
    assert not hits("每个元素 2 字节") and not hits("3072 维") and not hits("94.8%")
    assert not hits("元素个数") and not hits("3072 个数字") and not hits("7.6 GB")
    assert hits("它最好的词元") and hits("最好的八个词元") and hits("更好的那些词元")
    assert hits("抛出一长串 traceback") and hits("1,536 MiB")
    assert hits("约 37,000 个") and not hits("3,821,079,552 个参数")
    assert not hits("1536 MiB") and not hits("每个数字") and not hits("0.5,1")


def quoted(line: str) -> list[str]:
    """What ASCII double quotes enclose on a line of prose, pairing them in order;
    none on a line of Markdown syntax (admonition and content-tab titles)."""
    return [] if re.match(r"\s*(!!!|\?\?\?|===)", line) else line.split('"')[1::2]


@pytest.mark.parametrize("page", ZH_PAGES, ids=lambda p: str(p.path.relative_to(ROOT)))
def test_chinese_pages_quote_chinese_with_full_width_marks(page):
    """“…” around Chinese text; ASCII quotes only around code-like English ("the")."""
    found = [text for line in page.prose.split("\n") for text in quoted(line)
             if re.search(r"[\u4e00-\u9fff]", text)]
    assert not found, f"{page.path.relative_to(ROOT)}: {found}"


def test_quoted_pairs_quotes_in_order():
    assert quoted('给"深入 Transformer 块"中') == ["深入 Transformer 块"]
    assert quoted('读出 "▁is"：微型模型答 "the"') == ["▁is", "the"]
    assert quoted('!!! quote "真实模型的输出记录"') == quoted('=== "仅编码器"') == []
