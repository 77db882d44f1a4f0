"""exercises_int4_time.py: groups of 32 and 128 timed alone, and the kernel at one
thread and at all (the times are the machine's: their form and the bytes are tested)."""

from __future__ import annotations

import re

import pytest
import torch

from tests.helpers import run_script


@pytest.fixture(scope="module")
def printed():
    threads = torch.get_num_threads()
    lines = run_script("snippets/why_slow/exercises_int4_time.py").splitlines()
    assert torch.get_num_threads() == threads  # the reader's setting, given back
    return lines


def test_larger_groups_store_fewer_bytes(printed):
    pattern = r"groups of +(\d+): ([\d,]+) bytes, [\d.]+ ms"
    found = {int(m[1]): int(m[2].replace(",", ""))
             for m in (re.fullmatch(pattern, line) for line in printed[:2])}
    weights = 8192 * 3072
    assert found == {32: weights * 5 // 8, 128: weights * 17 // 32}  # 0.625, 0.53125


def test_one_thread_and_all_are_timed(printed):
    lines = printed[2:]
    assert all(re.fullmatch(r"\d+ thread\(s\): [\d.]+ ms", line) for line in lines)
    counts = [int(line.split()[0]) for line in lines]
    assert counts == sorted({1, torch.get_num_threads()})
