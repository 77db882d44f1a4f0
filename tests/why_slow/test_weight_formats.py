"""weight_formats.py: bits per weight of the three 4-bit formats, as the page states
them (tests/why_slow/facts.py reads llama.cpp's from its own converted file)."""

from __future__ import annotations

from tests.helpers import chapter_facts, run_script

FACTS = chapter_facts("why_slow")


def test_the_bytes_per_weight_are_the_pages():
    printed = run_script("snippets/why_slow/weight_formats.py").splitlines()
    found = [line.split(", ")[1].split()[0] for line in printed]
    assert found == [f"{float(FACTS[name]):.4f}" for name in (
        "int4_bytes_per_weight", "ort_bytes_per_int4_weight", "q4_0_bytes_per_weight")]
    bits = [float(line.split(" bits")[0].split()[-1]) for line in printed]
    assert bits[2] == float(FACTS["q4_0_bits_per_weight"])
    assert [b / 8 for b in bits] == [float(f) for f in found]  # exact in binary
