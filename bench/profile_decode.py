"""Where one decode step of the recommended recipe spends its time (`make bench` runs it).

    python -m bench.profile_decode --out /tmp/profile.json           # real size
    python -m bench.profile_decode --quick --out /tmp/profile.json   # tiny, seconds

It builds the recommended recipe's model exactly as the benchmark does
(bench.common.build_model: real size, random weights) and measures three things:

1. the decode step's wall time, unprofiled: the median over the steps of a greedy
   generate() call (the benchmark's own method);
2. the same generate() call under torch.profiler, each aten operator's own time
   (self CPU time) put in the row of the module it ran in (forward hooks open a
   labelled range around the modules that matter) and averaged over the decode steps
   only (the streamer marks where each token ends); what the operators don't account
   for, the profiled step's wall time minus operator time, is Python and dispatch
   overhead: generate(), the modules' forward() code, the dispatcher (and the
   profiler's own bookkeeping: the profiled step is slower than the step of 1.);
3. the matrix kernel alone: every projection of every layer and the LM head called
   one after the other on a one-row input, as a decode step calls them, timed call by
   call. Bytes read divided by time is the bandwidth the kernel achieves, to compare
   with what plain reading achieves; and the same kernel on the same shapes with
   groups of 32, 64, 128 and 256 weights (random levels, a few layers' worth).

The parent (bench.phi3_cpu) runs this once per round in a process of its own and
stores the rounds' medians under "profile" in benchmark.json; bench/report.py makes the table the page includes.
This is a measurement, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

PROFILED_TOKENS = 12  # the profiled call: 10 decode steps after the first token
KERNEL_REPEATS = 5
PROJECTIONS = ("qkv_proj", "o_proj", "gate_up_proj", "down_proj", "lm_head")
# Rows of the table, in order: (key, the module a row's operators ran in).
ROWS = [
    *[(f"matmul {name}", name) for name in PROJECTIONS],
    ("attention", "self_attn"),  # scaled_dot_product_attention itself
    ("rotary and KV cache", "self_attn"),  # the rest of self_attn's own operators
    ("RMSNorm", "norm"),
    ("SiLU and gate", "mlp"),
    ("residual adds, embedding, masks", "model"),
    ("generate(): logits, next token", ""),  # operators outside the model's forward
    ("Python and dispatch overhead", None),  # wall time minus all operator time
]
MATMUL_OPS = ("aten::_weight_int4pack_mm_for_cpu", "aten::_weight_int8pack_mm",
              "aten::mm", "aten::addmm", "aten::linear", "aten::matmul")


def module_label(name: str) -> str | None:
    """The label of a module (by its name in the model), None for unlabelled ones."""
    last = name.rsplit(".", 1)[-1]
    if last in PROJECTIONS:
        return last
    if last in ("self_attn", "mlp"):
        return last
    if last.endswith("layernorm") or last == "norm":
        return "norm"
    if last == "rotary_emb":
        return "self_attn"  # cos and sin of the positions: part of rotary
    if name in ("model", "model.embed_tokens") or (
            name.startswith("model.layers.") and last.isdigit()):
        return "model"
    return None


def label_modules(model) -> list:
    """Open a profiler range "phi3::<label>" around every labelled module's forward."""
    import torch

    handles = []
    for name, module in model.named_modules():
        label = module_label(name)
        if label is None:
            continue

        def enter(module, args, label=label):
            module._phi3_range = torch.profiler.record_function(f"phi3::{label}")
            module._phi3_range.__enter__()

        def leave(module, args, output):
            module._phi3_range.__exit__(None, None, None)

        handles += [module.register_forward_pre_hook(enter),
                    module.register_forward_hook(leave)]
    return handles


def row_of(event) -> str:
    """The table row an operator event belongs to, from its innermost labelled range."""
    parent = event.cpu_parent
    while parent is not None and not parent.name.startswith("phi3::"):
        parent = parent.cpu_parent
    label = parent.name.removeprefix("phi3::") if parent is not None else ""
    if label in PROJECTIONS:
        # Reshapes around the kernel are cheap views: counted with the other glue.
        return f"matmul {label}" if event.name in MATMUL_OPS else ROWS[9][0]
    if label == "self_attn":
        return "attention" if "attention" in event.name else "rotary and KV cache"
    if label == "norm":
        return "RMSNorm"
    if label == "mlp":
        return "SiLU and gate"
    if label == "model":
        return "residual adds, embedding, masks"
    return "generate(): logits, next token"


