"""Numbers the home page and the glossary (docs/index*.md, docs/glossary*.md) state.

Computed from the real-size Phi-3 models built on the meta device, the configs in
tests/data, the stand-in's sizes and pyproject.toml.
"""

from __future__ import annotations

import json
import re

from tests.facts import real_size_phi3
from tests.model_example.facts import benchmark_facts, tokens_in_the_tokenizer
from tools.hfcache import STANDIN_SIZES
from tools.paths import ROOT, TEST_DATA

GB = 1000**3

model = real_size_phi3()
config = model.config
medium = json.loads((TEST_DATA / "phi3-medium-4k-instruct.config.json").read_text())
total = sum(p.numel() for p in model.parameters())
weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
python = re.search(r'requires-python = ">=([\d.]+)',
                   (ROOT / "pyproject.toml").read_text(encoding="utf-8")).group(1)

FACTS = {
    "parameters": f"{total:,}",
    "parameters in billions": f"{total / 1e9:.1f}",
    "parameters in 亿 (zh)": f"{total / 1e8:.0f}",
    "weights in GB (bf16), the free memory a reader needs": f"{weight_bytes / GB:.1f}",
    "decoder layers": str(config.num_hidden_layers),
    "hidden size": str(config.hidden_size),
    "vocabulary size": str(model.lm_head.out_features),
    "head_dim": str(config.hidden_size // config.num_attention_heads),
    "query heads": str(config.num_attention_heads),
    "medium query heads": str(medium["num_attention_heads"]),
    "medium key/value heads": str(medium["num_key_value_heads"]),
    "stand-in hidden size": str(STANDIN_SIZES["hidden_size"]),
    "Python version": python,
    "tokens in the tokenizer (len)": str(tokens_in_the_tokenizer()),
    **benchmark_facts(),
}
NOT_FACTS = {
    "2017": "the year 'Attention Is All You Need' was published",
}
