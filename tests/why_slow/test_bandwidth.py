"""bandwidth.py: the machine's bandwidth measured as the benchmark measures it, and the
walkthrough's floor from it (the figures are the machine's: their form is tested)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.bandwidth as snippet

    return snippet


def test_the_bytes_read_are_the_walkthroughs(snippet):
    from snippets.why_slow.int8_linear import bytes_per_token

    buffers = sum(b.nbytes for b in snippet.phi3.buffers())  # rotary frequencies
    assert snippet.read == bytes_per_token(snippet.phi3) - buffers


def test_it_prints_the_speed_and_the_floor(snippet):
    printed = run_script("snippets/why_slow/bandwidth.py").splitlines()
    speed = re.fullmatch(r"memory bandwidth: ([\d.]+) GB/s with \d+ threads", printed[0])
    floor = re.fullmatch(r"walkthrough floor: ([\d.]+) s per token", printed[1])
    assert speed and floor and float(speed[1]) > 0
    expected = snippet.read / float(speed[1]) / 1e9  # from the printed speed
    assert float(floor[1]) == pytest.approx(expected, rel=0.1, abs=6e-4)
