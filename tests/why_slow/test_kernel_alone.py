"""kernel_alone.py: the int4 kernel and bfloat16's matrix product timed alone (the
figures are the machine's: their form and the bytes behind them are tested)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.kernel_alone as snippet

    return snippet


def test_the_bytes_are_what_each_layer_stores(snippet):
    weights = snippet.linear.weight.numel()
    assert snippet.stored_bytes(snippet.linear) == 2 * weights
    assert snippet.stored_bytes(snippet.Int4Linear(snippet.linear)) == weights * 5 // 8


def test_it_times_both_layers(snippet):
    printed = run_script("snippets/why_slow/kernel_alone.py").splitlines()
    pattern = r" *(bfloat16|int4): ([\d.]+) ms, ([\d.]+) GB/s"
    found = [re.fullmatch(pattern, line) for line in printed]
    assert [m[1] for m in found] == ["bfloat16", "int4"]
    assert all(float(m[2]) > 0 for m in found)
