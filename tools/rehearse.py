"""`make rehearse-real`: run the real tier against a real-size Phi-3-mini with random weights.

The real tier (`make test-real`) needs Phi-3-mini's real weights, which most machines
that work on this project can't download. Everything but the *values* of the weights
can still be rehearsed:

1. Build, once, a Hugging Face cache in Hub layout (`tools.hfcache`'s) holding
   microsoft/Phi-3-mini-4k-instruct at its real size: the real `config.json` and
   generation config from `tests/data`, the real tokenizer (`../shared/phi3-tokenizer`)
   and seeded random bfloat16 weights (safetensors, 7.6 GB), plus
   microsoft/Phi-3-medium-4k-instruct's config. It lives outside the repository, in
   `~/.cache/inside-phi3/rehearsal/<fingerprint>/` (or `$INSIDE_PHI3_REHEARSAL_CACHE`),
   keyed by a fingerprint of what goes in.
2. Run the real tier against it offline (`HF_HUB_OFFLINE=1`), process by process as
   the real tier runs it: every snippet with a shown output in a process of its own
   (`python -m tools.sections`, as `tests/test_real_model.py` does), then the page
   blocks: `make test-real`'s own command line (`REAL_TIER`) on docs/, each page in a
   process of its own.

Every computed output (`.txt`) must match. Every recorded output (`.real.txt`) and
every test marked `real_model` needs the real weights' values: they are listed as
"not comparable: random weights", neither failed nor passed. Exit status 0 means the
real tier will only differ where the weights matter.

This module also holds the real tier's command line, `REAL_TIER`: `make test-real`
runs it (`python -m tools.rehearse --test-real`, pytest options after it), and so
does the rehearsal, on docs/. `python -m tools.rehearse --collect-only` collects what
the rehearsal runs, offline, without building the checkpoint; tests/test_commands.py
runs it and `make test-real` with `--collect-only`, as `make -n` prints them. And it
holds `OwnProcessBlock`, which `conftest.py` uses with `--real-model`: each page's
program runs in a process of its own, so one page's real-size model (7.6 GB in
bfloat16) is freed before the next page loads its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pytest_codeblocks.plugin import TestBlock

from tools.paths import ROOT, TEST_DATA

SEED = 0
# Change when the way the checkpoint is built changes: the fingerprint includes it.
RECIPE = "phi3-mini real size, torch.manual_seed(SEED), from_config bf16, safetensors"
# A page program's real-size Phi-3-mini in bfloat16: 7.6 GB of weights and its
# activations. The from-scratch capstone (run_from_scratch.py), measured on its own,
# peaked at 7.9 GB of resident memory (the memory-mapped checkpoint included).
NEEDED_MEMORY_GB = 9
MEMORY_MARK = "Not enough memory"
GB = 1000**3
# The real tier, `make test-real`: defined here only. Without pytest-xdist: each page's
# program runs in a process of its own already, and one real-size model at a time fits.
REAL_TIER = ("-m", "pytest", "--real-model", "-p", "no:xdist")


def real_tier(*args: str) -> list[str]:
    """`make test-real`'s command line, with `args` (pytest's) after it."""
    return [sys.executable, *REAL_TIER, *args]


# ---------------------------------------------------------------------------------
# Page programs in processes of their own (used by conftest.py with --real-model)

_RUN_PAGE = (
    "import sys\n"
    "code = sys.stdin.read()\n"
    # As pytest-codeblocks runs a block: compiled as a string, in a fresh namespace.
    "exec(compile(code, '<page>', 'exec'), {'__MODULE__': '__main__'})\n"
)


def run_page_program(code: str) -> subprocess.CompletedProcess:
    """Run a page's Python program in a new process with this environment."""
    return subprocess.run(
        [sys.executable, "-c", _RUN_PAGE], input=code, cwd=ROOT,
        env=os.environ.copy(), capture_output=True, text=True, timeout=3600,
    )


class OwnProcessBlock(TestBlock):
    """A page's Python program run in a new process, which frees its memory at exit.

    A page that fails in-process keeps its namespace alive in the traceback (and
    pytest keeps that), so its model stays in memory: the next page ran out of it.
    """

    def runtest(self):
        if self.obj.syntax != "python":
            return super().runtest()
        result = run_page_program(self.obj.code)
        reasons = [line for line in result.stderr.splitlines() if MEMORY_MARK in line]
        if result.returncode != 0 and reasons:
            pytest.skip(reasons[-1])  # the pre-flight check's message
        if result.returncode != 0:
            raise RuntimeError(
                f"{self.name}, line {self.obj.lineno}: the page's program failed "
                f"in its own process:\n{result.stderr[-4000:]}")
        return None


