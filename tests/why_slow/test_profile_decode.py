"""bench/profile_decode.py: where a decode step of the recommended recipe goes.

A measurement, not a test of speed: nothing here asserts a time. The quick mode runs
the real code path (the recipe's model, the profiler, the kernel alone) on the tiny
model; what is checked is that every operator lands in the right row, that only
decode steps are counted, and that the kernel alone reads exactly the recipe's
matrices.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest
import torch

from bench import phi3_cpu, profile_decode, report
from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from tools.paths import ROOT


@pytest.fixture(scope="module")
def quick_profile(tmp_path_factory):
    out = tmp_path_factory.mktemp("profile") / "profile.json"
    subprocess.run([sys.executable, "-m", "bench.profile_decode", "--quick", "--out",
                    str(out)], cwd=ROOT, check=True, capture_output=True, text=True,
                   timeout=900)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def quick_model():
    from tools import hfcache

    # the real-size configs for this model; the stand-in's settings again afterwards,
    # for the processes that the next tests of this worker start
    before = dict(os.environ)
    hfcache.activate("realsize")
    try:
        recipe = next(r for r in phi3_cpu.RECIPES if r.name == phi3_cpu.RECOMMENDED)
        yield phi3_cpu.build_model(recipe, quick=True)
    finally:
        os.environ.clear()
        os.environ.update(before)


def test_every_module_that_matters_is_labelled(quick_model):
    labels = {name: profile_decode.module_label(name)
              for name, _ in quick_model.named_modules()}
    layers = quick_model.config.num_hidden_layers
    for projection in profile_decode.PROJECTIONS:
        found = [name for name, label in labels.items() if label == projection]
        assert len(found) == (1 if projection == "lm_head" else layers), projection
    assert sum(label == "norm" for label in labels.values()) == 2 * layers + 1
    assert sum(label == "self_attn" for label in labels.values()) == layers + 1  # rotary
    assert labels["model.layers.0"] == labels["model"] == "model"
    assert labels[""] is None  # the causal LM itself: generate()'s own row


def test_operators_land_in_their_rows(quick_profile):
    rows = {r["row"]: r["s"] for r in quick_profile["rows"]}
    assert list(rows) == [key for key, _ in profile_decode.ROWS]
    for projection in profile_decode.PROJECTIONS:
        assert rows[f"matmul {projection}"] > 0, projection
    assert rows["attention"] > 0 and rows["RMSNorm"] > 0 and rows["SiLU and gate"] > 0


def test_only_decode_steps_are_counted(quick_profile):
    assert quick_profile["decode_steps"] == profile_decode.PROFILED_TOKENS - 1
    operators = sum(r["s"] for r in quick_profile["rows"][:-1])
    # Operators of the prefill or after the last token would overflow the steps.
    assert 0 < operators <= quick_profile["profiled_step_s"]
    assert quick_profile["rows"][-1]["s"] >= 0


def test_the_kernel_alone_reads_exactly_the_recipes_matrices(quick_profile, quick_model):
    kernel = quick_profile["kernel"]
    layers = quick_model.config.num_hidden_layers
    assert {k: v["matrices"] for k, v in kernel.items()} == {
        p: 1 if p == "lm_head" else layers for p in profile_decode.PROJECTIONS}
    int4_bytes = sum(t.nbytes for m in quick_model.modules() if isinstance(m, Int4Linear)
                     for t in m.buffers())
    assert report.kernel_total(quick_profile)["bytes"] == int4_bytes


def test_group_sweep_costs_what_the_pages_layer_costs(quick_profile):
    sweep = quick_profile["group_sizes"]
    assert str(GROUP_SIZE) in sweep
    layer = Int4Linear(torch.nn.Linear(256, 64, bias=False, dtype=torch.bfloat16))
    per_weight = sum(t.nbytes for t in layer.buffers()) / (256 * 64)
    ours = sweep[str(GROUP_SIZE)]
    assert ours["bytes"] / ours["weights"] == per_weight
    sizes = sorted(sweep, key=int)
    per_weight = [sweep[g]["bytes"] / sweep[g]["weights"] for g in sizes]
    assert per_weight == sorted(per_weight, reverse=True)  # larger groups, fewer bytes


def test_the_report_has_a_row_per_row_and_validates(quick_profile):
    data = copy.deepcopy(report.load())
    data["profile"] = quick_profile
    report.validate(data)
    table = report.profile_markdown(data).splitlines()
    assert len(table) == 2 + len(profile_decode.ROWS) + 2  # header, rows, the steps
    assert len(report.kernel_markdown(data).splitlines()) == 2 + len(
        profile_decode.PROJECTIONS) + 1
    del data["profile"]["kernel"]
    with pytest.raises(ValueError, match=r"profile\.kernel"):
        report.validate(data)


def test_committed_results_profile_the_recommended_recipe():
    data = report.load()
    profile = data["profile"]
    assert profile["recipe"] == data["recommended"]
    assert profile["decode_steps"] == profile_decode.PROFILED_TOKENS - 1
    assert set(profile["group_sizes"]) == {str(g) for g in profile_decode.GROUP_SIZES}
