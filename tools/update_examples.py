"""Regenerate (or check) the outputs shown on the pages: `make update-examples`.

1. Outputs. A page shows what a snippet section prints by including an output file:

    --8<-- "snippets/<chapter>/output/<snippet>/<section>.txt"       computed here
    --8<-- "snippets/<chapter>/output/<snippet>/<section>.real.txt"  recorded from the
                                                                     real model

Computed outputs come from running the snippet against the real-size configs and the
real tokenizer, with every model built on the meta device (see `meta_models`): real
shapes, module trees and parameter counts, no weights, no memory. Outputs that need the
real weights (generated text, predicted tokens) are `.real.txt` files: recorded from
the real model, never written here, and checked by the opt-in tier
(`pytest --real-model`).

2. Facts. Every number a page states in prose names a computed fact
(`3072<!--hidden_size-->`). The facts of the pages of docs/<chapter> are computed by
the scripts `tests/<package>/facts*.py` (their `FACTS`, and `NOT_FACTS`: numbers that
need no check, with the reason) and written to `tests/<package>/facts.json`, which
tests/test_prose_numbers.py reads. Only this command runs the scripts. It then sets
every such number in the pages to its fact's value (a new `make bench` moves the
measured ones): read the sentences around them again. The pages' text changing, the
outputs that count it (the tokens chapter) are computed once more.

3. Figures. The figures (`tools.figures`) are drawn in the same run: the experiments
they plot run once for facts and figures alike.

    python -m tools.update_examples           # rewrite stale outputs, facts, figures
    python -m tools.update_examples --check   # exit 1 if any of them is stale
    python -m tools.update_examples snippets/x/y.py   # only this snippet's outputs
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import runpy
import sys
from collections import defaultdict
from pathlib import Path

from tools import site
from tools.paths import ROOT

OUTPUT = re.compile(r"(?P<snippet>snippets/.+)/output/(?P<stem>\w+)/"
                    r"(?P<section>[-\w]+)(?P<real>\.real)?\.txt$")


def included_outputs() -> set[Path]:
    """Every output file a page includes."""
    return {ROOT / path for page in site.load().pages()
            for path, _ in page.includes if OUTPUT.match(path)}


def shown_outputs(real: bool = False) -> dict[Path, set[str]]:
    """{snippet file: sections whose output a page shows}, computed or recorded ones."""
    wanted: dict[Path, set[str]] = defaultdict(set)
    for path in included_outputs():
        match = OUTPUT.match(path.relative_to(ROOT).as_posix())
        if bool(match["real"]) == real:
            wanted[ROOT / match["snippet"] / f"{match['stem']}.py"].add(match["section"])
    return dict(wanted)


def fact_key(name: str) -> str:
    """The name a page uses for a fact: 'weights in GB (bf16)' -> 'weights_in_gb_bf16'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def compute_facts() -> dict[Path, str]:
    """{tests/<package>/facts.json: its text} from the facts scripts beside it."""
    found = {}
    scripts = (ROOT / "tests").glob("*/facts*.py")
    for folder in sorted({p.parent for p in scripts}):
        facts: dict[str, str] = {}
        not_facts: dict[str, str] = {}
        for script in sorted(folder.glob("facts*.py")):
            namespace = runpy.run_path(str(script), run_name=script.stem)
            for name, value in namespace["FACTS"].items():
                key = fact_key(name)
                if key in facts:
                    raise ValueError(f"{script}: two facts are called {key!r}")
                facts[key] = value
            not_facts.update(namespace.get("NOT_FACTS", {}))
        found[folder / "facts.json"] = json.dumps(
            {"facts": dict(sorted(facts.items())), "not_facts": not_facts},
            ensure_ascii=False, indent=1) + "\n"
    return found


def restated_pages(facts_files: dict[Path, str]) -> dict[Path, str]:
    """{page: its Markdown} with every number in prose set to the fact it names."""
    from tools import site

    found = {}
    for page in site.load().pages():
        facts = facts_files.get(ROOT / "tests" / page.package / "facts.json")
        restated = page.restated(json.loads(facts)["facts"]) if facts else page.text
        if restated != page.text:
            found[page.path] = restated
    return found


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


def draw_figures() -> dict[Path, bytes]:
    """{docs/<chapter>/figures/<name>.svg: its bytes}, every language, drawn now."""
    import tempfile

    from tools.figures import render
    from tools.paths import DOCS

    with tempfile.TemporaryDirectory() as folder:
        return {DOCS / path.parent.name / "figures" / path.name: path.read_bytes()
                for path in render(Path(folder))}


def main(argv: list[str] | None = None, rounds: int = 3) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale outputs")
    parser.add_argument("snippets", nargs="*", type=Path,
                        help="only these snippets' outputs (default: every output "
                             "and fact)")
    args = parser.parse_args(argv)
    only = {path.resolve() for path in args.snippets}

    from tools import hfcache

    hfcache.activate("realsize")
    if hfcache.real_tokenizer_dir() is None:
        print("The real Phi-3 tokenizer is missing (../shared/phi3-tokenizer or "
              "PHI3_TOKENIZER_DIR): outputs can't be computed.", file=sys.stderr)
        return 2
    wanted: dict[Path, str] = {}
    for snippet, sections in sorted(shown_outputs().items()):
        if only and snippet not in only:
            continue
        for section, text in sorted(compute(snippet, sections).items()):
            wanted[output_file(snippet, section)] = text
    if not only:
        with meta_models():
            facts = compute_facts()
        wanted.update(facts)
        wanted.update(restated_pages(facts))
        wanted.update(draw_figures())
    stale = []
    for target, content in wanted.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        if target.exists() and target.read_bytes() == data:
            continue
        stale.append(target.relative_to(ROOT))
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    verb = "stale" if args.check else "updated"
    for path in stale:
        print(f"{verb}: {path}")
    print(f"{len(stale)} output file(s) {verb}.")
    if not args.check and any(path.suffix == ".md" for path in stale) and rounds > 1:
        # the pages' text changed, and the tokens chapter counts it: once more
        return main(argv, rounds - 1)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
