"""Turn docs/why-slow/benchmark.json into the Markdown the pages include.

    python -m bench.report            # rewrite bench/output/*.txt from the JSON
    python -m bench.report --check    # exit 1 if they are stale

`make bench` runs this after measuring; both language pages of "Why is it slow on a CPU?"
include bench/output/summary.txt and table.md (a Markdown table, so it fits or
scrolls visibly on any screen), so no measured number is typed; table.txt is the
same table as plain text, for the terminal. The section on other runtimes includes
peers-rows.md, the rows of its side-by-side table (each page writes the header in its
own language); peers.txt is that table for the terminal. "Why servers batch" includes
batching.md and batching-summary.txt ("batching", from bench/batching.py); "Where the
int4 recipe loses time" profile.md, kernel.md and groups.md ("profile").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.paths import ROOT

DEFAULT_JSON = ROOT / "docs" / "why-slow" / "benchmark.json"
OUTPUT = ROOT / "bench" / "output"
GB = 1000**3

RECIPE_KEYS = {
    "name": str, "settings": dict, "prompt_tokens": int, "new_tokens": int,
    "load_s": float, "prefill_s": float, "decode_s_per_token": float,
    "decode_s_per_token_mean": float, "total_s": float, "bytes_per_token": int,
    "matmul_share": float, "rss_after_load_bytes": int, "peak_rss_bytes": int,
    "loadavg_before": list, "loadavg_after": list, "floor_s_per_token": float,
}
TOP_KEYS = {
    "schema": int, "mode": str, "date": str, "model": dict, "prompt": str,
    "new_tokens": int, "machine": dict, "versions": dict,
    "bandwidth_bytes_per_s": dict, "bandwidth_samples": dict, "baseline": str, "recommended": str,
    "recipes": list, "peers": list,
}
# The runtimes a reader would pick instead (bench/peers.py), measured in the same run.
PEER_KEYS = {
    "name": str, "runtime": str, "how": str, "format": str, "version": str,
    "threads": int, "prompt_tokens": int, "new_tokens": int, "load_s": float,
    "prefill_s": float, "decode_s_per_token": float, "decode_s_per_token_mean": float,
    "total_s": float, "bytes_per_token": int, "file_bytes": int, "convert_s": float,
    "rss_after_load_bytes": int, "peak_rss_bytes": int, "loadavg_before": list,
    "loadavg_after": list, "floor_s_per_token": float, "weights": dict,
}


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
        if kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, kind):
            problems.append(f"{where}{key}: expected {kind.__name__}, got {value!r}")
    return problems


def validate(data: dict) -> None:
    """Raise ValueError naming every missing or mistyped field."""
    problems = mistyped("", data, TOP_KEYS)
    for index, recipe in enumerate(data.get("recipes") or []):
        problems += mistyped(f"recipes[{index}].", recipe, RECIPE_KEYS)
    for index, peer in enumerate(data.get("peers") or []):
        problems += mistyped(f"peers[{index}].", peer, PEER_KEYS)
        same = {"prompt_tokens": (data.get("recipes") or [{}])[0].get("prompt_tokens"),
                "new_tokens": data.get("new_tokens")}
        for key, value in same.items():
            if peer.get(key) != value:
                problems.append(f"peers[{index}].{key}: {peer.get(key)!r}, "
                                f"but the recipes have {value!r}")
    names = [recipe.get("name") for recipe in data.get("recipes") or []]
    for role in ("baseline", "recommended"):
        if data.get(role) not in names:
            problems.append(f"{role} {data.get(role)!r} is not among the recipes {names}")
    if "batching" in data:
        problems += validate_batching(data["batching"])
    if "profile" in data:
        problems += profile_problems(data["profile"])
    if problems:
        raise ValueError("benchmark JSON: " + "; ".join(problems))


def recipe(data: dict, name: str) -> dict:
    return next(r for r in data["recipes"] if r["name"] == name)


def peer(data: dict, name: str) -> dict:
    return next(r for r in data["peers"] if r["name"] == name)


def speedup(data: dict, name: str) -> float:
    """How many times faster than the baseline, over the whole generation."""
    return recipe(data, data["baseline"])["total_s"] / recipe(data, name)["total_s"]


def all_cores_bandwidth(data: dict) -> float:
    speeds = data["bandwidth_bytes_per_s"]
    return speeds.get(str(data["machine"]["cores"]), max(speeds.values()))


def matmul_bandwidth(r: dict) -> float:
    """Bytes per second the matrix products read: bytes / (decode time in matmul)."""
    return r["bytes_per_token"] / (r["decode_s_per_token"] * r["matmul_share"])


HEADER = ["recipe", "prefill s", "decode s/token", "floor s/token", "x floor",
          "total s", "speed-up", "peak GB", "in matmul", "matmul GB/s", "load avg"]


def rows(data: dict) -> list[list[str]]:
    """The measurements, one row of cells per recipe."""
    found = []
    for r in data["recipes"]:
        decode, floor = r["decode_s_per_token"], r["floor_s_per_token"]
        found.append([
            r["name"], f"{r['prefill_s']:.2f}", f"{decode:.3f}", f"{floor:.3f}",
            f"{decode / floor:.1f}", f"{r['total_s']:.1f}",
            f"{speedup(data, r['name']):.1f}x", f"{r['peak_rss_bytes'] / GB:.1f}",
            f"{r['matmul_share']:.0%}", f"{matmul_bandwidth(r) / GB:.1f}",
            f"{r['loadavg_before'][0]:.1f} -> {r['loadavg_after'][0]:.1f}",
        ])
    return found


def markdown_table(data: dict) -> str:
    """The measurements as a Markdown table (the pages show this one)."""
    lines = [HEADER, ["---"] + ["---:"] * (len(HEADER) - 1)]
    lines += [[f"`{row[0]}`", *row[1:-1], row[-1].replace("->", "→")]
              for row in rows(data)]
    return "".join("| " + " | ".join(cells) + " |\n" for cells in lines)


def table(data: dict) -> str:
    """The measurements, one row per recipe, as aligned plain text."""
    cells = [HEADER] + rows(data)
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER))]
    lines = ["  ".join([row[0].ljust(widths[0])] + [
        cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]).rstrip()
        for row in cells]
    return "\n".join(lines) + "\n"


def summary(data: dict) -> str:
    """Where, when and with what the numbers were measured, and the headline."""
    machine, versions = data["machine"], data["versions"]
    base, best = recipe(data, data["baseline"]), recipe(data, data["recommended"])
    flags = " ".join(flag for flag, present in machine["flags"].items() if present)
    bandwidth = ", ".join(
        f"{value / GB:.1f} GB/s with {threads} thread{'s' if threads != '1' else ''}"
        for threads, value in sorted(data["bandwidth_bytes_per_s"].items(),
                                     key=lambda item: -int(item[0])))
    loads = [value for r in data["recipes"]
             for value in (r["loadavg_before"][0], r["loadavg_after"][0])]

    def lines(r: dict) -> list[tuple[str, str]]:
        decode, floor = r["decode_s_per_token"], r["floor_s_per_token"]
        return [
            (r["name"], f"{r['total_s']:.1f} s in all: prefill {r['prefill_s']:.2f} s, "
                        f"then {decode:.3f} s per token (median)"),
            ("", f"floor {floor:.3f} s per token: {decode / floor:.1f}x the floor"),
            ("", f"{r['matmul_share']:.0%} of a decode step in matrix products, "
                 f"reading {matmul_bandwidth(r) / GB:.1f} GB/s"),
        ]

    fields = [
        ("date", data["date"]),
        ("cpu", f"{machine['cpu']}, {machine['cores']} cores, "
                f"{machine['ram_bytes'] / GB:.0f} GB RAM"),
        ("cpu flags", flags or "-"),
        ("versions", f"Python {versions['python']}, torch {versions['torch']}, "
                     f"transformers {versions['transformers']}"),
        ("model", f"Phi-3-mini, {data['model']['sizes']}, {data['model']['weights']}"),
        ("generation", f"{base['prompt_tokens']} prompt tokens, "
                       f"{data['new_tokens']} new tokens, greedy"),
        ("bandwidth", bandwidth),
        *lines(base),
        *lines(best),
        ("speed-up", f"{speedup(data, best['name']):.1f}x "
                     f"(total time, {base['name']} / {best['name']})"),
        ("peak memory", f"{base['peak_rss_bytes'] / GB:.1f} GB ({base['name']}), "
                        f"{best['peak_rss_bytes'] / GB:.1f} GB ({best['name']})"),
        ("load average", f"{min(loads):.1f} to {max(loads):.1f} (1 minute; the "
                         f"benchmark alone accounts for up to {machine['cores']})"),
    ]
    if data["mode"] == "quick":
        fields.insert(0, ("mode", "quick: a tiny model, NOT Phi-3-mini's size"))
    width = max(len(key) for key, _ in fields)
    return "".join(f"{key.ljust(width)}  {value}\n" for key, value in fields)


# ---------------------------------------------------------------- batching

BATCHING_KEYS = {
    "recipe": str, "threads": int, "prompt_tokens": int, "warmup_steps": int,
    "timed_steps": int, "weight_bytes_per_step": int, "weights_per_step": int,
    "peak_matmul_flops": float, "peak_matmul_shape": list, "batches": list,
    "peak_rss_bytes": int, "loadavg_before": list, "loadavg_after": list,
}
BATCH_KEYS = {
    "batch_size": int, "prefill_s": float, "s_per_step": float,
    "s_per_step_samples": list, "tokens_per_s": float, "cache_tokens_per_row": int,
}
BATCHING_HEADER = ["batch size", "decode s/step", "tokens/s", "step time vs batch 1",
                   "tokens/s vs batch 1", "FLOPs per weight byte"]


def validate_batching(batching: dict) -> list[str]:
    """The problems of the "batching" part (bench/batching.py), if any."""
    problems = mistyped("batching.", batching, BATCHING_KEYS)
    for index, batch in enumerate(batching.get("batches") or []):
        problems += mistyped(f"batching.batches[{index}].", batch, BATCH_KEYS)
    return problems


def arithmetic_intensity(batching: dict, batch_size: int) -> float:
    """FLOPs per byte of weights in a decode step: a multiply and an add per weight
    and row, the weights read once for all the rows."""
    return 2 * batch_size * batching["weights_per_step"] / batching[
        "weight_bytes_per_step"]


def machine_balance(data: dict) -> float:
    """FLOPs the CPU can do (a large bfloat16 matrix product) per byte it reads."""
    return data["batching"]["peak_matmul_flops"] / all_cores_bandwidth(data)


def batching_rows(data: dict) -> list[list[str]]:
    batching = data["batching"]
    first = batching["batches"][0]
    return [[
        str(b["batch_size"]), f"{b['s_per_step']:.3f}", f"{b['tokens_per_s']:.1f}",
        f"{b['s_per_step'] / first['s_per_step']:.2f}x",
        f"{b['tokens_per_s'] / first['tokens_per_s']:.1f}x",
        f"{arithmetic_intensity(batching, b['batch_size']):.0f}",
    ] for b in batching["batches"]]


def batching_markdown(data: dict) -> str:
    """One row per batch size (the pages show this table)."""
    lines = [BATCHING_HEADER, ["---:"] * len(BATCHING_HEADER), *batching_rows(data)]
    return "".join("| " + " | ".join(cells) + " |\n" for cells in lines)


def batching_summary(data: dict) -> str:
    """How the batch sizes were measured, and what the CPU can compute per byte."""
    batching = data["batching"]
    rows, cols, inner = (batching["peak_matmul_shape"][i] for i in (0, 2, 1))
    loads = [batching["loadavg_before"][0], batching["loadavg_after"][0]]
    fields = [
        ("recipe", f"{batching['recipe']}, {batching['threads']} threads"),
        ("per batch size", f"{batching['prompt_tokens']} prompt tokens in every row "
                           f"(the same prompt), a KV cache, {batching['warmup_steps']} "
                           f"decode steps of warm-up, then the median of "
                           f"{batching['timed_steps']}, the batch sizes in turns"),
        ("peak compute", f"{batching['peak_matmul_flops'] / 1e9:.0f} GFLOP/s (bfloat16 "
                         f"matrix product, {rows} x {inner} by {inner} x {cols})"),
        ("bandwidth", f"{all_cores_bandwidth(data) / GB:.1f} GB/s"),
        ("balance", f"{machine_balance(data):.0f} FLOPs per byte read"),
        ("load average", f"{loads[0]:.1f} -> {loads[1]:.1f} (1 minute)"),
    ]
    if data["mode"] == "quick":
        fields.insert(0, ("mode", "quick: a tiny model, NOT Phi-3-mini's size"))
    width = max(len(key) for key, _ in fields)
    return "".join(f"{key.ljust(width)}  {value}\n" for key, value in fields)
# ------------------------------------------------- where a decode step goes (profile)

PROFILE_KEYS = {"recipe": str, "threads": int, "decode_steps": int, "step_s": float,
                "profiled_step_s": float, "rows": list, "kernel": dict,
                "group_sizes": dict}
KERNEL_KEYS = {"matrices": int, "bytes": int, "s": float}
MB = 1000**2


def profile_problems(profile: dict) -> list[str]:
    problems = mistyped("profile.", profile, PROFILE_KEYS)
    for name, kernel in (profile.get("kernel") or {}).items():
        problems += mistyped(f"profile.kernel.{name}.", kernel, KERNEL_KEYS)
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


def profile_markdown(data: dict) -> str:
    """One decode step of the recommended recipe, operator by operator."""
    profile = data["profile"]
    step = profile["profiled_step_s"]
    lines = [["where the time goes", "ms per step", "share"], ["---", "---:", "---:"]]
    for r in profile["rows"]:
        name = r["row"]
        if name.startswith("matmul "):
            name = f"matrix kernel: `{name.removeprefix('matmul ')}`"
        lines.append([name, f"{r['s'] * 1e3:.1f}", f"{r['s'] / step:.0%}"])
    lines.append([f"**decode step, profiled** (mean of {profile['decode_steps']})",
                  f"**{step * 1e3:.1f}**", "**100%**"])
    lines.append(["decode step without the profiler (median)",
                  f"{profile['step_s'] * 1e3:.1f}", ""])
    return "".join("| " + " | ".join(cells) + " |\n" for cells in lines)


def kernel_markdown(data: dict) -> str:
    """The matrix kernel alone, per kind of projection: the bandwidth it achieves."""
    profile = data["profile"]
    lines = [["matrices", "count", "MB per token", "ms per token", "GB/s"],
             ["---", "---:", "---:", "---:", "---:"]]
    kernels = {**profile["kernel"], "all": kernel_total(profile)}
    for name, k in kernels.items():
        label = "**all**" if name == "all" else f"`{name}`"
        lines.append([label, str(k["matrices"]), f"{k['bytes'] / MB:,.0f}",
                      f"{k['s'] * 1e3:.1f}", f"{k['bytes'] / k['s'] / GB:.1f}"])
    return "".join("| " + " | ".join(cells) + " |\n" for cells in lines)


def groups_markdown(data: dict) -> str:
    """The int4 kernel alone with groups of 32 to 256 weights: bytes and speed."""
    lines = [["group size", "bytes per weight", "MB read", "ms", "GB/s"],
             ["---:", "---:", "---:", "---:", "---:"]]
    for group, g in data["profile"]["group_sizes"].items():
        lines.append([group, f"{g['bytes'] / g['weights']:g}", f"{g['bytes'] / MB:,.0f}",
                      f"{g['s'] * 1e3:.1f}", f"{g['bytes'] / g['s'] / GB:.1f}"])
    return "".join("| " + " | ".join(cells) + " |\n" for cells in lines)


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


PEER_HEADER = ["runtime", "weights", "GB read per token", "floor s/token",
               "decode s/token", "x floor", "prefill s", "total s", "peak GB"]


def peer_rows(data: dict) -> list[list[str]]:
    found = []
    for r in side_by_side(data):
        decode, floor = r["decode_s_per_token"], r["floor_s_per_token"]
        found.append([
            r["name"], r["format"], f"{r['bytes_per_token'] / GB:.2f}", f"{floor:.3f}",
            f"{decode:.3f}", f"{decode / floor:.1f}", f"{r['prefill_s']:.2f}",
            f"{r['total_s']:.1f}", f"{r['peak_rss_bytes'] / GB:.1f}",
        ])
    return found


def peer_markdown_rows(data: dict) -> str:
    """The rows of the side-by-side table; each page writes the header in its language."""
    return "".join(f"| `{row[0]}` | " + " | ".join(row[1:]) + " |\n"
                   for row in peer_rows(data))


def peer_table(data: dict) -> str:
    cells = [PEER_HEADER] + peer_rows(data)
    widths = [max(len(row[i]) for row in cells) for i in range(len(PEER_HEADER))]
    return "".join("  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1])] + [
        cell.rjust(width) for cell, width in zip(row[2:], widths[2:])]).rstrip() + "\n"
        for row in cells)


def rendered(data: dict) -> dict[str, str]:
    """{file name: text} of everything derived from the JSON."""
    found = {"summary.txt": summary(data), "table.txt": table(data),
             "table.md": markdown_table(data), "peers.txt": peer_table(data),
             "peers-rows.md": peer_markdown_rows(data)}
    if "batching" in data:
        found.update({"batching.md": batching_markdown(data),
                      "batching-summary.txt": batching_summary(data)})
    if "profile" in data:
        found.update({"profile.md": profile_markdown(data),
                      "kernel.md": kernel_markdown(data),
                      "groups.md": groups_markdown(data)})
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
    if args.check:
        stale = [name for name, text in rendered(data).items()
                 if not (args.out / name).exists()
                 or (args.out / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"stale: {args.out / name}")
        return 1 if stale else 0
    for path in write(data, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
