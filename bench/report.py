"""Turn docs/why-slow/benchmark.json into the Markdown the pages include.

    python -m bench.report            # rewrite bench/output/*.txt from the JSON
    python -m bench.report --check    # exit 1 if they are stale

`make bench` runs this after measuring; both language pages of "Why is it slow on a CPU?"
include bench/output/summary.txt and table.md (a Markdown table, so it fits or
scrolls visibly on any screen), so no measured number is typed; table.txt is the
same table as plain text, for the terminal. The section on other runtimes includes
peers-rows.md, the rows of its side-by-side table (each page writes the header in its
own language); peers.txt is that table for the terminal.
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


def validate(data: dict) -> None:
    """Raise ValueError naming every missing or mistyped field."""
    problems = []

    def check(where: str, mapping: dict, keys: dict) -> None:
        for key, kind in keys.items():
            value = mapping.get(key)
            if kind is float and isinstance(value, int):
                value = float(value)
            if not isinstance(value, kind):
                problems.append(f"{where}{key}: expected {kind.__name__}, got {value!r}")

    check("", data, TOP_KEYS)
    for index, recipe in enumerate(data.get("recipes") or []):
        check(f"recipes[{index}].", recipe, RECIPE_KEYS)
    for index, peer in enumerate(data.get("peers") or []):
        check(f"peers[{index}].", peer, PEER_KEYS)
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
    return {"summary.txt": summary(data), "table.txt": table(data),
            "table.md": markdown_table(data), "peers.txt": peer_table(data),
            "peers-rows.md": peer_markdown_rows(data)}


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
