"""Turn docs/why-slow/benchmark.json into the Markdown the pages include.

    python -m bench.report            # rewrite bench/output/ from the JSON
    python -m bench.report --check    # exit 1 if a file there is stale or orphaned

`make bench` runs this after measuring, so no measured number on a page is typed.
Every included file exists in each language of the site: `name.md` (English) and
`name.zh.md` (Chinese: headers and words from mkdocs.yml's strings); both pages
write the same include line and the Chinese build reads the `.zh` file (tools.site, like the figures). Every figure
of a run of several rounds is shown as its median (min–max); a run of one round has
no spread, and its summary says so. table.txt and peers.txt are the tables as plain
text, for the terminal.

This module also judges a run before bench.phi3_cpu writes it (`quality`): other
processes' share of the CPUs, and checks that its figures agree with each other; and
states how two figures compare over the rounds (`compare`), which the pages' prose
states with a marker that tests/why_slow/test_claims.py checks.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from tools import site
from tools.paths import ROOT

DEFAULT_JSON = ROOT / "docs" / "why-slow" / "benchmark.json"
OUTPUT = ROOT / "bench" / "output"
GB = 1000**3

RECIPE_KEYS = {
    "name": str, "settings": dict, "prompt_tokens": int, "new_tokens": int,
    "load_s": float, "prefill_s": float, "decode_s_per_token": float,
    "decode_s_per_token_mean": float, "total_s": float, "bytes_per_token": int,
    "rss_after_load_bytes": int, "peak_rss_bytes": int, "floor_s_per_token": float,
    "rounds": int, "samples": dict,
}
TOP_KEYS = {
    "schema": int, "mode": str, "date": str, "cpu_kind": str, "rounds": int,
    "model": dict, "prompt": str, "new_tokens": int, "machine": dict, "versions": dict,
    "bandwidth_bytes_per_s": dict, "bandwidth_samples": dict, "baseline": str,
    "recommended": str, "recipes": list, "peers": list, "quality": dict,
    "other_cpus": list,
}
# The runtimes a reader would pick instead (bench/peers.py), measured in the same run.
PEER_KEYS = {
    "name": str, "runtime": str, "how": str, "format": str, "version": str,
    "threads": int, "prompt_tokens": int, "new_tokens": int, "load_s": float,
    "prefill_s": float, "decode_s_per_token": float, "decode_s_per_token_mean": float,
    "total_s": float, "bytes_per_token": int, "file_bytes": int, "convert_s": float,
    "rss_after_load_bytes": int, "peak_rss_bytes": int, "floor_s_per_token": float,
    "weights": dict, "rounds": int, "samples": dict,
}
QUALITY_KEYS = {"rounds": int, "max_others_share": float, "problems": list,
                "noisy": bool}


def words(language: str) -> dict:
    """The words of the tables and summaries in `language`: mkdocs.yml's
    `extra: strings: <language>: bench:`, where every language's words live."""
    return site.load().text("bench", language)


def load(path: Path = DEFAULT_JSON) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    validate(data)
    return data


def mistyped(where: str, mapping: dict, keys: dict) -> list[str]:
    """A line for every key of `keys` missing from `mapping` or not of its type (an
    int passes for a float)."""
    problems = []
    for key, kind in keys.items():
        value = mapping.get(key)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind):
            problems.append(f"{where}{key}: expected {kind.__name__}, got {value!r}")
    return problems


def validate(data: dict, where: str = "") -> None:
    """Raise ValueError naming every missing or mistyped field."""
    problems = run_problems(data, where)
    for index, other in enumerate(data.get("other_cpus") or []):
        problems += run_problems({**other, "other_cpus": []}, f"other_cpus[{index}].")
        if other.get("cpu_kind") == data.get("cpu_kind"):
            problems.append(f"other_cpus[{index}]: a second run of "
                            f"{data.get('cpu_kind')!r}: one run per kind of CPU")
    if problems:
        raise ValueError("benchmark JSON: " + "; ".join(problems))


