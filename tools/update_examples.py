"""Regenerate (or check) the outputs shown on the pages: `make update-examples`.

A page shows what a snippet section prints by including an output file:

    --8<-- "snippets/<chapter>/output/<snippet>/<section>.txt"       computed here
    --8<-- "snippets/<chapter>/output/<snippet>/<section>.real.txt"  recorded from the
                                                                     real model

Computed outputs come from running the snippet against the real-size configs and the
real tokenizer, with every model built on the meta device (see `meta_models`): real
shapes, module trees and parameter counts, no weights, no memory. Outputs that need the
real weights (generated text, predicted tokens) are `.real.txt` files: recorded from
the real model, never written here, and checked by the opt-in tier
(`pytest --real-model`).

    python -m tools.update_examples           # rewrite stale outputs
    python -m tools.update_examples --check   # exit 1 if any output is stale
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections import defaultdict
from pathlib import Path

from tools.paths import ROOT

OUTPUT_INCLUDE = re.compile(
    r'--8<--\s+"(?P<path>snippets/(?P<chapter>[\w/]+)/output/(?P<snippet>\w+)/'
    r'(?P<section>[-\w]+)(?P<real>\.real)?\.txt)"'
)


def shown_outputs(real: bool = False) -> dict[Path, set[str]]:
    """{snippet file: sections whose output a page shows}, computed or recorded ones."""
    from tools.docs_blocks import pages

    wanted: dict[Path, set[str]] = defaultdict(set)
    for page in pages():
        for match in OUTPUT_INCLUDE.finditer(page.read_text(encoding="utf-8")):
            if bool(match["real"]) == real:
                snippet = ROOT / "snippets" / match["chapter"] / f"{match['snippet']}.py"
                wanted[snippet].add(match["section"])
    return dict(wanted)


def output_file(snippet: Path, section: str, real: bool = False) -> Path:
    suffix = ".real.txt" if real else ".txt"
    return snippet.parent / "output" / snippet.stem / f"{section}{suffix}"


@contextlib.contextmanager
def meta_models():
    """Make `AutoModelForCausalLM.from_pretrained` build the model on the meta device.

    The model has the checkpoint's config, dtype and module tree, and runs forward
    passes with real shapes, but holds no weights.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    original = AutoModelForCausalLM.from_pretrained

    def on_meta(model_id, *args, **kwargs):
        config = AutoConfig.from_pretrained(model_id)
        dtype = kwargs.get("dtype", "auto")
        if dtype == "auto":
            dtype = config.dtype
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config, dtype=dtype)
        return model.eval()

    AutoModelForCausalLM.from_pretrained = on_meta
    try:
        yield
    finally:
        AutoModelForCausalLM.from_pretrained = original


def compute(snippet: Path, sections: set[str]) -> dict[str, str]:
    """Run `snippet` with meta-device models; return the wanted sections' output."""
    from tools.sections import run_sections

    with meta_models():
        printed = run_sections(snippet, until=sections)
    missing = sections - printed.keys()
    if missing:
        raise ValueError(f"{snippet.relative_to(ROOT)} has no section(s) {sorted(missing)}")
    return {section: printed[section] for section in sections}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale outputs")
    args = parser.parse_args(argv)

    from tools import hfcache

    hfcache.activate("realsize")
    if hfcache.real_tokenizer_dir() is None:
        print("The real Phi-3 tokenizer is missing (../shared/phi3-tokenizer or "
              "PHI3_TOKENIZER_DIR): outputs can't be computed.", file=sys.stderr)
        return 2
    stale = []
    for snippet, sections in sorted(shown_outputs().items()):
        for section, text in sorted(compute(snippet, sections).items()):
            target = output_file(snippet, section)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current == text:
                continue
            stale.append(target.relative_to(ROOT))
            if not args.check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "updated"
    for path in stale:
        print(f"{verb}: {path}")
    print(f"{len(stale)} output file(s) {verb}.")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
