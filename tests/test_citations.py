"""Every paper a page names links to it, in both languages (arXiv or the publisher)."""

from __future__ import annotations

import re

import pytest

from tools import site
from tools.paths import ROOT

# How a page names a paper -> where the paper is.
PAPERS = {
    r"Attention Is All You Need|Vaswani": "arxiv.org/abs/1706.03762",
    r"Xiong": "arxiv.org/abs/2002.04745",
    r"Sennrich": "arxiv.org/abs/1910.07467",
    r"Shazeer\W{1,3}2019": "arxiv.org/abs/1911.02150",
    r"Shazeer\W{1,3}2020": "arxiv.org/abs/2002.05202",
    r"Ainslie": "arxiv.org/abs/2305.13245",
    r"Su (et al|等人)": "arxiv.org/abs/2104.09864",
    r"Haviv": "arxiv.org/abs/2203.16634",
    r"Wang (et al|等人)": "arxiv.org/abs/1906.01787",
    r"Brown (et al|等人)": "arxiv.org/abs/2005.14165",
    r"Touvron": "arxiv.org/abs/2307.09288",
    r"Phi-3 technical report|Phi-3 技术报告": "arxiv.org/abs/2404.14219",
    r"Llama 3 Herd": "arxiv.org/abs/2407.21783",
    r"\bBERT\b": "arxiv.org/abs/1810.04805",
    r"GPT-2\b": "language_models_are_unsupervised_multitask_learners.pdf",
    r"[Rr]oofline": "doi.org/10.1145/1498765.1498785",  # Williams et al., CACM
}


@pytest.mark.parametrize("page", site.load().pages(),
                         ids=lambda p: str(p.path.relative_to(ROOT)))
def test_every_named_paper_is_linked(page):
    missing = [pattern for pattern, link in PAPERS.items()
               if re.search(pattern, page.prose) and link not in page.text]
    assert not missing, (f"{page.path.relative_to(ROOT)} names papers without a link: "
                         f"{missing}")


def test_the_patterns_find_what_the_pages_write():
    def named(text):
        return [p for p in PAPERS if re.search(p, text)]

    assert named("Shazeer (2020, GLU") == [r"Shazeer\W{1,3}2020"]
    assert named("（Shazeer，2019）") == [r"Shazeer\W{1,3}2019"]
    assert named("Su 等人，2021") and named("Wang et al. (2019")
    assert not named("BERTScore") and not named("GPT-3")