def run_problems(data: dict, where: str) -> list[str]:
    problems = mistyped(where, data, TOP_KEYS)
    quality = data.get("quality") or {}
    others = quality.get("max_others_share", 0.0)
    problems += mistyped(f"{where}quality.", {**quality, "max_others_share": (
        0.0 if others is None else others)}, QUALITY_KEYS)
    for index, recipe in enumerate(data.get("recipes") or []):
        problems += mistyped(f"{where}recipes[{index}].", recipe, RECIPE_KEYS)
    for index, peer in enumerate(data.get("peers") or []):
        problems += mistyped(f"{where}peers[{index}].", peer, PEER_KEYS)
        same = {"prompt_tokens": (data.get("recipes") or [{}])[0].get("prompt_tokens"),
                "new_tokens": data.get("new_tokens")}
        for key, value in same.items():
            if peer.get(key) != value:
                problems.append(f"{where}peers[{index}].{key}: {peer.get(key)!r}, "
                                f"but the recipes have {value!r}")
    names = [recipe.get("name") for recipe in data.get("recipes") or []]
    for role in ("baseline", "recommended"):
        if data.get(role) not in names:
            problems.append(f"{where}{role} {data.get(role)!r} is not among the "
                            f"recipes {names}")
    if "batching" in data:
        problems += validate_batching(data["batching"], where)
    if "profile" in data:
        problems += profile_problems(data["profile"], where)
    return problems


def recipe(data: dict, name: str) -> dict:
    return next(r for r in data["recipes"] if r["name"] == name)


def peer(data: dict, name: str) -> dict:
    return next(r for r in data["peers"] if r["name"] == name)


# ---------------------------------------------------------------- spreads


def samples(part: dict, path: str) -> list[float]:
    """A figure's values, one per round (bench.phi3_cpu.aggregate); a run of one
    round has one."""
    found = (part.get("samples") or {}).get(path)
    if found:
        return found
    value = part
    for key in path.split("."):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return [value]


def span(part: dict, path: str) -> tuple[float, float, float]:
    """(median, smallest, largest) of a figure over the rounds."""
    values = samples(part, path)
    return statistics.median(values), min(values), max(values)


def ratio_span(top: tuple, bottom: tuple) -> tuple[float, float, float]:
    """The span of top / bottom, from the spans of both."""
    return top[0] / bottom[0], top[1] / bottom[2], top[2] / bottom[1]


def scaled(span_: tuple, factor: float) -> tuple[float, float, float]:
    return tuple(value * factor for value in span_)


def spread_text(span_: tuple, digits: str, rounds: int, suffix: str = "") -> str:
    """'0.780' for one round; '0.780 (0.751–0.812)' for several: median (min–max)."""
    median, low, high = span_
    text = f"{median:{digits}}{suffix}"
    if rounds > 1:
        text += f" ({low:{digits}}–{high:{digits}})"
    return text


def compare(a: tuple, b: tuple, rounds: int) -> str:
    """How a figure compares with another over the rounds: "lower" or "higher" when
    every round of one lies below every round of the other, "overlap" when their
    spreads overlap (the ranking is not reliable here), "one round" when there is no
    spread to tell (a run of one round)."""
    if rounds < 2:
        return "one round"
    if a[2] < b[1]:
        return "lower"
    if a[1] > b[2]:
        return "higher"
    return "overlap"


def agree(a: tuple, b: tuple, slack: float) -> bool:
    """Two spans overlap once each is widened by `slack` (a share of its median)."""
    return a[1] - slack * a[0] <= b[2] + slack * b[0] and (
        b[1] - slack * b[0] <= a[2] + slack * a[0])


# ---------------------------------------------------------------- quality

SLACK = 0.10  # what two ways of timing the same step may differ by (overhead, jitter)


def parts(data: dict) -> dict[str, dict]:
    """Every timed part of a run by name: recipes, peers, batching, profile."""
    found = {r["name"]: r for r in data["recipes"]}
    found.update({p["name"]: p for p in data["peers"]})
    for kind in ("batching", "profile"):
        if kind in data:
            found[kind] = data[kind]
    return found


def others_shares(data: dict) -> dict[str, float | None]:
    """Each part's largest share of the CPUs other processes took while it timed
    itself (None: not measured, a run from before the benchmark measured it)."""
    found = {}
    for name, part in parts(data).items():
        shares = (part.get("samples") or {}).get("others.others_share")
        if shares is None and part.get("others"):
            shares = [part["others"]["others_share"]]
        found[name] = max(shares) if shares else None
    return found


