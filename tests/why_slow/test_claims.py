"""Every comparison the pages of docs/why-slow state is the one the run computes.

The markers, `<!--claim name: verdict-->`, are explained in tests/why_slow/claims.py.
Each must name a comparison that exists and state its verdict for the committed run
(docs/why-slow/benchmark.json); every language states the same claims; a sentence
that compares with the words below carries a claim or a fact.
"""

from __future__ import annotations

import re

import pytest

from bench import report
from tests.why_slow import claims
from tools import site
from tools.paths import ROOT

CLAIM = re.compile(r"<!--\s*claim\s+(?P<name>[\w.]+)\s*:\s*(?P<verdict>[\w ]+?)\s*-->")
# Words that compare two measured figures: a sentence with one needs a marker.
COMPARING = re.compile(r"\b(faster|slower|changes little|as fast as|quicker)\b|"
                       r"更快|更慢|影响不大|一样快")
SITE = site.load()
PAGES = [page for page in SITE.pages() if page.package == "why_slow"]


def stated(page: site.Page) -> list[tuple[str, str]]:
    return [(m["name"], m["verdict"]) for m in CLAIM.finditer(page.text)]


def wrong(found: list[tuple[str, str]], computed: dict[str, str]) -> list[str]:
    problems = []
    for name, verdict in found:
        if name not in computed:
            problems.append(f"{name}: no such comparison in tests/why_slow/claims.py")
        elif computed[name] != verdict:
            problems.append(f"{name}: the page says {verdict!r}, the run "
                            f"{computed[name]!r}: rewrite the sentence")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.path.relative_to(ROOT)))
def test_every_stated_comparison_is_the_runs(page):
    problems = wrong(stated(page), claims.verdicts(report.load()))
    assert not problems, f"{page.path.relative_to(ROOT)}: " + "; ".join(problems)


def test_every_language_states_the_same_comparisons():
    for page in PAGES:
        if page.language != SITE.default:
            continue
        for language in SITE.codes:
            other = SITE.page(page.counterpart(language))
            assert sorted(stated(other)) == sorted(stated(page)), other.path


MARKED = re.compile(CLAIM.pattern + "|" + site.FACT.pattern
                    + r"|<!--\s*not from the run: [^>]+-->")
# What the run measures, as the prose names it.
MEASURED = re.compile(r"`(walkthrough|int4|int8|fp32|1-thread|eager-attention|"
                      r"no-kv-cache)`|ONNX Runtime|llama\.cpp|batch size|批大小|"
                      r"groups of|每组")


def unmarked_comparisons(prose: str) -> list[str]:
    """Sentences that compare a measured part with comparing words, and carry no
    claim, fact or "not from the run" marker."""
    prose = MARKED.sub("\x00", prose)  # a marked sentence keeps a trace of it
    prose = re.sub(r"<!--.*?-->", "", prose, flags=re.S)
    sentences = re.split(r"(?<=[.;:!?])\s+|(?<=[。；：！？])", prose)
    return [sentence.strip() for sentence in sentences
            if COMPARING.search(sentence) and MEASURED.search(sentence)
            and "\x00" not in sentence]


def test_a_sentence_that_compares_carries_its_claim():
    """Or a fact, or says where else its comparison comes from (by hand)."""
    problems = [f"{page.path.name}: {sentence[:120]}" for page in PAGES
                for sentence in unmarked_comparisons("\n".join(page.prose_lines()))]
    assert not problems, "name the claim or fact:\n" + "\n".join(problems)


def test_a_contradicting_sentence_is_caught():
    computed = {"eager_attention_vs_walkthrough_decode": "higher"}
    assert wrong([("eager_attention_vs_walkthrough_decode", "lower")], computed) == [
        "eager_attention_vs_walkthrough_decode: the page says 'lower', the run "
        "'higher': rewrite the sentence"]
    assert wrong([("nope", "lower")], computed)
    text = "It decodes faster<!--claim int4_vs_walkthrough_decode: one round-->."
    assert CLAIM.search(text).group("verdict") == "one round"
    assert unmarked_comparisons("`int4` decoded faster than `int8`. "
                                "Memory can be slower. `fp32` decoded "
                                "slower<!--claim fp32_vs_walkthrough_decode: lower-->."
                                ) == ["`int4` decoded faster than `int8`."]


def test_every_comparison_is_stated_somewhere():
    names = {name for page in PAGES for name, _ in stated(page)}
    computed = claims.verdicts(report.load())
    assert names <= set(computed)
    assert names, "the pages state no comparison at all"


def test_a_one_round_run_of_another_cpu_is_widened_by_its_own_disagreement():
    """Its batch size 1 stepped in 1.2 s where its baseline decoded in 0.8 s: its
    single figures count as 1.5 times either way, so only a larger difference
    between the machines gets a ranking."""
    run = {"rounds": 1, "baseline": "walkthrough", "recipes": [
        {"name": "walkthrough", "decode_s_per_token": 0.8}], "peers": [],
        "batching": {"batches": [{"s_per_step": 1.2}]}}
    assert claims.self_disagreement(run) == pytest.approx(1.5)
    low, high = claims.widened((2.0, 2.0, 2.0), run)[1:]
    assert (low, high) == (pytest.approx(2.0 / 1.5), pytest.approx(3.0))
    intel = claims.widened((2.0,) * 3, run)
    assert report.compare((3.1, 3.05, 3.2), intel, 5) == "higher"
    assert report.compare((2.9, 2.8, 3.2), intel, 5) == "overlap"
    several = {**run, "rounds": 5}
    assert claims.widened((2.0, 1.9, 2.1), several) == (2.0, 1.9, 2.1)