class Marks:
    """A generate() streamer that notes when each token is ready (the first put() is
    the prompt), in perf_counter seconds and as a profiler range."""

    def __init__(self):
        self.puts, self.stamps = 0, []

    def put(self, value):
        import torch

        self.puts += 1
        if self.puts > 1:
            self.stamps.append(time.perf_counter())
            with torch.profiler.record_function("phi3::token"):
                pass

    def end(self):
        pass


def decode_steps(model, ids, tokens: int):
    """Generate `tokens` greedy tokens; the seconds of each decode step."""
    import torch

    marks = Marks()
    with torch.no_grad():
        model.generate(ids, max_new_tokens=tokens, min_new_tokens=tokens,
                       do_sample=False, streamer=marks)
    return [b - a for a, b in zip(marks.stamps, marks.stamps[1:])]


def profile_step(model, ids, tokens: int) -> tuple[dict[str, float], float, int]:
    """Operator seconds per decode step, by row; profiled wall time per step; steps."""
    from torch.profiler import ProfilerActivity, profile

    handles = label_modules(model)
    try:
        with profile(activities=[ProfilerActivity.CPU]) as profiler:
            decode_steps(model, ids, tokens)
    finally:
        for handle in handles:
            handle.remove()
    events = profiler.events()
    marks = sorted(e.time_range.start for e in events if e.name == "phi3::token")
    begin, end = marks[0], marks[-1]  # from the first token to the last
    steps = len(marks) - 1
    seconds: dict[str, float] = {}
    for event in events:
        if event.name.startswith("phi3::") or not begin <= event.time_range.start < end:
            continue
        row = row_of(event)
        seconds[row] = seconds.get(row, 0.0) + event.self_cpu_time_total / 1e6 / steps
    return seconds, (end - begin) / 1e6 / steps, steps


def kernel_alone(model, repeats: int = KERNEL_REPEATS) -> dict[str, dict]:
    """Each projection kind's seconds per token and bytes, the kernel called alone."""
    import torch

    layers = [(name.rsplit(".", 1)[-1], module) for name, module in model.named_modules()
              if name.rsplit(".", 1)[-1] in PROJECTIONS]  # in the order a step runs them
    inputs = {kind: torch.randn(1, 1, in_features(module), dtype=torch.bfloat16)
              for kind, module in layers}
    totals = {kind: [] for kind in PROJECTIONS}
    with torch.no_grad():
        for _ in range(repeats + 1):  # the first pass warms up
            spent = dict.fromkeys(PROJECTIONS, 0.0)
            for kind, module in layers:
                start = time.perf_counter()
                module(inputs[kind])
                spent[kind] += time.perf_counter() - start
            for kind in PROJECTIONS:
                totals[kind].append(spent[kind])
    result = {}
    for kind in PROJECTIONS:
        modules = [module for name, module in layers if name == kind]
        nbytes = sum(t.nbytes for m in modules for t in [*m.parameters(), *m.buffers()])
        seconds = statistics.median(totals[kind][1:])
        result[kind] = {"matrices": len(modules), "bytes": nbytes, "s": seconds}
    return result


GROUP_SIZES = (32, 64, 128, 256)
SWEEP_LAYERS = 8  # a layer's int4 matrices are about 30 MB: 8 of them outgrow the caches