def consistency_problems(data: dict) -> list[str]:
    """What a run says that it can't all be true: the checks before it is written."""
    problems = []
    rounds = data["rounds"]
    short = [name for name, part in parts(data).items()
             if part.get("rounds", 1) < rounds]
    if short:
        problems.append(f"fewer than {rounds} rounds: {', '.join(short)}")
    for part in data["recipes"] + data["peers"]:
        if span(part, "decode_s_per_token")[0] < (1 - SLACK) * part["floor_s_per_token"]:
            problems.append(f"{part['name']} decodes faster than its floor: the "
                            "bandwidth measured too low")
    names = {r["name"] for r in data["recipes"]}
    if "batching" in data and data["baseline"] in names:
        batching = data["batching"]
        first = span(batching, "batches.0.s_per_step")
        walk = span(recipe(data, data["baseline"]), "decode_s_per_token")
        if not agree(first, walk, SLACK):
            problems.append(
                f"batch size 1 steps in {spread_text(first, '.3f', rounds)} s, the "
                f"{data['baseline']} recipe, the same model, in "
                f"{spread_text(walk, '.3f', rounds)} s")
        for index, batch in enumerate(batching["batches"][1:], start=1):
            step = span(batching, f"batches.{index}.s_per_step")
            size = batch["batch_size"]
            if step[0] < (1 - SLACK) * first[0]:
                problems.append(f"a step of batch size {size} is shorter than one "
                                f"of batch size 1 ({step[0]:.3f} against "
                                f"{first[0]:.3f} s)")
    if "profile" in data and data["profile"]["recipe"] in names:
        profiled = span(data["profile"], "step_s")
        timed = span(recipe(data, data["profile"]["recipe"]), "decode_s_per_token")
        if not agree(profiled, timed, SLACK):
            problems.append(f"the profile's unprofiled step ({profiled[0]:.3f} s) "
                            f"and the {data['profile']['recipe']} recipe's decode "
                            f"step ({timed[0]:.3f} s) disagree")
    return problems


def quality(data: dict, max_others: float) -> dict:
    """Was the machine quiet, and does the run agree with itself? Its problems."""
    shares = others_shares(data)
    measured = [share for share in shares.values() if share is not None]
    worst = max(measured) if measured else None
    problems = []
    unmeasured = [name for name, share in shares.items() if share is None]
    if unmeasured:
        problems.append("other processes' share of the CPUs not measured: "
                        + ", ".join(unmeasured))
    busy = {name: share for name, share in shares.items()
            if share is not None and share > max_others}
    if busy:
        problems.append(f"other processes took more than {max_others:.0%} of the "
                        "CPUs while these parts timed: " + ", ".join(
                            f"{name} {share:.0%}" for name, share in busy.items()))
    problems += consistency_problems(data)
    return {"rounds": data["rounds"], "max_others_share": worst,
            "limit": max_others, "problems": problems, "noisy": bool(problems)}


def other_cpus(committed: dict | None, kind: str) -> list[dict]:
    """The committed runs to keep beside a new run of `kind`: one per other kind of
    CPU (the committed run of the same kind is replaced)."""
    if committed is None:
        return []
    runs = [{k: v for k, v in committed.items() if k != "other_cpus"},
            *committed.get("other_cpus", [])]
    return [run for run in runs if run.get("cpu_kind") != kind]


def runs(data: dict) -> list[dict]:
    """The run of the page first, then the other kinds of CPU."""
    return [data, *data.get("other_cpus", [])]


def cpu_label(run: dict, language: str = "en") -> str:
    return words(language)["cpu_labels"].get(run["cpu_kind"], run["cpu_kind"])


# ---------------------------------------------------------------- recipes


def speedup(data: dict, name: str) -> tuple[float, float, float]:
    """How many times faster than the baseline, over the whole generation."""
    return ratio_span(span(recipe(data, data["baseline"]), "total_s"),
                      span(recipe(data, name), "total_s"))


def x_floor(part: dict) -> tuple[float, float, float]:
    return scaled(span(part, "decode_s_per_token"), 1 / part["floor_s_per_token"])


def all_cores_bandwidth(data: dict) -> float:
    speeds = data["bandwidth_bytes_per_s"]
    return speeds.get(str(data["machine"]["cores"]), max(speeds.values()))


def matmul_bandwidth(r: dict) -> float | None:
    """Bytes per second the matrix products of a profiled decode step read."""
    if r.get("matmul_s") is None:
        return None
    return r["bytes_per_token"] / r["matmul_s"]


