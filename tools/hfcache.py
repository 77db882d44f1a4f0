"""Offline Hugging Face caches that stand in for the Hub, so tests never touch the network.

The snippets load models exactly as a reader does, with
`AutoModelForCausalLM.from_pretrained("microsoft/Phi-3-mini-4k-instruct")`. In the tests
that call is answered from a local cache laid out like the Hub's (`HF_HUB_CACHE`) with
`HF_HUB_OFFLINE=1`. Two caches exist:

- ``standin``: Phi-3-mini's class and module names at tiny sizes with seeded random
  weights, plus the real tokenizer when `../shared/phi3-tokenizer` exists (a small
  locally trained fallback otherwise). Every code block and snippet runs against it.
- ``realsize``: the real configs and tokenizer but no weights; `tools.update_examples`
  builds models from them on the `meta` device to print real-size outputs.

`activate(mode)` must run before `huggingface_hub` is imported: it reads its
environment variables once, at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from tools.paths import CACHE, ROOT, TEST_DATA

MINI_ID = "microsoft/Phi-3-mini-4k-instruct"
MEDIUM_ID = "microsoft/Phi-3-medium-4k-instruct"
MODES = ("standin", "realsize")

# Tiny but faithful: same class, module names, vocabulary, special ids and rope
# settings as Phi-3-mini; only the widths and depth shrink. head_dim = 64 / 4 = 16.
STANDIN_SIZES = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
}
STANDIN_SEED = 0


def real_tokenizer_dir() -> Path | None:
    """The real Phi-3 tokenizer files, if this checkout has them beside it."""
    configured = os.environ.get("PHI3_TOKENIZER_DIR")
    folder = Path(configured) if configured else ROOT.parent / "shared" / "phi3-tokenizer"
    return folder if (folder / "tokenizer.model").is_file() else None


def _fingerprint() -> str:
    """Changes whenever anything that goes into a cache changes."""
    digest = hashlib.sha256()
    sources = [Path(__file__), *sorted(TEST_DATA.glob("*.json"))]
    tokenizer = real_tokenizer_dir()
    if tokenizer:
        sources += sorted(tokenizer.iterdir())
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir(mode: str) -> Path:
    return CACHE / "hf" / f"{mode}-{_fingerprint()}" / "hub"


def activate(mode: str) -> dict[str, str]:
    """Point Hugging Face at the offline cache for `mode`, building it if needed."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    hub = cache_dir(mode)
    settings = {
        "HF_HUB_CACHE": str(hub),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    if mode == "realsize":
        # The models are built on the meta device: they take no memory.
        settings["INSIDE_PHI3_SKIP_MEMORY_CHECK"] = "1"
    os.environ.update(settings)
    if not hub.exists():
        _build(mode, hub)
    return settings


def describe(mode: str) -> str:
    tokenizer = real_tokenizer_dir()
    source = (
        f"real Phi-3 tokenizer from {tokenizer}"
        if tokenizer
        else "fallback tokenizer (../shared/phi3-tokenizer not found: "
        "checks of real token ids skip)"
    )
    if mode == "standin":
        sizes = ", ".join(f"{k}={v}" for k, v in STANDIN_SIZES.items())
        return f"offline stand-in Phi3ForCausalLM ({sizes}, seeded random weights); {source}"
    return f"real-size configs on the meta device (no weights); {source}"


def _build(mode: str, hub: Path) -> None:
    """Build into a temporary folder, then move it in place (safe if two runs race)."""
    hub.parent.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=hub.parent.parent, prefix=".building-"))
    try:
        mini = _snapshot(scratch, MINI_ID)
        medium = _snapshot(scratch, MEDIUM_ID)
        shutil.copy(TEST_DATA / "phi3-medium-4k-instruct.config.json", medium / "config.json")
        _save_tokenizer(mini)
        if mode == "standin":
            _save_standin_model(mini)
        else:
            shutil.copy(TEST_DATA / "phi3-mini-4k-instruct.config.json", mini / "config.json")
        shutil.copy(
            TEST_DATA / "phi3-mini-4k-instruct.generation_config.json",
            mini / "generation_config.json",
        )
        hub.parent.mkdir(parents=True, exist_ok=True)
        try:
            (scratch / "hub").rename(hub)
        except OSError:
            if not hub.exists():  # lost a race only if the other run finished
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _snapshot(scratch: Path, repo_id: str) -> Path:
    """An empty snapshot folder in the Hub cache layout, with `refs/main` pointing at it."""
    revision = hashlib.sha1(repo_id.encode()).hexdigest()
    repo = scratch / "hub" / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision)
    snapshot = repo / "snapshots" / revision
    snapshot.mkdir(parents=True)
    return snapshot


def _save_tokenizer(snapshot: Path) -> None:
    source = real_tokenizer_dir()
    if source is None:
        _fallback_tokenizer().save_pretrained(snapshot)
        return
    from transformers import AutoTokenizer

    # The Hub repo ships tokenizer.json next to tokenizer.model; saving the
    # converted tokenizer gives the same and spares a slow conversion per load.
    AutoTokenizer.from_pretrained(source).save_pretrained(snapshot)
    for name in ("tokenizer.model", "tokenizer_config.json"):  # the Hub's own files
        shutil.copy(source / name, snapshot / name)


def _fallback_tokenizer():
    """A small BPE tokenizer with Phi-3's special tokens, for checkouts without the real one."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    text = [page.read_text(encoding="utf-8") for page in sorted(ROOT.glob("docs/**/*.md"))]
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    specials = ["<unk>", "<s>", "</s>"]
    trainer = trainers.BpeTrainer(vocab_size=2000, special_tokens=specials)
    tokenizer.train_from_iterator(text or ["The capital of France is Paris."], trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
    )
    wrapped.add_special_tokens(
        {"additional_special_tokens": ["<|assistant|>", "<|system|>", "<|end|>", "<|user|>"]}
    )
    return wrapped


def _save_standin_model(snapshot: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
    config.update(STANDIN_SIZES)
    config.pop("auto_map")  # no remote code in the stand-in either
    config = AutoConfig.for_model(**config)
    torch.manual_seed(STANDIN_SEED)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(snapshot)
