"""How fast does Phi-3-mini generate on this CPU? `make bench` (python -m bench.phi3_cpu).

Speed does not depend on the values of the weights, so the benchmark needs no
download: each recipe builds a Phi-3-mini of the real size (tests/data config) with
cheap random weights, then generates 50 greedy tokens exactly like the first
chapter's pipeline (snippets/model_example/generate_email.py) with one thing
changed. Every part (a recipe, the batch sizes of bench.batching, the profile of
bench.profile_decode, each runtime of bench.peers) runs in a process of its own, so
its peak memory (maxrss) is its own, and the parts take turns: round after round
(5 by default), all parts once per round, so that whatever else happens on the
machine meanwhile hits them alike. Each figure is the median over the rounds, with
its values under "samples" (min and max: the spread the pages show). The parent
measures the memory bandwidth at the start of each round, from which the floor per
token follows: bytes read per token / bandwidth.

Every timed window also measures how much CPU other processes took
(bench.common.OthersClock). Before it writes, the run checks itself
(bench.report.quality): other processes above 3 % of the CPUs, or figures that
contradict each other (batch size 1 against the walkthrough, ...), and it is refused
unless --force, which writes it marked noisy. docs/why-slow/benchmark.json holds the
run of this machine's kind of CPU (`cpu_kind`) and, under "other_cpus", the last run
of every other kind; bench/report.py turns them into the tables the pages include,
and `python -m tools.figures` draws the plots.

    python -m bench.phi3_cpu                 # real size, 5 rounds: about 70 minutes
    python -m bench.phi3_cpu --quick --out /tmp/b.json   # tiny model, a minute

This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench.common import (BASELINE, NEW_TOKENS, PIPELINE_SETTINGS, PROMPT,
                          QUICK_NEW_TOKENS, RECIPES, RECOMMENDED, WARMUP_PROMPT,
                          ChildCrashed, OthersClock, Recipe, build_model, child_result,
                          peak_rss_bytes, recipe_named, rss_bytes)
from tools.paths import ROOT

DEFAULT_JSON = ROOT / "docs" / "why-slow" / "benchmark.json"
REFUSED = ROOT / ".cache" / "bench"  # a run refused as noisy is kept here
SCHEMA = 2
ROUNDS = 5  # every part runs once per round, the parts in turn: medians and spreads
QUICK_ROUNDS = 2
# Other processes may take this share of the CPUs in a timed window, no more: above
# it, the run is refused (--force writes it, marked noisy).
MAX_OTHERS_SHARE = 0.03
CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8")
MATMUL_OPS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::_weight_int8pack_mm",
              "aten::_weight_int4pack_mm_for_cpu")
__all__ = ["BASELINE", "NEW_TOKENS", "PIPELINE_SETTINGS", "PROMPT", "QUICK_NEW_TOKENS",
           "RECIPES", "RECOMMENDED", "Recipe", "build_model"]


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


def cpu_kind(machine: dict) -> str:
    """The kind of CPU a run belongs to: its maker, and AMX (Intel's matrix unit,
    which changes which kernels bfloat16 gets). One committed run per kind."""
    name = machine["cpu"].lower()
    maker = next((m for m in ("intel", "amd", "apple") if m in name),
                 platform.machine().lower())
    return maker + ("-amx" if machine["flags"].get("amx_bf16") else "")


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
    # Warm-up, so that no first call's setup lands in a timed window: a short prompt
    # through the pipeline (its own code, and the kernels of a decode step), then
    # the profiled step, whose prefill of the whole prompt picks the kernels of the
    # prefill's shape. One prefill of the prompt before the timed one, not two: on a
    # CPU without a matrix unit a bfloat16 prefill takes seconds.
    generator(WARMUP_PROMPT, **{**options, "max_new_tokens": 2, "min_new_tokens": 2})
    matmul_s, profiled_step_s = matmul_seconds(model, tokenizer, recipe.kv_cache)

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
    with OthersClock() as others:
        begin = time.perf_counter()
        generator(PROMPT, streamer=clock, **options)
        total_s = time.perf_counter() - begin
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
        "matmul_s": matmul_s,
        "profiled_step_s": profiled_step_s,
        "matmul_share": matmul_s / profiled_step_s,
        "rss_after_load_bytes": rss_after_load,
        "peak_rss_bytes": peak_rss_bytes(),
        "others": others.result(),
    }


def matmul_seconds(model, tokenizer, kv_cache: bool) -> tuple[float, float]:
    """One profiled decode step: the seconds its matrix products took (operators'
    own time), and the step's wall time, Python and dispatch between operators
    included. Their ratio is the share of the step in matrix products."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    ids = tokenizer(PROMPT, return_tensors="pt").input_ids  # (1, seq)
    with torch.no_grad():
        prefill = model(ids, use_cache=kv_cache)  # not profiled: the kernels' warm-up
        if kv_cache:
            step = dict(input_ids=ids[:, -1:], past_key_values=prefill.past_key_values,
                        use_cache=True)
        else:  # without a cache a step is the whole text again
            step = dict(input_ids=ids, use_cache=False)
        with profile(activities=[ProfilerActivity.CPU]) as profiler:
            begin = time.perf_counter()
            model(**step)
            wall = time.perf_counter() - begin
    events = profiler.key_averages()
    matmul = sum(e.self_cpu_time_total for e in events if e.key in MATMUL_OPS) / 1e6
    return matmul, wall


