"""Numbers the pages may state in prose, each computed by code.

Every chapter has `tests/<chapter>/facts.py` (or several `facts_*.py`) with

    FACTS: dict[str, str]      # what it is -> the number as written in prose
    NOT_FACTS: dict[str, str]  # a number that needs no check -> why (a year, ...)

FACTS values are computed (from the configs, a meta-device model, the snippets),
formatted the way the prose writes them ("3,821,079,552", "7.6"). The test
`tests/test_prose_numbers.py` fails if a page states a number that is neither.
"""

from __future__ import annotations

import importlib
from functools import cache

from tools.paths import ROOT


@cache
def chapter_facts(chapter: str) -> tuple[dict[str, str], dict[str, str]]:
    """(FACTS, NOT_FACTS) of docs/<chapter> ('' for pages at the top of docs/)."""
    package = chapter.replace("-", "_") or "site_pages"
    facts: dict[str, str] = {}
    not_facts: dict[str, str] = {}
    for path in sorted((ROOT / "tests" / package).glob("facts*.py")):
        module = importlib.import_module(f"tests.{package}.{path.stem}")
        facts.update(module.FACTS)
        not_facts.update(getattr(module, "NOT_FACTS", {}))
    return facts, not_facts


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
