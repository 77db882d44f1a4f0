"""chinese_cost.py: the site's own prose, measured in both languages."""

from __future__ import annotations

import json

import matplotlib
import pytest

from tests.helpers import run_script
from tools import site
from tools.paths import DOCS

SITE = site.load()

matplotlib.use("Agg")
pytestmark = pytest.mark.real_tokenizer


@pytest.fixture(scope="module")
def snippet():
    import snippets.tokens.chinese_cost as snippet

    return snippet


def test_script_prints_a_row_per_page_and_the_totals(snippet):
    lines = run_script("snippets/tokens/chinese_cost.py").splitlines()
    assert lines[0].startswith("5 tokens for 24 characters")
    assert lines[1].startswith("7 tokens for 6 characters")
    names = [line.split()[0] for line in lines[2:2 + len(snippet.rows)]]
    assert names == [row["page"] for row in snippet.rows]
    assert lines[2 + len(snippet.rows)].startswith(
        f"en: {snippet.totals['en']['tokens']:,} tokens")


def test_every_page_but_this_chapter_is_measured_with_its_twin(snippet):
    english = {p.relative_to(DOCS).with_suffix("").as_posix()
               for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md")}
    measured = {row["page"] for row in snippet.rows}
    assert measured == {name for name in english if not name.startswith("tokens/")}


def test_prose_drops_code_includes_math_and_markup(snippet):
    markdown = (
        "# Title { #title }\n\nSee [the tree](tree.md#x), `code` and $x^2$.\n\n"
        "<!--pytest-codeblocks:cont-->\n```python\n--8<-- \"a.py:b\"\n```\n\n"
        "!!! note\n\n    ```text\n    output\n    ```\n\n$$\ny = 1\n$$\nEnd.\n"
    )
    assert snippet.prose(markdown) == "# Title See [the tree , and . !!! note End."


def test_prose_goes_on_after_an_included_file(snippet):
    """An include line is dropped, not the rest of the page (why-slow's tables)."""
    markdown = 'Before.\n\n--8<-- "bench/output/table.md"\n\nAfter the table.\n'
    assert snippet.prose(markdown) == "Before. After the table."


def test_every_heading_of_every_measured_page_is_in_its_prose(snippet):
    """The site model finds the headings on its own: a pattern that swallows the
    rest of a page loses the headings after it."""
    for row in snippet.rows:
        for language in SITE.codes:
            path = DOCS / SITE.source(f"{row['page']}.md", language)
            text = snippet.prose(path.read_text(encoding="utf-8"))
            titles = [snippet.prose(h.title) for h in SITE.page(path).headings]
            assert titles and [t for t in titles if t not in text] == [], path


def test_measure_counts_tokens_characters_and_bytes(snippet, tmp_path):
    page = tmp_path / "page.md"
    page.write_text("法国的首都是\n词", encoding="utf-8")
    # "法国的首都是 词": ▁ 法 国 的 首 都 是 ▁ + 3 bytes for 词
    assert snippet.measure(page) == {"tokens": 11, "characters": 7, "bytes": 3}


def test_totals_add_up_and_chinese_costs_more(snippet):
    en, zh = snippet.totals["en"], snippet.totals["zh"]
    for language, total in snippet.totals.items():
        assert total["tokens"] == sum(row[language]["tokens"] for row in snippet.rows)
        assert total["per character"] == total["tokens"] / total["characters"]
    assert zh["per character"] > 2 * en["per character"]
    assert zh["byte share"] > 10 * en["byte share"]
    assert all(row["zh"]["tokens"] > row["en"]["tokens"] for row in snippet.rows)


def test_speed_comes_from_the_benchmark(snippet):
    data = json.loads((DOCS / "why-slow" / "benchmark.json").read_text())
    assert data["recipes"][0]["name"] == data["baseline"] == "walkthrough"
    assert snippet.tokens_per_second == 1 / data["recipes"][0]["decode_s_per_token"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_figure_has_two_bars_per_page_and_labels_in_its_language(snippet, language):
    figure = snippet.FIGURES["tokens-per-page"](language=language)
    axes = figure.axes[0]
    assert len(axes.patches) == 2 * len(snippet.rows)
    widths = sorted(bar.get_width() for bar in axes.patches)
    expected = sorted(row[c]["tokens"] for row in snippet.rows for c in ("en", "zh"))
    assert widths == expected
    labels = snippet.LABELS[language]
    assert axes.get_xlabel() == labels["x"] and axes.get_title() == labels["title"]
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == [labels["en"], labels["zh"]]


def test_the_words_of_the_page_match_the_measurement(snippet):
    """The prose says these in words ("about three", "about half", "a third")."""
    en, zh = snippet.totals["en"], snippet.totals["zh"]
    assert round(1 / en["per character"]) == 3  # characters per English token
    assert zh["per character"] > 1  # a Chinese token covers less than a character
    assert 0.4 < zh["characters"] / en["characters"] < 0.6  # "about half as many"
    assert 0.25 < zh["byte share"] < 0.4  # "about a third"