def group_sizes(shapes, layers: int = SWEEP_LAYERS, repeats: int = KERNEL_REPEATS):
    """The int4 kernel alone on one layer's matrix shapes, for each group size.

    `shapes`: (out_features, in_features) of a layer's projections, in the order a
    step runs them. The matrices are random levels (the values don't change the
    work); `layers` layers' worth of them are called in turn, as a decode step calls
    them, so that they are read from memory, not from the caches.
    {group size: weights, bytes, seconds}."""
    import torch

    generator = torch.Generator().manual_seed(0)
    # One layer's packed levels, made once: the packing does not depend on the group
    # size, and the values don't change the work. Every layer and every group size
    # gets copies in memory of its own (clone), so each call still reads its matrix
    # from memory, not from the caches.
    packed_levels = [torch._convert_weight_to_int4pack_for_cpu(
        torch.randint(0, 16, (out_features, features), dtype=torch.int32,
                      generator=generator), 1) for out_features, features in shapes]
    result = {}
    for group in GROUP_SIZES:
        if any(features % group for _, features in shapes):
            continue  # (the tiny model of --quick is narrower than a group)
        matrices = []
        for _ in range(layers):
            for (out_features, features), packed in zip(shapes, packed_levels):
                scales = torch.rand(features // group, out_features, 2,
                                    dtype=torch.bfloat16, generator=generator)
                x = torch.randn(1, features, dtype=torch.bfloat16, generator=generator)
                matrices.append((x, packed.clone(), scales))
        nbytes = sum(packed.nbytes + scales.nbytes for _, packed, scales in matrices)
        times = []
        for _ in range(repeats + 1):  # the first pass warms up
            start = time.perf_counter()
            for x, packed, scales in matrices:
                torch._weight_int4pack_mm_for_cpu(x, packed, group, scales)
            times.append(time.perf_counter() - start)
        weights = layers * sum(rows * features for rows, features in shapes)
        result[str(group)] = {"weights": weights, "bytes": nbytes,
                              "s": statistics.median(times[1:])}
        del matrices
    return result


def layer_shapes(layer) -> list[tuple[int, int]]:
    """(out_features, in_features) of a decoder layer's projections, in order."""
    return [(out_features(module), in_features(module))
            for name, module in layer.named_modules()
            if name.rsplit(".", 1)[-1] in PROJECTIONS]


def out_features(module) -> int:
    for name in ("weight_int4", "weight_int8", "weight"):
        if hasattr(module, name):
            return getattr(module, name).shape[0]
    raise TypeError(f"not a linear layer: {module!r}")


def in_features(module) -> int:
    """The input width of nn.Linear, Int8Linear or Int4Linear (two weights a byte)."""
    if hasattr(module, "weight_int4"):
        return module.weight_int4.shape[1] * 2
    if hasattr(module, "weight_int8"):
        return module.weight_int8.shape[1]
    return module.in_features


def run(quick: bool) -> dict:
    import torch
    from transformers import AutoTokenizer

    from bench.common import (PROMPT, RECOMMENDED, WARMUP_PROMPT, OthersClock,
                              build_model, recipe_named)
    from tools.hfcache import MINI_ID

    recipe = recipe_named(RECOMMENDED)
    if recipe.threads:
        torch.set_num_threads(recipe.threads)
    model = build_model(recipe, quick)
    tokenizer = AutoTokenizer.from_pretrained(MINI_ID)
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids
    # Warm-up: a decode step's kernels and generate()'s code, from a short prompt (no
    # second prefill of the whole prompt: only decode steps are timed below)
    decode_steps(model, tokenizer(WARMUP_PROMPT, return_tensors="pt").input_ids, 2)
    with OthersClock() as others:
        wall = statistics.median(decode_steps(model, ids, PROFILED_TOKENS))
        seconds, profiled_wall, steps = profile_step(model, ids, PROFILED_TOKENS)
        kernel = kernel_alone(model)
        groups = group_sizes(layer_shapes(model.model.layers[0]))
    operators = sum(seconds.values())
    rows = [{"row": key, "s": seconds.get(key, 0.0)} for key, _ in ROWS[:-1]]
    rows.append({"row": ROWS[-1][0], "s": profiled_wall - operators})
    return {
        "recipe": recipe.name,
        "threads": torch.get_num_threads(),
        "decode_steps": steps,
        "step_s": wall,
        "profiled_step_s": profiled_wall,
        "rows": rows,
        "kernel": kernel,
        "group_sizes": groups,
        "others": others.result(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model")
    parser.add_argument("--out", type=Path, required=True, help="JSON to write")
    args = parser.parse_args(argv)
    from tools import hfcache

    hfcache.activate("realsize")  # the real configs and tokenizer, offline; no weights
    result = run(args.quick)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
