"""The comparisons the pages of docs/why-slow state, each computed from the run.

A sentence that compares two measured figures (faster, slower, "about the same",
N times) carries a marker that renders as nothing and names the comparison and its
verdict: `<!--claim eager_attention_vs_walkthrough_decode: higher-->`.
tests/why_slow/test_claims.py checks every marker against `verdicts()` computed from
docs/why-slow/benchmark.json, so a new `make bench` that changes a ranking fails
until the sentence is rewritten. The verdicts (bench.report.compare):

- "lower" / "higher": every round of the first figure lies below / above every
  round of the second;
- "overlap": their spreads overlap: the ranking is not reliable in this run;
- "one round": the run timed each figure once, so there is no spread to tell.

Between two kinds of CPU (the run and each of `other_cpus`) the claims compare how
many times its floor each recipe and runtime decodes at: the floors differ with the
machines' memory bandwidth, the distance from the floor is what the kernels add. A
run of one round has no spread; its single timing is widened by the factor by which
that run disagreed with itself (`self_disagreement`), so that only a difference
larger than its own noise gets a ranking.

Besides the comparisons, a few states of the run that prose depends on: "the_run"
("one round" or "several rounds"), "this_cpu" (its `cpu_kind`: amd, intel_amx) and,
per kind of CPU, the vector instructions ATen's kernels use there ("AVX2") and
whether llama.cpp ran with its repacked buffers ("repacked" or "not repacked").
"""

from __future__ import annotations

from bench import report

TARGET_X_FLOOR = 1.5  # the recommended recipe's goal: decode within 1.5x its floor


def decode(data: dict, name: str) -> tuple:
    return report.span(report.parts(data)[name], "decode_s_per_token")


def prefill(data: dict, name: str) -> tuple:
    return report.span(report.recipe(data, name), "prefill_s")


def constant(value: float) -> tuple:
    return (value, value, value)


def key(name: str) -> str:
    """A recipe's or runtime's name as claims spell it: 1_thread, ort, llama_cpp."""
    if name.startswith(("ort-", "llama.cpp-")):
        name = name.split("-")[0]  # ort, llama.cpp
    return name.replace("-", "_").replace(".", "_")


def cpu(run: dict) -> str:
    """A kind of CPU as claims spell it: intel_amx, amd."""
    return run["cpu_kind"].replace("-", "_")


def self_disagreement(run: dict) -> float:
    """The largest factor between two figures of one run that time the same decode
    step: batch size 1 against the baseline recipe, the profile's unprofiled step
    against the profiled recipe (medians). 1.0 when they agree exactly."""
    pairs = []
    if "batching" in run:
        pairs.append((report.batch_span(run, 0)[0], decode(run, run["baseline"])[0]))
    if "profile" in run:
        pairs.append((report.span(run["profile"], "step_s")[0],
                      decode(run, run["profile"]["recipe"])[0]))
    return max([max(a / b, b / a) for a, b in pairs], default=1.0)


def widened(span_: tuple, run: dict) -> tuple:
    """A figure of a run as a span: its spread over the rounds, or, for a run of
    one round, its single timing widened by the run's own disagreement."""
    if run["rounds"] >= 2:
        return span_
    factor = self_disagreement(run)
    return (span_[0], span_[0] / factor, span_[0] * factor)


def claims(data: dict) -> dict[str, tuple[tuple, tuple, int]]:
    """{name: (first figure's span, second's, rounds)}: what each claim compares."""
    rounds = data["rounds"]
    found = {}
    base = data["baseline"]
    for name in ("int4", "int8", "fp32", "1-thread", "eager-attention", "no-kv-cache"):
        found[f"{key(name)}_vs_walkthrough_decode"] = (decode(data, name),
                                                       decode(data, base), rounds)
    found["int4_vs_int8_decode"] = (decode(data, "int4"), decode(data, "int8"), rounds)
    for name in ("int4", "int8"):
        found[f"{name}_vs_walkthrough_prefill"] = (prefill(data, name),
                                                   prefill(data, base), rounds)
    best = report.recipe(data, data["recommended"])
    found["int4_x_floor_vs_target"] = (report.x_floor(best), constant(TARGET_X_FLOOR),
                                       rounds)
    for peer in data["peers"]:
        found[f"{key(peer['name'])}_vs_int4_decode"] = (
            decode(data, peer["name"]), decode(data, data["recommended"]), rounds)
    for other in data.get("other_cpus", []):
        # This run's figures against another CPU's: x floor, recipe by recipe.
        theirs = report.parts(other)
        for part in data["recipes"] + data["peers"]:
            if part["name"] in theirs:
                found[f"{key(part['name'])}_x_floor_vs_{cpu(other)}"] = (
                    report.x_floor(part),
                    widened(report.x_floor(theirs[part["name"]]), other), rounds)
    if "batching" in data:
        batching = data["batching"]
        n = batching["rounds"]
        first = report.batch_span(data, 0)
        found["batch_1_vs_walkthrough_step"] = (first, decode(data, base), n)
        for index, batch in enumerate(batching["batches"][1:], start=1):
            size = batch["batch_size"]
            step = report.batch_span(data, index)
            found[f"batch_{size}_vs_batch_1_step"] = (step, first, n)
            tokens = report.scaled(report.ratio_span(first, step), size)
            found[f"batch_{size}_tokens_ratio_vs_batch_size"] = (
                tokens, constant(size), n)
    if "profile" in data:
        profile = data["profile"]
        n = profile["rounds"]
        floor = report.recipe(data, profile["recipe"])["floor_s_per_token"]
        found["kernel_alone_x_floor_vs_target"] = (
            report.scaled(report.kernel_total_span(profile), 1 / floor),
            constant(TARGET_X_FLOOR), n)
        found["groups_128_vs_groups_32_kernel"] = (
            report.span(profile, "group_sizes.128.s"),
            report.span(profile, "group_sizes.32.s"), n)
    return found


def states(data: dict) -> dict[str, str]:
    """What the run is, beside its comparisons: rounds, llama.cpp's buffers."""
    found = {"the_run": "one round" if data["rounds"] < 2 else "several rounds",
             "this_cpu": cpu(data)}
    for run in report.runs(data):
        # The vector instructions ATen's kernels use there (AVX2, AVX512).
        found[f"kernels_on_{cpu(run)}"] = run["machine"]["torch_cpu_capability"]
        for peer in run["peers"]:
            if "repacked" in peer:
                found[f"{key(peer['name'])}_on_{cpu(run)}"] = (
                    "repacked" if peer["repacked"] else "not repacked")
    return found


def verdicts(data: dict) -> dict[str, str]:
    """{claim: "lower", "higher", "overlap" or "one round"}, and the run's
    `states` (what the pages say of it)."""
    found = {name: report.compare(a, b, rounds)
             for name, (a, b, rounds) in claims(data).items()}
    return {**found, **states(data)}