# ---------------------------------------------------------------------------------
# The checkpoint

def cache_root() -> Path:
    configured = os.environ.get("INSIDE_PHI3_REHEARSAL_CACHE")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "inside-phi3" / "rehearsal"


def fingerprint() -> str:
    from tools import hfcache

    tokenizer = hfcache.real_tokenizer_dir()
    if tokenizer is None:
        raise SystemExit(
            "The rehearsal needs the real Phi-3 tokenizer at ../shared/phi3-tokenizer "
            "(or PHI3_TOKENIZER_DIR): token ids are part of every output.")
    digest = hashlib.sha256(f"{RECIPE} seed={SEED}".encode())
    for source in [*sorted(TEST_DATA.glob("*.json")), *sorted(tokenizer.iterdir())]:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def hub_dir() -> Path:
    return cache_root() / fingerprint() / "hub"


def build(hub: Path) -> None:
    """Write the real-size checkpoint into `hub`, unless it is there already."""
    if hub.exists():
        return
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from tools import hfcache

    hub.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=hub.parent, prefix=".building-"))
    try:
        mini = hfcache._snapshot(scratch, hfcache.MINI_ID)
        medium = hfcache._snapshot(scratch, hfcache.MEDIUM_ID)
        shutil.copy(TEST_DATA / "phi3-medium-4k-instruct.config.json",
                    medium / "config.json")
        hfcache._save_tokenizer(mini)
        mini_config = TEST_DATA / "phi3-mini-4k-instruct.config.json"
        config = json.loads(mini_config.read_text(encoding="utf-8"))
        config.pop("auto_map")  # the model class is transformers' own
        torch.manual_seed(SEED)
        model = AutoModelForCausalLM.from_config(
            AutoConfig.for_model(**config), dtype=torch.bfloat16)
        model.save_pretrained(mini)
        del model
        # The Hub's own files, as a reader downloads them.
        shutil.copy(mini_config, mini / "config.json")
        shutil.copy(TEST_DATA / "phi3-mini-4k-instruct.generation_config.json",
                    mini / "generation_config.json")
        (scratch / "hub").rename(hub)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def offline_env(hub: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "INSIDE_PHI3"))}
    env.update({
        "HF_HUB_CACHE": str(hub),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "TOKENIZERS_PARALLELISM": "false",
    })
    return env


# ---------------------------------------------------------------------------------
# The rehearsal

def run_snippets(env: dict[str, str]) -> tuple[list[str], list[str], list[str], list[str]]:
    """Each snippet with a shown output, in its own process, as the real tier runs it."""
    from tools.update_examples import output_file, shown_outputs

    matched, failed, not_comparable, skipped = [], [], [], []
    computed, recorded = shown_outputs(), shown_outputs(real=True)
    for snippet in sorted(set(computed) | set(recorded)):
        name = str(snippet.relative_to(ROOT))
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "tools.sections", str(snippet)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600,
        )
        seconds = f"{time.monotonic() - started:.0f} s"
        if result.returncode != 0:
            reasons = [line for line in result.stderr.splitlines() if MEMORY_MARK in line]
            if reasons:
                skipped.append(f"{name}: {reasons[-1]}")
            else:
                failed.append(f"{name}: exit {result.returncode}\n"
                              + result.stderr[-3000:])
            print(f"  {name}: {seconds}, did not finish", flush=True)
            continue
        printed = json.loads(result.stdout.rsplit("\n", 1)[1])
        for section in sorted(computed.get(snippet, ())):
            expected = output_file(snippet, section).read_text(encoding="utf-8")
            where = f"{name}:{section} (.txt)"
            if printed.get(section) == expected:
                matched.append(where)
            else:
                failed.append(f"{where}: printed\n{printed.get(section)!r}\n"
                              f"expected\n{expected!r}")
        for section in sorted(recorded.get(snippet, ())):
            not_comparable.append(f"{name}:{section} (.real.txt)")
        wrong = sum(item.startswith(f"{name}:") for item in failed)
        shown = len(computed.get(snippet, ()))
        print(f"  {name}: {seconds}, {shown - wrong} of {shown} computed outputs match",
              flush=True)
    return matched, failed, not_comparable, skipped