def rows(data: dict, language: str = "en") -> list[list[str]]:
    """The measurements, one row of cells per recipe: medians (min–max)."""
    found, n = [], data["rounds"]
    shares = others_shares(data)
    none = words(language)["not_measured"]
    for r in data["recipes"]:
        share, speed = r.get("matmul_share"), matmul_bandwidth(r)
        found.append([
            r["name"], spread_text(span(r, "prefill_s"), ".2f", n),
            spread_text(span(r, "decode_s_per_token"), ".3f", n),
            f"{r['floor_s_per_token']:.3f}", spread_text(x_floor(r), ".1f", n),
            spread_text(span(r, "total_s"), ".1f", n),
            # a recipe that generated fewer tokens (no-kv-cache): not comparable
            spread_text(speedup(data, r["name"]), ".1f", n, "x")
            if r["new_tokens"] == data["new_tokens"] else "–",
            f"{r['peak_rss_bytes'] / GB:.1f}",
            none if share is None else f"{share:.0%}",
            none if speed is None else f"{speed / GB:.1f}",
            none if shares[r["name"]] is None else f"{shares[r['name']]:.1%}",
        ])
    return found


def markdown(header: list[str], body: list[list[str]], left: int = 1) -> str:
    lines = [header, ["---"] * left + ["---:"] * (len(header) - left), *body]
    return "".join("| " + " | ".join(cells) + " |\n" for cells in lines)


def markdown_table(data: dict, language: str = "en") -> str:
    """The measurements as a Markdown table (the pages show this one)."""
    return markdown(words(language)["header"], [[f"`{row[0]}`", *row[1:]]
                                       for row in rows(data, language)])


def table(data: dict) -> str:
    """The measurements, one row per recipe, as aligned plain text."""
    cells = [words("en")["header"]] + rows(data)
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = ["  ".join([row[0].ljust(widths[0])] + [
        cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]).rstrip()
        for row in cells]
    return "\n".join(lines) + "\n"


def summary(data: dict, language: str = "en") -> str:
    """Where, when and with what the numbers were measured, and how quietly."""
    said = words(language)["summary"]
    machine, versions = data["machine"], data["versions"]
    base = recipe(data, data["baseline"])
    flags = " ".join(flag for flag, present in machine["flags"].items() if present)
    bandwidth = said["bandwidth_separator"].join(
        said["bandwidth_text_one" if threads == "1" else "bandwidth_text"].format(
            value=value / GB, threads=threads)
        for threads, value in sorted(data["bandwidth_bytes_per_s"].items(),
                                     key=lambda item: -int(item[0])))
    check = data["quality"]
    share = check["max_others_share"]
    fields = [
        (said["date"], data["date"]),
        (said["cpu"], said["cores"].format(cpu=machine["cpu"], cores=machine["cores"],
                                             ram=machine["ram_bytes"] / GB)),
        (said["flags"], flags or "-"),
        (said["versions"], said["versions_text"].format(**versions)),
        (said["model"], said["model_text"].format(
            sizes=words(language)["sizes"][data["model"]["sizes"]])),
        (said["generation"], said["generation_text"].format(
            prompt=base["prompt_tokens"], new=data["new_tokens"])),
        (said["bandwidth"], bandwidth),
        (said["rounds"], said["one_round"] if data["rounds"] < 2 else
         said["rounds_text"].format(n=data["rounds"])),
        (said["others"], said["others_none"] if share is None else
         said["others_text"].format(share=share, limit=check["limit"])),
    ]
    fields.append((said["verdict"], said["noisy"].format(
        problems="; ".join(check["problems"]), count=len(check["problems"]))
        if check["noisy"] else said["quiet"]))
    if data["mode"] == "quick":
        fields.insert(0, said["mode"])
    width = max(_width(key) for key, _ in fields)
    return "".join(f"{key}{' ' * (width - _width(key))}  {value}\n"
                   for key, value in fields)


