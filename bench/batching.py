"""Why servers batch: one decode step at batch sizes 1, 4 and 16 (`make bench`).

A decode step reads every weight matrix once, whether it multiplies one row of
hidden states or sixteen. So as long as reading the weights is what takes the time,
a step for 16 prompts takes about as long as a step for one, and 16 times as many
tokens come out per second. This module measures it at Phi-3-mini's real size (random
weights: speed does not depend on their values) with the walkthrough's recipe:
bfloat16 weights, PyTorch's attention, a KV cache, every core. bfloat16 rather than
the int4 recipe because its matrix products are PyTorch's general ones, made for
any number of rows, and it is what the arithmetic intensity on the page is computed
for; the int4 kernel is tuned for a single row.

It also measures what the CPU can compute: the best FLOP/s of a bfloat16 matrix
product big enough to be limited by arithmetic, not memory. Divided by the memory
bandwidth it gives the machine's balance: the FLOPs per byte above which a matrix
product stops waiting for memory.

bench.phi3_cpu.run_all runs it once per round, in a process of its own (the model's
memory is freed before anything else runs); the rounds' medians go under "batching"
in docs/why-slow/benchmark.json.

    python -m bench.batching --quick --result /tmp/batching.json   # tiny, seconds
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

BATCH_SIZES = (1, 4, 16)
RECIPE = "walkthrough"  # bench.phi3_cpu.RECIPES: bf16, sdpa, KV cache, all cores
WARMUP_STEPS = 2  # not timed: the first steps of a new shape allocate and pick kernels
STEPS = 7  # timed steps per batch size, taken in turns; the median is kept
QUICK_STEPS = 2
# A matrix product with many rows does many FLOPs per weight read: arithmetic, not
# memory, sets its pace. Rows x in_features x out_features (Phi-3-mini's MLP input).
PEAK_SHAPE = (512, 3072, 8192)
QUICK_PEAK_SHAPE = (64, 256, 512)
PEAK_REPEATS = 5


def peak_matmul_flops(shape: tuple[int, int, int], repeats: int) -> float:
    """The best FLOP/s of one bfloat16 matrix product of this shape (2 FLOPs per
    multiply-add)."""
    import torch

    rows, inner, out = shape
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(rows, inner, generator=generator).to(torch.bfloat16)
    weight = torch.randn(out, inner, generator=generator).to(torch.bfloat16)
    torch.nn.functional.linear(x, weight)  # warm-up: kernel choice, first touch
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.nn.functional.linear(x, weight)
        best = min(best, time.perf_counter() - start)
    return 2 * rows * inner * out / best


def decode_steps(model, ids, batch_sizes, warmup: int,
                 steps: int) -> tuple[float, list]:
    """Prefill the prompt once, give each batch size a KV cache of that many copies
    of it, then time their decode steps in turns (1, 4, 16, 1, 4, 16, ...):
    whatever else the machine does meanwhile slows every batch size alike.

    Every row holds the same prompt, so the copied cache is what a prefill of
    `batch_size` rows computes, and the decode steps do the same work; the prefill
    of 16 rows alone takes minutes on a CPU whose bfloat16 prefill is slow (an AMD
    EPYC, without AMX: about 1 CPU-second per token of every row).
    The prefill's seconds, and the runs, one per batch size."""
    import copy

    import torch

    runs = []
    with torch.no_grad():
        start = time.perf_counter()
        first = model(ids, use_cache=True)  # (1, prompt tokens): the prompt once
        prefill_s = time.perf_counter() - start
        greedy = first.logits[:, -1:].argmax(dim=-1)  # (1, 1)
        for batch_size in batch_sizes:
            cache = copy.deepcopy(first.past_key_values)
            cache.batch_repeat_interleave(batch_size)  # (batch, heads, tokens, dim)
            runs.append({"batch_size": batch_size, "cache": cache, "seconds": [],
                         "next_ids": greedy.repeat(batch_size, 1)})  # (batch, 1)
        for step in range(warmup + steps):
            for run in runs:
                start = time.perf_counter()
                out = model(run["next_ids"], past_key_values=run["cache"],
                            use_cache=True)
                if step >= warmup:
                    run["seconds"].append(time.perf_counter() - start)
                run["next_ids"] = out.logits[:, -1:].argmax(dim=-1)  # greedy
                run["cache"] = out.past_key_values
    results = []
    for run in runs:
        median = statistics.median(run["seconds"])
        results.append({
            "batch_size": run["batch_size"],
            "s_per_step": median,
            "s_per_step_samples": run["seconds"],
            "tokens_per_s": run["batch_size"] / median,
            "cache_tokens_per_row": ids.shape[1] + warmup + steps,
        })
    return prefill_s, results


def weights_read(model) -> int:
    """How many weights a decode step reads: all but the embedding table's."""
    return sum(p.numel() for name, p in model.named_parameters()
               if "embed_tokens" not in name)


def run(quick: bool) -> dict:
    import torch
    from transformers import AutoTokenizer

    from bench.common import (PROMPT, OthersClock, build_model, peak_rss_bytes,
                              recipe_named)
    from snippets.why_slow.int8_linear import bytes_per_token
    from tools.hfcache import MINI_ID

    recipe = recipe_named(RECIPE)
    model = build_model(recipe, quick)
    tokenizer = AutoTokenizer.from_pretrained(MINI_ID)
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids  # (1, prompt tokens)
    shape = QUICK_PEAK_SHAPE if quick else PEAK_SHAPE
    with OthersClock() as others:
        prefill_s, results = decode_steps(model, ids, BATCH_SIZES, WARMUP_STEPS,
                                          QUICK_STEPS if quick else STEPS)
    for result in results:
        print(f"  batch {result['batch_size']}: {result['s_per_step']:.3f} s/step, "
              f"{result['tokens_per_s']:.1f} tokens/s", file=sys.stderr)
    flops = peak_matmul_flops(shape, PEAK_REPEATS)
    return {
        "recipe": RECIPE,
        "threads": torch.get_num_threads(),
        "prompt_tokens": ids.shape[1],
        "prefill_s": prefill_s,  # the prompt once, one row
        "warmup_steps": WARMUP_STEPS,
        "timed_steps": QUICK_STEPS if quick else STEPS,
        "weight_bytes_per_step": bytes_per_token(model),
        "weights_per_step": weights_read(model),
        "peak_matmul_flops": flops,
        "peak_matmul_shape": list(shape),
        "batches": results,
        "peak_rss_bytes": peak_rss_bytes(),
        "others": others.result(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model, few steps")
    parser.add_argument("--result", type=Path, required=True, help="JSON to write")
    args = parser.parse_args(argv)

    from tools import hfcache

    hfcache.activate("realsize")  # the real configs and tokenizer, offline; no weights
    args.result.write_text(json.dumps(run(args.quick), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
