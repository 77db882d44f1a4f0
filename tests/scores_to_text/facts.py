"""Numbers the pages of docs/scores-to-text state.

The tiny model's sizes come from its config (the model built on the meta device), the
training figures from the log `make train-tiny` wrote next to the checkpoint, Phi-3-mini's
sizes from its real config.
"""

from __future__ import annotations

import inspect
import json
import re

import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import (
    CHECKPOINT,
    MEAN_OF,
    tiny_config,
    train,
)
from tests.facts import real_size_phi3
from tools import site
from tools.paths import ROOT

config = tiny_config()
with torch.device("meta"):
    tied = Phi3ForCausalLM(config)
    untied_config = tiny_config()
    untied_config.tie_word_embeddings = False
    untied = Phi3ForCausalLM(untied_config)
log = json.loads((ROOT / CHECKPOINT / "training-log.json").read_text())
losses = log["losses"]
window = inspect.signature(train).parameters["length"].default
phi3 = real_size_phi3().config
tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")


def parameters(model):
    return sum(p.numel() for p in model.parameters())


def exercise_temperature() -> str:
    """The temperature the first exercise of "From logits to probabilities" tries,
    read from its solution's code."""
    source = (ROOT / "snippets/scores_to_text/exercises_sampling.py").read_text()
    return re.search(r"temperature\(logits, ([\d.]+)\)", source)[1]



def demo_settings() -> dict[str, str]:
    """The filters the second exercise of "Play with the tiny model" sets, read from
    its solution's code."""
    source = (ROOT / "snippets/scores_to_text/exercises_live.py").read_text()
    found = re.search(r"TemperatureLogitsWarper\(([\d.]+)\), TopKLogitsWarper\((\d+)\),"
                      r"\s*TopPLogitsWarper\(([\d.]+)\), MinPLogitsWarper\(([\d.]+)\)",
                      source)
    return dict(zip(("demo temperature", "demo top k", "demo top p", "demo min p"),
                    found.groups()))


FACTS = {
    # the tiny model
    "vocabulary": str(config.vocab_size),
    "width": str(config.hidden_size),
    "tokens of the tokenizer": f"{len(tokenizer):,}",
    "tokens of the tokenizer (zh)": str(len(tokenizer)),
    "unused rows": str(config.vocab_size - len(tokenizer)),
    "token table": f"{config.vocab_size * config.hidden_size:,}",
    "parameters, tied": f"{parameters(tied):,}",
    "parameters, untied": f"{parameters(untied):,}",
    "checkpoint MB": f"{(ROOT / CHECKPOINT / 'model.safetensors').stat().st_size / 1e6:.1f}",
    # Phi-3-mini, for comparison
    "phi3 width": str(phi3.hidden_size),
    "phi3 layers": str(phi3.num_hidden_layers),
    "phi3 sliding window": str(phi3.sliding_window),
    "phi3 middle layer": str(phi3.num_hidden_layers // 2),
    # training, from the log of make train-tiny
    "corpus characters": f"{log['characters']:,}",
    "corpus characters (zh)": str(log["characters"]),
    "steps": str(log["steps"]),
    "seconds": f"{log['seconds']:.0f}",
    "cpu seconds": f"{log['cpu_seconds']:.0f}",
    "first loss": f"{losses[0]:.2f}",
    "final loss": f"{sum(losses[-MEAN_OF:]) / MEAN_OF:.2f}",
    "mean of": str(MEAN_OF),
    # one training window: its predictions and the position before the last
    "window": str(window),
    "predictions": str(window - 1),
    "before last": str(window - 2),
    # the exercises: the chapter's (the English pages; the others have the same)
    "exercises in the chapter": str(sum(
        len(page.study.exercises) for page in map(site.load().page, sorted(
            (ROOT / "docs" / "scores-to-text").glob("*.md")))
        if page.language == "en" and page.study is not None)),
    "exercise temperature": exercise_temperature(),
    "exercise new tokens": re.search(
        r"new_tokens = input_ids.shape\[1\], (\d+)",
        (ROOT / "snippets/scores_to_text/exercises_generation_loop.py").read_text())[1],
    # the live demo: the ONNX operator set of the export, the settings of an exercise
    "onnx opset": re.search(
        r"opset_version=(\d+)",
        (ROOT / "snippets/scores_to_text/live_export.py").read_text())[1],
    **demo_settings(),
}

NOT_FACTS = {
    "2019": "year of the nucleus sampling paper (Holtzman et al.) and of CTRL "
            "(Keskar et al.)",
    "2020": "year of the logit lens post (nostalgebraist)",
    "2024": "year of the min-p paper (Nguyen et al.)",
    "2023": "year of the tuned lens paper (Belrose et al.)",
    "2302": "the number of a transformers issue on GitHub (the repetition penalty)",
    "2303": "the number of the transformers pull request that answered it",
}