def _width(text: str) -> int:
    """Columns a text takes in a monospaced font: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


# ---------------------------------------------------------------- CPUs side by side

def cpus_markdown(data: dict, language: str = "en") -> str:
    """Decode seconds per token of every recipe and runtime on every kind of CPU
    the benchmark has a run of, side by side."""
    every = runs(data)
    names = list(dict.fromkeys(part["name"] for run in every
                               for part in run["recipes"] + run["peers"]))
    said = words(language)
    header = said["cpus_header"] + [
        said["cpus_column"].format(cpu=cpu_label(run, language), date=run["date"][:10])
        for run in every]
    body = []
    for name in names:
        cells = [f"`{name}`"]
        for run in every:
            found = parts(run).get(name)
            if found is None:
                cells.append("–")
                continue
            decode = spread_text(span(found, "decode_s_per_token"), ".3f",
                                 run["rounds"])
            cells.append(said["cpus_cell"].format(
                decode=decode, floor=x_floor(found)[0]))
        body.append(cells)
    return markdown(header, body)


# ---------------------------------------------------------------- batching

BATCHING_KEYS = {
    "recipe": str, "threads": int, "prompt_tokens": int, "warmup_steps": int,
    "timed_steps": int, "weight_bytes_per_step": int, "weights_per_step": int,
    "peak_matmul_flops": float, "peak_matmul_shape": list, "batches": list,
    "peak_rss_bytes": int, "rounds": int, "samples": dict,
}
BATCH_KEYS = {
    "batch_size": int, "s_per_step": float,
    "s_per_step_samples": list, "tokens_per_s": float, "cache_tokens_per_row": int,
}
def validate_batching(batching: dict, where: str = "") -> list[str]:
    """The problems of the "batching" part (bench/batching.py), if any."""
    problems = mistyped(f"{where}batching.", batching, BATCHING_KEYS)
    for index, batch in enumerate(batching.get("batches") or []):
        problems += mistyped(f"{where}batching.batches[{index}].", batch, BATCH_KEYS)
    return problems


def arithmetic_intensity(batching: dict, batch_size: int) -> float:
    """FLOPs per byte of weights in a decode step: a multiply and an add per weight
    and row, the weights read once for all the rows."""
    return 2 * batch_size * batching["weights_per_step"] / batching[
        "weight_bytes_per_step"]


def machine_balance(data: dict) -> float:
    """FLOPs the CPU can do (a large bfloat16 matrix product) per byte it reads."""
    return data["batching"]["peak_matmul_flops"] / all_cores_bandwidth(data)


def batch_span(data: dict, index: int) -> tuple[float, float, float]:
    return span(data["batching"], f"batches.{index}.s_per_step")


def batching_rows(data: dict) -> list[list[str]]:
    batching, n = data["batching"], data["batching"]["rounds"]
    first = batch_span(data, 0)
    found = []
    for index, b in enumerate(batching["batches"]):
        step = batch_span(data, index)
        size = b["batch_size"]
        tokens = (size / step[0], size / step[2], size / step[1])
        found.append([
            str(size), spread_text(step, ".3f", n), spread_text(tokens, ".1f", n),
            spread_text(ratio_span(step, first), ".2f", n, "x"),
            spread_text(scaled(ratio_span(first, step), size), ".1f", n, "x"),
            f"{arithmetic_intensity(batching, size):.0f}",
        ])
    found[0][3:5] = ["1.00x", "1.0x"]  # batch size 1 against itself
    return found


def batching_markdown(data: dict, language: str = "en") -> str:
    """One row per batch size (the pages show this table)."""
    return markdown(words(language)["batching_header"], batching_rows(data), left=0)


def batching_summary(data: dict, language: str = "en") -> str:
    """How the batch sizes were measured, and what the CPU can compute per byte."""
    said = words(language)["batching_summary"]
    batching = data["batching"]
    rows_, cols, inner = (batching["peak_matmul_shape"][i] for i in (0, 2, 1))
    n = batching["rounds"]
    fields = [
        (said["recipe"], said["recipe_text"].format(recipe=batching["recipe"],
                                                      threads=batching["threads"])),
        (said["per"], said["per_text"].format(
            prompt=batching["prompt_tokens"], warmup=batching["warmup_steps"],
            steps=batching["timed_steps"])),
        (said["rounds"], said["rounds_one"] if n < 2 else
         said["rounds_text"].format(n=n)),
        (said["peak"], said["peak_text"].format(
            flops=batching["peak_matmul_flops"] / 1e9, rows=rows_, cols=cols,
            inner=inner)),
        (said["bandwidth"], f"{all_cores_bandwidth(data) / GB:.1f} GB/s"),
        (said["balance"], said["balance_text"].format(
            balance=machine_balance(data))),
    ]
    if data["mode"] == "quick":
        fields.insert(0, words(language)["summary"]["mode"])
    width = max(_width(key) for key, _ in fields)
    return "".join(f"{key}{' ' * (width - _width(key))}  {value}\n"
                   for key, value in fields)


# ------------------------------------------------- where a decode step goes (profile)

PROFILE_KEYS = {"recipe": str, "threads": int, "decode_steps": int, "step_s": float,
                "profiled_step_s": float, "rows": list, "kernel": dict,
                "group_sizes": dict, "rounds": int, "samples": dict}
KERNEL_KEYS = {"matrices": int, "bytes": int, "s": float}
MB = 1000**2
def profile_problems(profile: dict, where: str = "") -> list[str]:
    problems = mistyped(f"{where}profile.", profile, PROFILE_KEYS)
    for name, kernel in (profile.get("kernel") or {}).items():
        problems += mistyped(f"{where}profile.kernel.{name}.", kernel, KERNEL_KEYS)
    return problems


def profile_share(profile: dict, prefix: str) -> float:
    """The share of the profiled decode step in the rows whose name starts with
    `prefix` (the rows add up to the profiled step)."""
    seconds = sum(r["s"] for r in profile["rows"] if r["row"].startswith(prefix))
    return seconds / profile["profiled_step_s"]


def kernel_total(profile: dict) -> dict:
    """The kernel alone over every matrix of a token: matrices, bytes, seconds."""
    kernels = profile["kernel"].values()
    return {key: sum(k[key] for k in kernels) for key in KERNEL_KEYS}


def kernel_total_span(profile: dict) -> tuple[float, float, float]:
    """The kernel alone over every matrix of a token, seconds over the rounds."""
    per_round = [sum(values) for values in zip(*(
        samples(profile, f"kernel.{name}.s") for name in profile["kernel"]))]
    return statistics.median(per_round), min(per_round), max(per_round)


def profile_markdown(data: dict, language: str = "en") -> str:
    """One decode step of the recommended recipe, operator by operator."""
    said = words(language)["profile"]
    profile = data["profile"]
    n = profile["rounds"]
    step = profile["profiled_step_s"]
    body = []
    for index, r in enumerate(profile["rows"]):
        name = r["row"]
        if name.startswith("matmul "):
            name = said["kernel"].format(name=name.removeprefix("matmul "))
        else:
            name = words(language)["row_names"].get(name, name)
        body.append([name, spread_text(scaled(span(profile, f"rows.{index}.s"), 1e3),
                                       ".1f", n), f"{r['s'] / step:.0%}"])
    body.append([said["profiled"].format(steps=profile["decode_steps"]),
                 "**" + spread_text(scaled(span(profile, "profiled_step_s"), 1e3),
                                    ".1f", n) + "**", "**100%**"])
    body.append([said["plain"], spread_text(scaled(span(profile, "step_s"), 1e3),
                                             ".1f", n), ""])
    return markdown(said["header"], body)




def kernel_markdown(data: dict, language: str = "en") -> str:
    """The matrix kernel alone, per kind of projection: the bandwidth it achieves."""
    profile = data["profile"]
    n = profile["rounds"]
    body = []
    spans = {name: span(profile, f"kernel.{name}.s") for name in profile["kernel"]}
    spans["all"] = kernel_total_span(profile)
    kernels = {**profile["kernel"], "all": kernel_total(profile)}
    for name, k in kernels.items():
        label = words(language)["all"] if name == "all" else f"`{name}`"
        seconds = spans[name]
        speed = (k["bytes"] / seconds[0] / GB, k["bytes"] / seconds[2] / GB,
                 k["bytes"] / seconds[1] / GB)
        body.append([label, str(k["matrices"]), f"{k['bytes'] / MB:,.0f}",
                     spread_text(scaled(seconds, 1e3), ".1f", n),
                     spread_text(speed, ".1f", n)])
    return markdown(words(language)["kernel_header"], body)


def groups_markdown(data: dict, language: str = "en") -> str:
    """The int4 kernel alone with groups of 32 to 256 weights: bytes and speed."""
    profile = data["profile"]
    n = profile["rounds"]
    body = []
    for group, g in profile["group_sizes"].items():
        seconds = span(profile, f"group_sizes.{group}.s")
        speed = (g["bytes"] / seconds[0] / GB, g["bytes"] / seconds[2] / GB,
                 g["bytes"] / seconds[1] / GB)
        body.append([group, f"{g['bytes'] / g['weights']:g}", f"{g['bytes'] / MB:,.0f}",
                     spread_text(scaled(seconds, 1e3), ".1f", n),
                     spread_text(speed, ".1f", n)])
    return markdown(words(language)["groups_header"], body, left=0)


# ---------------------------------------------------------------- other runtimes


def side_by_side(data: dict) -> list[dict]:
    """The baseline, the recommended recipe and every peer, as rows of one kind."""
    found = []
    for name in dict.fromkeys([data["baseline"], data["recommended"]]):
        r = recipe(data, name)
        found.append({**r, "runtime": "PyTorch (transformers)",
                      "format": _short(r["settings"])})
    return found + list(data["peers"])


def _short(settings: dict) -> str:
    """A recipe's matrices, as the table names formats: bf16, fp32, int8, int4."""
    if settings["int4"] or settings["int8"]:
        return "int4" if settings["int4"] else "int8"
    return {"bfloat16": "bf16", "float32": "fp32"}.get(settings["dtype"], settings["dtype"])


