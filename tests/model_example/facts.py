"""Numbers the pages of docs/model-example state in prose, each computed.

Sizes come from the real-size Phi-3 models built on the meta device from the configs in
tests/data, settings from the snippets themselves, and the predicted token from the
output recorded from the real model.
"""

from __future__ import annotations

import ast
import json
import re

from tests.facts import real_size_phi3
from tools.paths import SNIPPETS, TEST_DATA

GB = 1000**3
CHAPTER = SNIPPETS / "model_example"


def count(module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def weight_bytes(module) -> int:
    return sum(p.numel() * p.element_size() for p in module.parameters())


def pipeline_setting(name: str):
    """A keyword argument of the `pipeline(...)` call in generate_email.py."""
    tree = ast.parse((CHAPTER / "generate_email.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "pipeline":
            for keyword in node.keywords:
                if keyword.arg == name:
                    return ast.literal_eval(keyword.value)
    raise LookupError(name)


def recorded_token_id() -> int:
    recorded = (CHAPTER / "output" / "next_token" / "next-token.real.txt").read_text()
    return int(re.search(r"tensor\((\d+)\)", recorded).group(1))


def benchmark_facts() -> dict[str, str]:
    """The walkthrough's time and the measured bandwidth (docs/why-slow/benchmark.json)."""
    from snippets.why_slow.plot_benchmark import DEFAULT_JSON, load

    data = load(DEFAULT_JSON)
    walkthrough = next(r for r in data["recipes"] if r["name"] == data["baseline"])
    threads = str(data["machine"]["torch_threads"])
    bandwidth = data["bandwidth_bytes_per_s"][threads]
    return {
        "walkthrough: seconds for the e-mail (measured)": f"{walkthrough['total_s']:.1f}",
        "bandwidth the benchmark measured, GB/s": f"{bandwidth / GB:.1f}",
        "seconds per token at the measured bandwidth": (
            f"{bytes_read_per_token / bandwidth:.2f}"),
    }


def dual_channel_peak(megatransfers: int) -> float:
    """GB/s of two 64-bit memory channels: 2 x 8 bytes x transfers per second."""
    return 2 * 8 * megatransfers * 1e6 / GB


def tokens_in_the_tokenizer() -> int:
    """len(tokenizer) as the page prints it (the real tokenizer, make update-examples)."""
    printed = (CHAPTER / "output" / "model_tree" / "embeddings.txt").read_text()
    return int(re.search(r"tokens the tokenizer knows: (\d+)", printed).group(1))


def recorded_email_tokens() -> int:
    """How many tokens the recorded e-mail's text re-tokenizes to (the real tokenizer)."""
    from transformers import AutoTokenizer

    from tools.hfcache import real_tokenizer_dir

    tokenizer = AutoTokenizer.from_pretrained(
        real_tokenizer_dir() or "microsoft/Phi-3-mini-4k-instruct")
    text = (CHAPTER / "output" / "generate_email" / "generate.real.txt").read_text()
    return len(tokenizer(text.rstrip(), add_special_tokens=False).input_ids)


model = real_size_phi3()
config = model.config
medium = json.loads((TEST_DATA / "phi3-medium-4k-instruct.config.json").read_text())
medium_head_dim = medium["hidden_size"] // medium["num_attention_heads"]

total = count(model)
embedding = count(model.model.embed_tokens)
layers = count(model.model.layers)
head_dim = config.hidden_size // config.num_attention_heads
new_tokens = pipeline_setting("max_new_tokens")
# Per generated token every weight matrix is read except the embedding table (one row).
bytes_read_per_token = weight_bytes(model) - weight_bytes(model.model.embed_tokens)

FACTS = {
    "parameters": f"{total:,}",
    "parameters in billions": f"{total / 1e9:.1f}",
    "parameters in 亿 (zh)": f"{total / 1e8:.0f}",
    "weights in GB (bf16)": f"{weight_bytes(model) / GB:.1f}",
    "weights in GB (float32)": f"{total * 4 / GB:.1f}",
    "weights read per new token, GB": f"{bytes_read_per_token / GB:.1f}",
    "weights read for the e-mail, GB": f"{bytes_read_per_token * new_tokens / GB:.0f}",
    "max_new_tokens": str(new_tokens),
    "decoder layers": str(config.num_hidden_layers),
    "hidden size": str(config.hidden_size),
    "vocabulary size": str(model.lm_head.out_features),
    "padding_idx": str(model.model.embed_tokens.padding_idx),
    "qkv_proj out": str(model.model.layers[0].self_attn.qkv_proj.out_features),
    "query heads": str(config.num_attention_heads),
    "key/value heads": str(config.num_key_value_heads),
    "head_dim": str(head_dim),
    "gate_up_proj out": str(model.model.layers[0].mlp.gate_up_proj.out_features),
    "intermediate size": str(model.model.layers[0].mlp.down_proj.in_features),
    "embedding dropout": str(config.embd_pdrop),
    "decoder layers, % of parameters": f"{100 * layers / total:.1f}",
    "medium query heads": str(medium["num_attention_heads"]),
    "medium key/value heads": str(medium["num_key_value_heads"]),
    "medium head_dim": str(medium_head_dim),
    "medium hidden size": str(medium["hidden_size"]),
    "medium qkv_proj out": str(
        (medium["num_attention_heads"] + 2 * medium["num_key_value_heads"])
        * medium_head_dim),
    "medium qkv_proj out with MHA": str(3 * medium["hidden_size"]),
    "next token id (recorded)": str(recorded_token_id()),
    "tokens in the tokenizer (len)": str(tokens_in_the_tokenizer()),
    "tokens the recorded e-mail re-tokenizes to": str(recorded_email_tokens()),
    "last id the tokenizer knows": str(tokens_in_the_tokenizer() - 1),
    "last row of the embedding table": str(model.model.embed_tokens.num_embeddings - 1),
    "DDR4-3200, two channels, GB/s": f"{dual_channel_peak(3200):.1f}",
    "DDR5-5600, two channels, GB/s": f"{dual_channel_peak(5600):.1f}",
    "seconds per token at the DDR4-3200 peak": (
        f"{bytes_read_per_token / (dual_channel_peak(3200) * GB):.2f}"),
    "seconds per token at the DDR5-5600 peak": (
        f"{bytes_read_per_token / (dual_channel_peak(5600) * GB):.2f}"),
    **benchmark_facts(),
}
NOT_FACTS: dict[str, str] = {}

