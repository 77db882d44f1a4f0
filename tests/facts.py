"""Real-size Phi-3 models on the meta device, for the facts scripts and the tests.

Every chapter has `tests/<package>/facts.py` (or several `facts_*.py`): scripts, run
only by `make update-examples`, that compute

    FACTS: dict[str, str]      # what it is -> the number as written in prose
    NOT_FACTS: dict[str, str]  # a number that needs no check -> why (a year, ...)

from the configs, meta-device models and the snippets, formatted the way the prose
writes them ("3,821,079,552", "7.6"), into `tests/<package>/facts.json`.
"""

from __future__ import annotations

from functools import cache

from tools.paths import ROOT


def build_real_size_phi3(model_id: str = "microsoft/Phi-3-mini-4k-instruct"):
    """A new real-size model from the config in tests/data, on the meta device.

    For tests that change the model (e.g. quantize it); others share `real_size_phi3`.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    name = model_id.split("/")[-1].lower().replace("phi-3", "phi3")
    config = AutoConfig.from_pretrained(ROOT / "tests" / "data" / f"{name}.config.json")
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config, dtype=config.dtype)


@cache
def real_size_phi3(model_id: str = "microsoft/Phi-3-mini-4k-instruct"):
    """The real-size model on the meta device, built once and shared: don't modify."""
    return build_real_size_phi3(model_id)