def peer_rows(data: dict, language: str = "en") -> list[list[str]]:
    found, n = [], data["rounds"]
    best = span(recipe(data, data["recommended"]), "decode_s_per_token")
    for r in side_by_side(data):
        decode = span(r, "decode_s_per_token")
        weights = r["format"]
        if "repacked" in r:
            key = "repacked" if r["repacked"] else "not_repacked"
            weights = words(language)[key].format(format=weights)
        found.append([
            r["name"], weights, f"{r['bytes_per_token'] / GB:.2f}",
            f"{r['floor_s_per_token']:.3f}", spread_text(decode, ".3f", n),
            spread_text(x_floor(r), ".1f", n),
            spread_text(ratio_span(best, decode), ".2f", n, "x"),
            spread_text(span(r, "prefill_s"), ".2f", n),
            spread_text(span(r, "total_s"), ".1f", n),
            f"{r['peak_rss_bytes'] / GB:.1f}",
        ])
    return found


def peer_markdown(data: dict, language: str = "en") -> str:
    """The runtimes side by side, in a page's language."""
    return markdown(words(language)["peer_header"], [[f"`{row[0]}`", *row[1:]]
                                            for row in peer_rows(data, language)],
                    left=2)


def peer_table(data: dict) -> str:
    cells = [words("en")["peer_header"]] + peer_rows(data)
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "".join("  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1])] + [
        cell.rjust(width) for cell, width in zip(row[2:], widths[2:])]).rstrip() + "\n"
        for row in cells)


