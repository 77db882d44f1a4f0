"""How fast does Phi-3-mini generate on this CPU? `make bench` (python -m bench.phi3_cpu).

Speed does not depend on the values of the weights, so the benchmark needs no
download: each recipe builds a Phi-3-mini of the real size (tests/data config) with
cheap random weights, then generates 50 greedy tokens exactly like the first
chapter's pipeline (snippets/model_example/generate_email.py) with one thing
changed. Every recipe runs in its own process, so its peak memory (maxrss) is its
own. The parent also measures the memory bandwidth, from which the floor per token
follows: bytes read per token / bandwidth.

Results go to docs/why-slow/benchmark.json with the machine, versions, date and load
average; bench/report.py turns them into the tables included by the page, and
`python -m tools.figures` draws the plot.

    python -m bench.phi3_cpu                 # real size, several minutes
    python -m bench.phi3_cpu --quick --out /tmp/b.json   # tiny model, seconds

This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.paths import ROOT, TEST_DATA

DEFAULT_JSON = ROOT / "docs" / "why-slow" / "benchmark.json"
PROMPT = (  # the first chapter's prompt
    "Write an email apologizing to Sarah for the tragic gardening mishap. "
    "Explain how it happened."
)
NEW_TOKENS = 50
QUICK_NEW_TOKENS = 5
# The first chapter's pipeline settings (snippets/model_example/generate_email.py).
PIPELINE_SETTINGS = {"return_full_text": False, "max_new_tokens": NEW_TOKENS,
                     "do_sample": False}
SCHEMA = 1


@dataclass(frozen=True)
class Recipe:
    name: str
    change: str  # what differs from the walkthrough, in a few words
    dtype: str = "bfloat16"
    threads: int | None = None  # None: torch's default, one per core
    attention: str = "sdpa"
    kv_cache: bool = True
    int8: bool = False
    int4: bool = False


RECIPES = [  # the baseline and the recommended recipe first, measured back to back
    Recipe("walkthrough", "the first chapter's pipeline: bf16, sdpa, KV cache"),
    Recipe("int4", "int4 matrices (Int4Linear)", int4=True),
    Recipe("int8", "int8 matrices (Int8Linear)", int8=True),
    Recipe("fp32", "float32 weights", dtype="float32"),
    Recipe("1-thread", "torch.set_num_threads(1)", threads=1),
    Recipe("eager-attention", 'attn_implementation="eager"', attention="eager"),
    Recipe("no-kv-cache", "use_cache=False", kv_cache=False),
]
BASELINE = "walkthrough"
RECOMMENDED = "int4"
CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8")
MATMUL_OPS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::_weight_int8pack_mm",
              "aten::_weight_int4pack_mm_for_cpu")


# ---------------------------------------------------------------- the machine


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    fields = dict(
        line.split(":", 1) for line in cpuinfo.splitlines() if ":" in line
    )
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    flags = set(fields.get("flags", "").split())
    meminfo = Path("/proc/meminfo")
    ram = 0
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    import torch

    return {
        "cpu": fields.get("model name", platform.processor() or platform.machine()),
        "cores": len(os.sched_getaffinity(0)),
        "ram_bytes": ram,
        "flags": {flag: flag in flags for flag in CPU_FLAGS},
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
    }


def versions() -> dict:
    import torch
    import transformers

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
    }


def loadavg() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def measure_bandwidth(threads: int, nbytes: int, repeats: int) -> float:
    """Bytes per second that summing a large float32 tensor reads (best of `repeats`)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        data = torch.ones(nbytes // 4, dtype=torch.float32)
        data.sum()  # first touch and warm-up
        best = min(_seconds(data.sum) for _ in range(repeats))
        return data.nbytes / best
    finally:
        torch.set_num_threads(previous)


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# ---------------------------------------------------------------- one recipe


def build_model(recipe: Recipe, quick: bool):
    """Phi-3-mini of the real size (tiny with `quick`), cheap random weights."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from tools.hfcache import STANDIN_SIZES

    config = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
    config.pop("auto_map")  # no remote code
    if quick:
        config.update(STANDIN_SIZES)
    config = AutoConfig.for_model(**config)
    dtype = getattr(torch, recipe.dtype)
    with torch.device("meta"):  # shapes only, then memory without initialisation
        model = AutoModelForCausalLM.from_config(
            config, dtype=dtype, attn_implementation=recipe.attention)
    model.to_empty(device="cpu")
    _fill_cheaply(model, dtype)
    model.model.rotary_emb.__init__(config)  # its buffers are computed, not loaded
    model.eval()
    if recipe.int8:
        from snippets.why_slow.int8_linear import quantize_linears

        quantize_linears(model)
    if recipe.int4:
        from snippets.why_slow.int4_linear import Int4Linear
        from snippets.why_slow.int8_linear import quantize_linears

        quantize_linears(model, Int4Linear)
    return model


def _fill_cheaply(model, dtype) -> None:
    """Norms to 1, matrices tiled with one block of N(0, 0.02) noise: no big RNG."""
    import torch

    generator = torch.Generator().manual_seed(0)
    noise = (torch.randn(1 << 20, generator=generator) * 0.02).to(dtype)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() == 1:
                parameter.fill_(1.0)
                continue
            flat = parameter.view(-1)
            for start in range(0, flat.numel(), noise.numel()):
                length = min(noise.numel(), flat.numel() - start)
                flat[start:start + length].copy_(noise[:length])


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def run_recipe(recipe: Recipe, quick: bool, new_tokens: int) -> dict:
    import torch

    if recipe.threads:
        torch.set_num_threads(recipe.threads)
    from transformers import AutoTokenizer, pipeline
    from transformers.generation.streamers import BaseStreamer

    from snippets.why_slow.int8_linear import bytes_per_token
    from tools.hfcache import MINI_ID

    start = time.perf_counter()
    model = build_model(recipe, quick)
    tokenizer = AutoTokenizer.from_pretrained(MINI_ID)
    load_s = time.perf_counter() - start
    rss_after_load = rss_bytes()
    # The first chapter's pipeline, unchanged (generate_email.py).
    settings = {**PIPELINE_SETTINGS, "max_new_tokens": new_tokens}
    generator = pipeline("text-generation", model=model, tokenizer=tokenizer, **settings)
    # Random weights may pick the end-of-text token early: force the full length.
    options = {"min_new_tokens": new_tokens, "use_cache": recipe.kv_cache}
    generator(PROMPT, **{**options, "max_new_tokens": 2, "min_new_tokens": 2})  # warm-up

    class Clock(BaseStreamer):
        """Time stamps of every new token (the first put() is the prompt)."""

        def __init__(self):
            self.puts, self.stamps = 0, []

        def put(self, value):
            self.puts += 1
            if self.puts > 1:
                self.stamps.append(time.perf_counter())
                print(f"\r  {recipe.name}: token {len(self.stamps)}/{new_tokens}",
                      end="", file=sys.stderr, flush=True)

        def end(self):
            print(file=sys.stderr)

    clock = Clock()
    load_before = loadavg()
    begin = time.perf_counter()
    generator(PROMPT, streamer=clock, **options)
    total_s = time.perf_counter() - begin
    load_after = loadavg()
    steps = [b - a for a, b in zip(clock.stamps, clock.stamps[1:])]
    prompt_tokens = len(tokenizer(PROMPT).input_ids)
    return {
        "name": recipe.name,
        "settings": {**asdict(recipe), "threads": torch.get_num_threads()},
        "prompt_tokens": prompt_tokens,
        "new_tokens": len(clock.stamps),
        "load_s": load_s,
        "prefill_s": clock.stamps[0] - begin,
        "decode_s_per_token": statistics.median(steps),
        "decode_s_per_token_mean": statistics.fmean(steps),
        "total_s": total_s,
        "bytes_per_token": bytes_per_token(model),
        "matmul_share": matmul_share(model, tokenizer, recipe.kv_cache),
        "rss_after_load_bytes": rss_after_load,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }


def matmul_share(model, tokenizer, kv_cache: bool) -> float:
    """Share of one decode step's CPU time spent in matrix products (profiled)."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    ids = tokenizer(PROMPT, return_tensors="pt").input_ids  # (1, seq)
    with torch.no_grad():
        if kv_cache:
            cache = model(ids, use_cache=True).past_key_values
            step = dict(input_ids=ids[:, -1:], past_key_values=cache, use_cache=True)
        else:
            step = dict(input_ids=ids, use_cache=False)
        with profile(activities=[ProfilerActivity.CPU]) as profiler:
            model(**step)
    events = profiler.key_averages()
    total = sum(event.self_cpu_time_total for event in events)
    matmul = sum(e.self_cpu_time_total for e in events if e.key in MATMUL_OPS)
    return matmul / total if total else 0.0


# ---------------------------------------------------------------- all recipes


def run_all(quick: bool, only: list[str] | None = None) -> dict:
    new_tokens = QUICK_NEW_TOKENS if quick else NEW_TOKENS
    import torch

    from bench import peers

    peer_names = peers.wanted(only)  # before minutes of recipes: is the extra there?

    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    nbytes = (64 << 20) if quick else (2 << 30)
    threads = sorted({1, torch.get_num_threads()})  # the recipes' thread counts
    print(f"Memory bandwidth (summing {nbytes >> 20} MiB of float32)...", file=sys.stderr)
    start = {str(n): measure_bandwidth(n, nbytes, 3 if quick else 7) for n in threads}
    results = []
    for recipe in RECIPES:
        if only and recipe.name not in only:
            continue
        print(f"{recipe.name}: {recipe.change}", file=sys.stderr)
        results.append(_in_subprocess(recipe.name, quick, new_tokens))
        result = results[-1]
        print(f"  prefill {result['prefill_s']:.2f} s, decode "
              f"{result['decode_s_per_token']:.3f} s/token, total "
              f"{result['total_s']:.1f} s, peak {result['peak_rss_bytes'] / 1e9:.1f} GB",
              file=sys.stderr)
    batching = None
    if not only or "batching" in only:  # why servers batch: bench/batching.py
        from bench import batching as batching_module

        print("batching: decode steps at batch sizes "
              f"{batching_module.BATCH_SIZES}", file=sys.stderr)
        batching = batching_module.in_subprocess(quick)
    profile = None
    if any(result["name"] == RECOMMENDED for result in results):
        from bench import profile_decode  # where the recommended recipe's step goes

        profile = profile_decode.in_subprocess(quick)
    # The runtimes a reader would pick instead: same weights, same method.
    peer_results = peers.run_all(quick, new_tokens, peer_names)
    end = {str(n): measure_bandwidth(n, nbytes, 3 if quick else 7) for n in threads}
    # Other programs only ever slow the measurement down: keep the best.
    bandwidth = {n: max(start[n], end[n]) for n in start}
    for n, value in bandwidth.items():
        print(f"  bandwidth, {n} thread(s): {value / 1e9:.1f} GB/s", file=sys.stderr)
    for result in results:
        speed = bandwidth[str(result["settings"]["threads"])]
        result["floor_s_per_token"] = result["bytes_per_token"] / speed
    for result in peer_results:
        speed = bandwidth.get(str(result["threads"]), max(bandwidth.values()))
        result["floor_s_per_token"] = result["bytes_per_token"] / speed
    data = {
        "schema": SCHEMA,
        "mode": "quick" if quick else "full",
        "date": date,
        "model": {
            "config": "tests/data/phi3-mini-4k-instruct.config.json",
            "sizes": "tiny stand-in sizes" if quick else "real size",
            "weights": "random (speed does not depend on the values)",
        },
        "prompt": PROMPT,
        "new_tokens": new_tokens,
        "machine": machine(),
        "versions": versions(),
        "bandwidth_bytes_per_s": bandwidth,
        "bandwidth_samples": {"before": start, "after": end},
        "baseline": BASELINE,
        "recommended": RECOMMENDED,
        "recipes": results,
        **({"batching": batching} if batching else {}),
        "peers": peer_results,
    }
    if profile is not None:
        data["profile"] = profile
    return data


def child_result(module: str, arguments: list[str], quick: bool,
                 result_flag: str = "--result") -> dict:
    """`python -m module arguments` in a process of its own (its peak memory is its
    own, and goes with it); the JSON it writes to the file named by `result_flag`."""
    with tempfile.TemporaryDirectory() as folder:
        result_file = Path(folder) / "result.json"
        command = [sys.executable, "-m", module, *arguments, result_flag,
                   str(result_file)] + (["--quick"] if quick else [])
        subprocess.run(command, cwd=ROOT, check=True)
        return json.loads(result_file.read_text(encoding="utf-8"))


def _in_subprocess(name: str, quick: bool, new_tokens: int) -> dict:
    return child_result("bench.phi3_cpu", ["--recipe", name, "--tokens", str(new_tokens)],
                        quick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model, few tokens")
    parser.add_argument("--out", type=Path, default=DEFAULT_JSON, help="JSON to write")
    parser.add_argument("--only", nargs="+", help="run only these recipes, peers "
                        "(bench/peers.py) and `batching` (bench/batching.py)")
    parser.add_argument("--recipe", help=argparse.SUPPRESS)  # one recipe, in a child
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", type=int, default=NEW_TOKENS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from tools import hfcache

    hfcache.activate("realsize")  # the real configs and tokenizer, offline; no weights
    if args.recipe:
        recipe = next(r for r in RECIPES if r.name == args.recipe)
        result = run_recipe(recipe, args.quick, args.tokens)
        args.result.write_text(json.dumps(result))
        return 0
    data = run_all(args.quick, args.only)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    from bench import report

    folder = report.OUTPUT if args.out == DEFAULT_JSON else args.out.parent
    for path in report.write(data, folder):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