# ---------------------------------------------------------------- rounds


def aggregate(rounds: list[dict]) -> dict:
    """One part's rounds as one result: every float is its median over the rounds,
    and its values, round by round, are under "samples" by path ("decode_s_per_token",
    "batches.0.s_per_step"); lists of numbers are joined, unless every round has the
    same list (a description, such as a shape); peak memory is the largest;
    everything else is the first round's."""
    samples: dict[str, list[float]] = {}

    def merge(values: list, path: str):
        first = values[0]
        if isinstance(first, dict):
            return {key: merge([v[key] for v in values], f"{path}{key}.")
                    for key in first}
        if isinstance(first, list) and first and isinstance(first[0], dict):
            return [merge([v[i] for v in values], f"{path}{i}.")
                    for i in range(len(first))]
        if isinstance(first, list):
            if all(value == first for value in values):
                return first  # a description (a shape, a format's blocks), not samples
            return [item for value in values for item in value]
        if isinstance(first, float):
            samples[path.rstrip(".")] = list(values)
            return statistics.median(values)
        if isinstance(first, int) and "rss" in path:
            return max(values)
        return first

    merged = merge(rounds, "")
    return {**merged, "rounds": len(rounds), "samples": samples}


def members(only: list[str] | None, peer_names: list[str]) -> list[tuple[str, str]]:
    """The parts of a round, (kind, name), in the order of the first round."""
    found = [("recipe", r.name) for r in RECIPES if not only or r.name in only]
    if not only or "batching" in only:
        found.append(("batching", "batching"))
    if any(name == RECOMMENDED for _, name in found):
        found.append(("profile", "profile"))
    return found + [("peer", name) for name in peer_names]


def run_member(kind: str, name: str, quick: bool, new_tokens: int,
               peer_options: dict) -> dict:
    """One part, once, in a process of its own."""
    if kind == "recipe":  # a recipe may generate fewer (no-kv-cache), never more
        tokens = min(new_tokens, recipe_named(name).new_tokens or new_tokens)
        return child_result("bench.phi3_cpu", ["--recipe", name, "--tokens",
                                               str(tokens)], quick)
    if kind == "batching":
        return child_result("bench.batching", [], quick)
    if kind == "profile":
        return child_result("bench.profile_decode", [], quick, result_flag="--out")
    return child_result("bench.peers", ["--peer", name, "--tokens", str(new_tokens),
                                        *peer_options.get(name, [])], quick)