def rendered(data: dict) -> dict[str, str]:
    """{file name: text} of everything derived from the JSON: the plain-text tables
    for the terminal, and each included file in every language (`name.md` English,
    `name.zh.md` Chinese: the Chinese page includes the same path, see
    tools.site.Page.skeleton)."""
    found = {"table.txt": table(data), "peers.txt": peer_table(data)}
    makers = {"summary.txt": summary, "table.md": markdown_table,
              "peers.md": peer_markdown, "cpus.md": cpus_markdown}
    if "batching" in data:
        makers.update({"batching.md": batching_markdown,
                       "batching-summary.txt": batching_summary})
    if "profile" in data:
        makers.update({"profile.md": profile_markdown, "kernel.md": kernel_markdown,
                       "groups.md": groups_markdown})
    for name, make in makers.items():
        stem, suffix = name.rsplit(".", 1)
        for language in site.load().codes:
            target = name if language == "en" else f"{stem}.{language}.{suffix}"
            found[target] = make(data, language)
    return found


def write(data: dict, folder: Path = OUTPUT) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered(data).items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="report stale files")
    args = parser.parse_args(argv)
    data = load(args.json)
    expected = rendered(data)
    if args.check:
        stale = [name for name, text in expected.items()
                 if not (args.out / name).exists()
                 or (args.out / name).read_text(encoding="utf-8") != text]
        orphans = sorted(p.name for p in args.out.glob("*") if p.name not in expected)
        for name in stale:
            print(f"stale: {args.out / name}")
        for name in orphans:
            print(f"orphaned: {args.out / name}")
        return 1 if stale or orphans else 0
    for path in write(data, args.out):
        print(path)
    for orphan in args.out.glob("*"):
        if orphan.name not in expected:
            orphan.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
