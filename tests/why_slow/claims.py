"""The comparisons the pages of docs/why-slow state, each computed from the run.

A sentence that compares two measured figures (faster, slower, "about the same",
N times) carries a marker that renders as nothing and names the comparison and its
verdict: `<!--claim eager_vs_walkthrough_decode: one round-->`.
tests/why_slow/test_claims.py checks every marker against `verdicts()` computed from
docs/why-slow/benchmark.json, so a new `make bench` that changes a ranking fails
until the sentence is rewritten. The verdicts (bench.report.compare):

- "lower" / "higher": every round of the first figure lies below / above every
  round of the second;
- "overlap": their spreads overlap: the ranking is not reliable in this run;
- "one round": the run timed each figure once, so there is no spread to tell.
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


def claims(data: dict) -> dict[str, tuple[tuple, tuple, int]]:
    """{name: (first figure's span, second's, rounds)}: what each claim compares."""
    rounds = data["rounds"]
    found = {}
    base = data["baseline"]
    for name in ("int4", "int8", "fp32", "1-thread", "eager-attention", "no-kv-cache"):
        key = name.replace("-", "_")
        found[f"{key}_vs_walkthrough_decode"] = (decode(data, name),
                                                 decode(data, base), rounds)
    found["int4_vs_int8_decode"] = (decode(data, "int4"), decode(data, "int8"), rounds)
    for name in ("int4", "int8"):
        found[f"{name}_vs_walkthrough_prefill"] = (prefill(data, name),
                                                   prefill(data, base), rounds)
    for peer in data["peers"]:
        key = peer["name"].split("-")[0].replace(".", "_")  # ort, llama_cpp
        found[f"{key}_vs_int4_decode"] = (decode(data, peer["name"]),
                                          decode(data, data["recommended"]), rounds)
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


def verdicts(data: dict) -> dict[str, str]:
    """{claim: "lower", "higher", "overlap" or "one round"}; and "the run": whether
    the run has "one round" or "several rounds" (what the pages say of it)."""
    found = {name: report.compare(a, b, rounds)
             for name, (a, b, rounds) in claims(data).items()}
    found["the_run"] = "one round" if data["rounds"] < 2 else "several rounds"
    return found
