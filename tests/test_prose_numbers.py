"""Every number a page states in prose is a computed fact, and says which.

A number in prose is followed by the name of the fact it states, in a comment that
renders as nothing: `Phi-3-mini has 32<!--decoder_layers--> layers`. The facts of a
chapter are computed by `make update-examples` into `tests/<package>/facts.json`
(see tools/update_examples.py); numbers that need no check (a year) are listed there
under `not_facts` with the reason. What counts as a number, and what is prose, is
`tools.site.Page.numbers`.
"""

from __future__ import annotations

import json

import pytest

from tools import site
from tools.paths import ROOT

SITE = site.load()


def facts_of(page: site.Page) -> dict:
    path = ROOT / "tests" / page.package / "facts.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {
        "facts": {}, "not_facts": {}}


def problems(page: site.Page, known: dict) -> list[str]:
    found = []
    for number, key in page.numbers():
        if key is None:
            if number not in known["not_facts"]:
                found.append(f"{number}: name its fact, e.g. {number}<!--fact_name-->")
        elif key not in known["facts"]:
            found.append(f"{number}<!--{key}-->: no fact {key!r}")
        elif known["facts"][key] != number:
            found.append(f"{number}<!--{key}-->: the fact is {known['facts'][key]}")
    return found


@pytest.mark.parametrize("page", SITE.pages(), ids=lambda p: str(p.path.relative_to(ROOT)))
def test_every_number_in_prose_is_the_fact_it_names(page):
    found = problems(page, facts_of(page))
    assert not found, (
        f"{page.path.relative_to(ROOT)}: " + "; ".join(found) + ". Facts are computed "
        f"by tests/{page.package}/facts*.py (`make update-examples`).")


def test_numbers_and_the_facts_they_name(tmp_path):
    page = tmp_path / "x.md"
    page.write_text(
        "Phi-3 has 32<!--layers--> layers of 3072<!-- hidden --> in bf16, 7.6 GB,\n"
        "since 2017, `9216` in code, 4k context, 40<!--heads--> heads.\n", encoding="utf-8")
    parsed = SITE.reading(tmp_path).page(page)
    assert parsed.numbers() == [("32", "layers"), ("3072", "hidden"), ("7.6", None),
                                ("2017", None), ("40", "heads")]
    known = {"facts": {"layers": "32", "hidden": "3072", "heads": "32"},
             "not_facts": {"2017": "a year"}}
    assert problems(parsed, known) == [
        "7.6: name its fact, e.g. 7.6<!--fact_name-->",
        "40<!--heads-->: the fact is 32"]