def real_model_tests(env: dict[str, str]) -> tuple[list[str], str | None]:
    """Tests marked real_model: they check values only the real weights give. And
    why the real tier could not collect them (None: it could)."""
    result = subprocess.run(
        real_tier("--collect-only", "-q", "-m", "real_model", "tests/",
                  "-p", "no:cacheprovider"),
        cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=600,
    )
    problem = None
    if result.returncode != 0:
        problem = (f"collecting the real tier's tests (`{' '.join(result.args[1:])}`) "
                   f"exited with {result.returncode}:\n{result.stdout[-3000:]}"
                   f"{result.stderr[-1000:]}")
    return [line for line in result.stdout.splitlines()
            if "::" in line and "test_real_model.py" not in line], problem


def run_pages(env: dict[str, str], *args: str) -> int:
    """The real tier on docs/, its report shown as it goes; its exit status."""
    sys.stdout.flush()
    return subprocess.run(
        real_tier("docs/", "-p", "no:cacheprovider", *(args or ("-v", "-rfEs"))),
        cwd=ROOT, env=env, timeout=4 * 3600,
    ).returncode


def available_gb() -> float | None:
    from snippets.preflight import available_memory

    free = available_memory()
    return None if free is None else free / GB


def configs_only_env() -> dict[str, str]:
    """An offline cache with the real configs and tokenizer and no weights
    (tools.hfcache's "realsize" one, built if needed): enough to collect the tier."""
    from tools import hfcache

    hub = hfcache.cache_dir("realsize")
    if not hub.exists():
        hfcache._build("realsize", hub)
    return offline_env(hub)


def collect_only() -> int:
    """What the rehearsal runs, collected only: offline, no checkpoint built."""
    env = configs_only_env()
    from tools.update_examples import shown_outputs

    snippets = set(shown_outputs()) | set(shown_outputs(real=True))
    print(f"Snippets with a shown output, each in its own process: {len(snippets)}")
    listed, problem = real_model_tests(env)
    print(f"Tests marked real_model (not comparable: random weights): {len(listed)}")
    if problem:
        print(problem)
        return 1
    print("Page blocks:", flush=True)
    return run_pages(env, "--collect-only", "-q")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--test-real"]:  # `make test-real`: the real tier itself
        command = real_tier(*args[1:])
        sys.stdout.flush()
        os.execv(command[0], command)
    if args == ["--collect-only"]:
        return collect_only()
    if args:
        raise SystemExit("usage: python -m tools.rehearse [--collect-only]\n"
                         "       python -m tools.rehearse --test-real [pytest options]")
    started = time.monotonic()
    hub = hub_dir()
    if hub.exists():
        print(f"Checkpoint: {hub} (built before)")
    else:
        print(f"Building a real-size Phi-3-mini with random weights in {hub} ...",
              flush=True)
        build(hub)
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
    free = available_gb()
    if free is not None and free < NEEDED_MEMORY_GB:
        print(f"Warning: {free:.1f} GB of memory available, a page with the real-size "
              f"model needs about {NEEDED_MEMORY_GB} GB: those that can't load it will "
              "be skipped.")
    env = offline_env(hub)

    print("Snippets, each in its own process:", flush=True)
    matched, failed, not_comparable, skipped = run_snippets(env)
    listed, problem = real_model_tests(env)
    not_comparable += listed
    failed += [problem] if problem else []

    print(f"Page blocks ({' '.join(real_tier('docs/')[1:])}, each page in its own "
          "process):", flush=True)
    pages_started = time.monotonic()
    pages = run_pages(env)
    print(f"  page blocks: {time.monotonic() - pages_started:.0f} s")
    if pages != 0:
        failed.append(f"page blocks: the real tier on docs/ exited with {pages} "
                      "(its report is above)")

    print(f"\nComputed outputs that match: {len(matched)}")
    print(f"Not comparable: random weights ({len(not_comparable)}):")
    for item in not_comparable:
        print(f"  {item}")
    if skipped:
        print(f"Skipped, so not rehearsed ({len(skipped)}):")
        for item in skipped:
            print(f"  {item}")
    if failed:
        print(f"FAILED ({len(failed)}):")
        for item in failed:
            print(f"  {item}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / GB
    print(f"\nTime: {time.monotonic() - started:.0f} s; peak memory of one process: "
          f"{peak:.1f} GB")
    if failed or skipped:
        print("Rehearsal NOT passed: see above.")
        return 1
    print("Rehearsal passed: the real tier will only differ where the weights matter.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
