"""bench/profile_decode.py: where a decode step of the recommended recipe goes.

A measurement, not a test of speed: nothing here asserts a time. The quick run of
the real code path (the recipe's model, the profiler, the kernel alone, in its own
process per round) is tests/why_slow/test_benchmark.py's, which checks that every
operator lands in the right row, that only decode steps are counted, and that the
kernel alone reads exactly the recipe's matrices; here, the labels of the modules.
"""

from __future__ import annotations

import pytest

from bench import common, profile_decode, report


@pytest.fixture(scope="module")
def quick_model():
    return common.build_model(common.recipe_named(common.RECOMMENDED), quick=True)


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


def test_committed_results_profile_the_recommended_recipe():
    data = report.load()
    profile = data["profile"]
    assert profile["recipe"] == data["recommended"]
    assert profile["decode_steps"] == profile_decode.PROFILED_TOKENS - 1
    assert set(profile["group_sizes"]) == {str(g) for g in profile_decode.GROUP_SIZES}