def run_all(quick: bool, only: list[str] | None = None,
            rounds: int | None = None) -> dict:
    new_tokens = QUICK_NEW_TOKENS if quick else NEW_TOKENS
    rounds = rounds or (QUICK_ROUNDS if quick else ROUNDS)
    import torch

    from bench import peers

    peer_names = peers.wanted(only)  # before minutes of recipes: is the extra there?
    peers.prepare_in_subprocess(quick, peer_names)  # conversions, cached, not timed
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    nbytes = (64 << 20) if quick else (2 << 30)
    threads = sorted({1, torch.get_num_threads()})  # the recipes' thread counts
    parts = members(only, peer_names)
    results: dict[tuple, list[dict]] = {part: [] for part in parts}
    bandwidth_samples: dict[str, list[float]] = {str(n): [] for n in threads}
    peer_options: dict[str, list[str]] = {}
    repack: dict[str, str] = {}
    order = []  # what ran, in turn: "round kind name"
    for round_index in range(rounds):
        print(f"round {round_index + 1} of {rounds}: memory bandwidth (summing "
              f"{nbytes >> 20} MiB of float32)", file=sys.stderr)
        for n in threads:
            bandwidth_samples[str(n)].append(
                measure_bandwidth(n, nbytes, 3 if quick else 7))
        turn = round_index % len(parts)  # each round starts with the next part
        for kind, name in parts[turn:] + parts[:turn]:
            print(f"round {round_index + 1}, {kind} {name}", file=sys.stderr)
            try:
                result = run_member(kind, name, quick, new_tokens, peer_options)
            except ChildCrashed as crash:
                fallback = peers.FALLBACK.get(name) if kind == "peer" else None
                if not fallback:
                    raise
                # llama.cpp's repacked buffers crash on some CPUs: say so, and
                # measure its plain buffers instead, in this and every round.
                repack[name] = (f"crashed (signal {crash.signal}) with "
                                f"{peers.version(name)}; measured without repacking")
                print(f"  {name}: {repack[name]}", file=sys.stderr)
                peer_options[name] = fallback
                result = run_member(kind, name, quick, new_tokens, peer_options)
            results[(kind, name)].append(result)
            order.append(f"{round_index + 1} {kind} {name}")
    bandwidth = {n: max(values) for n, values in bandwidth_samples.items()}
    for n, value in bandwidth.items():  # others only ever slow it down: the best
        print(f"  bandwidth, {n} thread(s): {value / 1e9:.1f} GB/s", file=sys.stderr)
    merged = {part: aggregate(found) for part, found in results.items()}
    recipes = [merged[p] for p in parts if p[0] == "recipe"]
    peer_results = [merged[p] for p in parts if p[0] == "peer"]
    for result in recipes:
        speed = bandwidth[str(result["settings"]["threads"])]
        result["floor_s_per_token"] = result["bytes_per_token"] / speed
    for result in peer_results:
        speed = bandwidth.get(str(result["threads"]), max(bandwidth.values()))
        result["floor_s_per_token"] = result["bytes_per_token"] / speed
        if result["name"] in repack:
            result["repacked"] = False
            result["repack_note"] = repack[result["name"]]
    the_machine = machine()
    data = {
        "schema": SCHEMA,
        "mode": "quick" if quick else "full",
        "date": date,
        "cpu_kind": cpu_kind(the_machine),
        "rounds": rounds,
        "model": {
            "config": "tests/data/phi3-mini-4k-instruct.config.json",
            "sizes": "tiny stand-in sizes" if quick else "real size",
            "weights": "random (speed does not depend on the values)",
        },
        "prompt": PROMPT,
        "new_tokens": new_tokens,
        "machine": the_machine,
        "versions": versions(),
        "bandwidth_bytes_per_s": bandwidth,
        "bandwidth_samples": bandwidth_samples,
        "baseline": BASELINE,
        "recommended": RECOMMENDED,
        "recipes": recipes,
        "peers": peer_results,
        "order": order,
    }
    for kind in ("batching", "profile"):
        if (kind, kind) in merged:
            data[kind] = merged[(kind, kind)]
    return data


# ---------------------------------------------------------------- writing a run


def save(data: dict, out: Path, force: bool,
         max_others: float = MAX_OTHERS_SHARE) -> Path:
    """Check the run, then write it into `out` beside the committed runs of other
    CPU kinds (the run of this kind is replaced). A run that others disturbed, or
    that contradicts itself, is refused: kept under .cache/bench/ and SystemExit,
    unless `force`, which writes it marked noisy with its problems."""
    from bench import report

    check = report.quality(data, max_others)
    data["quality"] = check
    if check["problems"] and not force:
        REFUSED.mkdir(parents=True, exist_ok=True)
        kept = REFUSED / f"refused-{data['cpu_kind']}-{data['date'][:19]}.json"
        kept.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        raise SystemExit(
            "benchmark NOT written: " + "; ".join(check["problems"]) + f". The run "
            f"is kept in {kept}. Stop other jobs and run it again on a quiet "
            "machine, or pass --force to write it marked noisy.")
    committed = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    data["other_cpus"] = report.other_cpus(committed, data["cpu_kind"])
    report.validate(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model, few tokens")
    parser.add_argument("--out", type=Path, default=DEFAULT_JSON, help="JSON to write")
    parser.add_argument("--only", nargs="+", help="run only these recipes, peers "
                        "(bench/peers.py) and `batching` (bench/batching.py)")
    parser.add_argument("--rounds", type=int, help=f"rounds (default {ROUNDS}; "
                        f"{QUICK_ROUNDS} with --quick)")
    parser.add_argument("--force", action="store_true", help="write a run even if "
                        "other processes disturbed it or it contradicts itself "
                        "(marked noisy)")
    parser.add_argument("--recipe", help=argparse.SUPPRESS)  # one recipe, in a child
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", type=int, default=NEW_TOKENS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from tools import hfcache

    hfcache.activate("realsize")  # the real configs and tokenizer, offline; no weights
    if args.recipe:
        result = run_recipe(recipe_named(args.recipe), args.quick, args.tokens)
        args.result.write_text(json.dumps(result))
        return 0
    data = run_all(args.quick, args.only, args.rounds)
    save(data, args.out, args.force)
    print(f"wrote {args.out}", file=sys.stderr)
    from bench import report

    folder = report.OUTPUT if args.out == DEFAULT_JSON else args.out.parent
    for path in report.write(report.load(args.out), folder):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
