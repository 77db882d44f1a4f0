"""A/B of int4 variants on one real-size model, back to back: which decodes fastest?

    python -m bench.profile_variants --rounds 3 --out /tmp/variants.json
    python -m bench.profile_variants --quick --rounds 1 --out /tmp/variants.json

Not part of `make bench`: it is how the recommended recipe's settings were chosen.
One bfloat16 model of the real size (bench.common.build_model, random weights) is
quantized once per variant, layer by layer (each bfloat16 matrix is freed once all
its variants exist); then every round measures every variant in turn, swapping its
layers in, so that a change in the machine's load hits all variants alike. Each
measurement is the median decode step of a greedy generate() call; the result is the
median over the rounds. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

TOKENS = 12


def variants() -> dict:
    from snippets.why_slow.int4_linear import Int4Linear
    from snippets.why_slow.int8_linear import Int8Linear

    return {
        "int4 g32": lambda linear: Int4Linear(linear, 32),
        "int4 g64": lambda linear: Int4Linear(linear, 64),
        "int4 g128": lambda linear: Int4Linear(linear, 128),
        "int4 g256": lambda linear: Int4Linear(linear, 256),
        "int8": Int8Linear,
    }


def linears(module, prefix=""):
    import torch

    for name, child in module.named_children():
        if isinstance(child, torch.nn.Linear) and child.bias is None:
            yield module, name
        else:
            yield from linears(child, f"{prefix}{name}.")


def run(quick: bool, rounds: int, names: list[str] | None, threads: list[int]) -> dict:
    import torch
    from transformers import AutoTokenizer

    from bench.common import PROMPT, Recipe, build_model
    from bench.profile_decode import decode_steps
    from snippets.why_slow.int8_linear import bytes_per_token
    from tools.hfcache import MINI_ID

    makers = {k: v for k, v in variants().items() if not names or k in names}
    model = build_model(Recipe("bf16", "bfloat16 matrices"), quick)
    slots = list(linears(model))
    made = {name: [] for name in makers}
    for parent, attr in slots:
        linear = getattr(parent, attr)
        for name, make in makers.items():
            made[name].append(make(linear))
        setattr(parent, attr, torch.nn.Identity())  # the bfloat16 matrix is freed
    tokenizer = AutoTokenizer.from_pretrained(MINI_ID)
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids
    samples: dict[str, list[float]] = {}
    for round_ in range(rounds):
        for name in makers:
            for (parent, attr), layer in zip(slots, made[name]):
                setattr(parent, attr, layer)
            for count in threads:
                torch.set_num_threads(count)
                key = f"{name}, {count} thread{'s' if count > 1 else ''}"
                decode_steps(model, ids, 2)  # warm-up after the swap
                step = statistics.median(decode_steps(model, ids, TOKENS))
                samples.setdefault(key, []).append(step)
                print(f"round {round_ + 1}: {key}: {step:.4f} s/token", file=sys.stderr,
                      flush=True)
    sizes = {}
    for name in makers:
        for (parent, attr), layer in zip(slots, made[name]):
            setattr(parent, attr, layer)
        sizes[name] = bytes_per_token(model)
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rounds": rounds, "tokens": TOKENS,
        "results": {key: {"median_s": statistics.median(values), "runs": values,
                          "bytes_per_token": sizes[key.split(",")[0]]}
                    for key, values in samples.items()},
    }


def run_compile(quick: bool, rounds: int) -> dict:
    """The recommended recipe eager, with a static cache, and compiled with one."""
    import torch
    from transformers import AutoTokenizer

    from bench.common import PROMPT, RECIPES, RECOMMENDED, build_model
    from bench.profile_decode import decode_steps
    from tools.hfcache import MINI_ID

    model = build_model(next(r for r in RECIPES if r.name == RECOMMENDED), quick)
    tokenizer = AutoTokenizer.from_pretrained(MINI_ID)
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids
    eager = model.forward
    compiled = torch.compile(model.forward)
    setups = {"eager, dynamic cache": (eager, None),
              "eager, static cache": (eager, "static"),
              "compiled, static cache": (compiled, "static")}

    def measure(name: str) -> tuple[float, float]:
        model.forward, cache = setups[name]
        model.generation_config.cache_implementation = cache
        start = time.perf_counter()
        decode_steps(model, ids, 2)  # warm-up (compiles on the first call)
        first = time.perf_counter() - start
        return first, statistics.median(decode_steps(model, ids, TOKENS))

    samples: dict[str, list[float]] = {}
    warm_up = {}
    for round_ in range(rounds):
        for name in setups:
            first, step = measure(name)
            warm_up.setdefault(name, first)
            samples.setdefault(name, []).append(step)
            print(f"round {round_ + 1}: {name}: {step:.4f} s/token "
                  f"(warm-up call {first:.1f} s)", file=sys.stderr, flush=True)
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rounds": rounds, "tokens": TOKENS,
        "first_warm_up_s": warm_up,
        "results": {key: {"median_s": statistics.median(values), "runs": values}
                    for key, values in samples.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="+", help="these variants only")
    parser.add_argument("--threads", nargs="+", type=int, default=[2])
    parser.add_argument("--compile", action="store_true",
                        help="eager vs static cache vs torch.compile instead")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from tools import hfcache

    hfcache.activate("realsize")
    if args.compile:
        result = run_compile(args.quick, args.rounds)
    else:
        result = run(args.quick, args.rounds, args.only, args.threads)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
