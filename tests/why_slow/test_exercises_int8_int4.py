"""exercises_int8_int4.py: the bytes each layer stores per weight, and how far each
format moves a layer's outputs."""

from __future__ import annotations

import pytest

from tests.helpers import run_script


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/why_slow/exercises_int8_int4.py").splitlines()


def test_the_bytes_per_weight_follow_from_the_formats(printed):
    found = {line.split(":")[0].strip(): float(line.split(": ")[1].split()[0])
             for line in printed[:3]}
    assert found["bfloat16"] == 2
    assert found["int8"] == pytest.approx(1 + 2 / 3072, abs=5e-5)  # a bf16 scale a row
    assert found["int4"] == 0.625  # half a byte, a bf16 step and offset per 32


def test_int4_moves_the_outputs_further_than_int8(printed):
    errors = {line.split(":")[0]: float(line.split("by ")[1].split("%")[0]) / 100
              for line in printed[3:]}
    assert list(errors) == ["int8", "int4"]
    assert 0 < errors["int8"] < 0.01  # 255 levels per row
    assert 5 * errors["int8"] < errors["int4"] < 0.2  # 16 levels per group of 32
