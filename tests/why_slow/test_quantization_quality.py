"""quantization_quality.py: int8 and int4 against float32 on the tiny trained Phi-3.

Measured with torch 2.13.0 on the held-out tenth of the corpus: KL per token about
0.0002 (bfloat16), 0.0004 (int8), 0.011 (int4, groups of 32) and 0.014 (groups of
128); the top token agrees at about 98 %, 98 %, 91 % and 91 % of the positions. The
tests assert the order and the ranges that follow from how the formats are built,
not those values.
"""

from __future__ import annotations

import contextlib
import importlib
import io

import pytest
import torch

from snippets.scores_to_text.train_tiny import CHECKPOINT
from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from snippets.why_slow.int8_linear import quantize_linears
from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer  # the held-out split is in real token ids


@pytest.fixture(scope="module")
def rows():
    """The table the snippet prints as a script: {name: (KL, agreement, loss)}."""
    printed = run_script("snippets/why_slow/quantization_quality.py")
    found = {}
    lines = printed.splitlines()  # the held-out line first, if this run printed it
    header = next(i for i, line in enumerate(lines) if "KL per token" in line)
    for line in lines[header + 1:]:
        name, *cells = line.split()
        if name != "float32":
            if name == "int4":  # "int4 g32": the format and its group size
                name = f"{name} {cells.pop(0)}"
            kl, agrees, loss = cells
            found[name] = (float(kl), float(agrees.rstrip("%")) / 100, float(loss))
        else:
            found[name] = (None, None, float(cells[-1]))
    return found


@pytest.fixture(scope="module")
def snippet():
    """The snippet's module, for its variables and functions (its table unprinted)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return vars(importlib.import_module("snippets.why_slow.quantization_quality"))


INT4 = f"int4 g{GROUP_SIZE}"
LARGER = "int4 g128"


def test_kl_grows_and_agreement_falls_with_fewer_bits(rows):
    assert list(rows) == ["float32", "bfloat16", "int8", INT4, LARGER]
    kl = {name: rows[name][0] for name in ("bfloat16", "int8", INT4, LARGER)}
    agrees = {name: rows[name][1] for name in kl}
    assert 0 < kl["bfloat16"] <= kl["int8"] < kl[INT4]
    assert kl[INT4] > 5 * kl["int8"]  # 16 levels per group against 255 per row
    assert all(0 <= a <= 1 for a in agrees.values())
    assert agrees[INT4] < agrees["int8"]
    assert rows[INT4][2] > rows["float32"][2]  # held-out loss: int4 predicts worse
    # A step and an offset for 4 times as many weights: the weights move further.
    assert kl[LARGER] > kl[INT4]


def test_int4_groups_divide_every_layer_of_the_tiny_model():
    from transformers import Phi3ForCausalLM

    model = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.bfloat16)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert {m.in_features for m in linears} == {128, 256}  # hidden, intermediate
    assert all(m.in_features % GROUP_SIZE == 0 for m in linears)
    quantize_linears(model, Int4Linear)
    assert sum(isinstance(m, Int4Linear) for m in model.modules()) == len(linears)


def test_the_larger_groups_are_those_the_benchmark_times(snippet):
    from bench.profile_decode import GROUP_SIZES

    assert snippet["LARGER_GROUPS"] in GROUP_SIZES and GROUP_SIZE in GROUP_SIZES
