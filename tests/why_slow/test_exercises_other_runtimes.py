"""exercises_other_runtimes.py: Q4_0-style bits at other block sizes, and the LM head
in Q4_0 and in Q6_K."""

from __future__ import annotations

import pytest

from tests.helpers import chapter_facts, run_script

FACTS = chapter_facts("why_slow")


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/why_slow/exercises_other_runtimes.py").splitlines()


def test_larger_blocks_approach_four_bits(printed):
    bits = [float(line.split(": ")[1].split()[0]) for line in printed[:4]]
    assert bits[0] == float(FACTS["q4_0_bits_per_weight"])
    assert bits == sorted(bits, reverse=True) and bits[-1] == 4.0625


def test_the_lm_head_formats_are_the_pages(printed):
    sizes = [float(line.split(": ")[1].split()[0]) for line in printed[4:]]
    from snippets.why_slow.exercises_other_runtimes import config

    weights = config.vocab_size * config.hidden_size
    q6_k_bits = float(FACTS["q6_k_bits_per_weight"])
    assert sizes == [round(weights * b / 8 / 1e6, 1) for b in (4.5, q6_k_bits)]
