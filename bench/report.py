"""Turn docs/why-slow/benchmark.json into the Markdown the pages include.

    python -m bench.report            # rewrite bench/output/*.md from the JSON
    python -m bench.report --check    # exit 1 if they are stale

`make bench` runs this after measuring; the page "Why is it slow on a CPU?" includes
bench/output/table.<lang>.md and summary.<lang>.md, so no measured number is typed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from tools.paths import ROOT

DEFAULT_JSON = ROOT / "docs" / "why-slow" / "benchmark.json"
OUTPUT = ROOT / "bench" / "output"
GB = 1000**3
LANGUAGES = ("en", "zh")

CHANGES = {  # recipe -> what differs from the walkthrough, per language
    "walkthrough": ("nothing: bf16, sdpa, KV cache, all cores",
                    "无：bf16、sdpa、KV 缓存、所有核心"),
    "fp32": ("float32 weights", "float32 权重"),
    "no-kv-cache": ("`use_cache=False`", "`use_cache=False`"),
    "1-thread": ("`torch.set_num_threads(1)`", "`torch.set_num_threads(1)`"),
    "eager-attention": ('`attn_implementation="eager"`', '`attn_implementation="eager"`'),
    "int8": ("int8 matrices (`Int8Linear`)", "int8 矩阵（`Int8Linear`）"),
}
HEADERS = {
    "en": ["Recipe", "Changed", "Prefill (s)", "Decode (s/token)",
           "Floor (s/token)", "Total (s)", "Speed-up", "Peak memory (GB)",
           "In matmul", "Load average"],
    "zh": ["配方", "改动", "预填充（秒）", "解码（秒/词元）", "下限（秒/词元）",
           "总计（秒）", "加速比", "峰值内存（GB）", "矩阵乘法占比", "负载均值"],
}
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
    "recipes": list,
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
    names = [recipe.get("name") for recipe in data.get("recipes") or []]
    for role in ("baseline", "recommended"):
        if data.get(role) not in names:
            problems.append(f"{role} {data.get(role)!r} is not among the recipes {names}")
    if problems:
        raise ValueError("benchmark JSON: " + "; ".join(problems))


def recipe(data: dict, name: str) -> dict:
    return next(r for r in data["recipes"] if r["name"] == name)


def speedup(data: dict, name: str) -> float:
    """How many times faster than the baseline, over the whole generation."""
    return recipe(data, data["baseline"])["total_s"] / recipe(data, name)["total_s"]


def all_cores_bandwidth(data: dict) -> float:
    speeds = data["bandwidth_bytes_per_s"]
    return speeds.get(str(data["machine"]["cores"]), max(speeds.values()))


def headline(data: dict) -> dict:
    """The numbers the summary states."""
    base, best = recipe(data, data["baseline"]), recipe(data, data["recommended"])
    loads = [value for r in data["recipes"]
             for value in (r["loadavg_before"][0], r["loadavg_after"][0])]
    return {
        "date": datetime.datetime.fromisoformat(data["date"]).date().isoformat(),
        "cpu": data["machine"]["cpu"],
        "cores": data["machine"]["cores"],
        "ram": f"{data['machine']['ram_bytes'] / GB:.0f}",
        "flags": ", ".join(f for f, on in data["machine"]["flags"].items() if on),
        "bandwidth_all": f"{all_cores_bandwidth(data) / GB:.1f}",
        "tokens": data["new_tokens"],
        "prompt_tokens": base["prompt_tokens"],
        "base_total": f"{base['total_s']:.1f}",
        "base_decode": f"{base['decode_s_per_token']:.2f}",
        "base_floor": f"{base['floor_s_per_token']:.2f}",
        "best_total": f"{best['total_s']:.1f}",
        "best_decode": f"{best['decode_s_per_token']:.2f}",
        "best_floor": f"{best['floor_s_per_token']:.2f}",
        "best_vs_floor": f"{best['decode_s_per_token'] / best['floor_s_per_token']:.1f}",
        "speedup": f"{speedup(data, data['recommended']):.1f}",
        "base_peak": f"{base['peak_rss_bytes'] / GB:.1f}",
        "best_peak": f"{best['peak_rss_bytes'] / GB:.1f}",
        "load_min": f"{min(loads):.1f}",
        "load_max": f"{max(loads):.1f}",
        "python": data["versions"]["python"],
        "torch": data["versions"]["torch"],
        "transformers": data["versions"]["transformers"],
        "mode": data["mode"],
    }


def table(data: dict, language: str) -> str:
    column = LANGUAGES.index(language)
    rows = ["| " + " | ".join(HEADERS[language]) + " |",
            "|" + "|".join([" --- "] * 2 + [" ---: "] * 8) + "|"]
    for r in data["recipes"]:
        name = f"**{r['name']}**" if r["name"] == data["recommended"] else r["name"]
        change = CHANGES.get(r["name"], (r["settings"].get("change", ""),) * 2)[column]
        load = f"{r['loadavg_before'][0]:.1f} → {r['loadavg_after'][0]:.1f}"
        rows.append("| " + " | ".join([
            name, change, f"{r['prefill_s']:.2f}", f"{r['decode_s_per_token']:.3f}",
            f"{r['floor_s_per_token']:.3f}", f"{r['total_s']:.1f}",
            f"{speedup(data, r['name']):.1f}×", f"{r['peak_rss_bytes'] / GB:.1f}",
            f"{r['matmul_share']:.0%}", load]) + " |")
    return "\n".join(rows) + "\n"


SUMMARY = {
    "en": (
        "Measured on {date} on this CPU: {cpu}, {cores} cores and {ram} GB of RAM "
        "(flags: {flags}), Python {python}, torch {torch}, transformers "
        "{transformers}{quick}. Memory bandwidth: {bandwidth_all} GB/s.\n\n"
        "The walkthrough recipe took **{base_total} s** for {tokens} new tokens "
        "({base_decode} s per token while decoding; floor {base_floor} s). The int8 "
        "recipe took **{best_total} s** ({best_decode} s per token; floor "
        "{best_floor} s, so {best_vs_floor}× its floor): **{speedup}× faster**. "
        "Peak memory: {base_peak} GB and {best_peak} GB. The 1-minute load average "
        "of the machine ranged from {load_min} to {load_max} during the run "
        "(the benchmark alone accounts for up to {cores}; more means other programs "
        "were competing for the cores).\n"
    ),
    "zh": (
        "测量于 {date}，CPU：{cpu}，{cores} 个核心，{ram} GB 内存"
        "（指令集标志：{flags}），Python {python}、torch {torch}、transformers "
        "{transformers}{quick}。内存带宽：{bandwidth_all} GB/s。\n\n"
        "演练配方生成 {tokens} 个新词元用了 **{base_total} 秒**（解码时每个词元 "
        "{base_decode} 秒，下限 {base_floor} 秒）。int8 配方用了 **{best_total} 秒**"
        "（每个词元 {best_decode} 秒，下限 {best_floor} 秒，是下限的 "
        "{best_vs_floor} 倍）：**快 {speedup} 倍**。峰值内存分别为 {base_peak} GB "
        "和 {best_peak} GB。运行期间机器 1 分钟负载均值在 {load_min} 到 {load_max} "
        "之间（基准测试本身最多占 {cores}；更高说明还有其他程序在争用核心）。\n"
    ),
}
QUICK = {"en": " (quick mode: a tiny model, not Phi-3-mini's size)",
         "zh": "（快速模式：微型模型，不是 Phi-3-mini 的规模）"}


def summary(data: dict, language: str) -> str:
    numbers = headline(data)
    quick = QUICK[language] if data["mode"] == "quick" else ""
    return SUMMARY[language].format(**numbers, quick=quick)


def rendered(data: dict) -> dict[str, str]:
    """{file name: text} of everything derived from the JSON."""
    files = {}
    for language in LANGUAGES:
        files[f"table.{language}.md"] = table(data, language)
        files[f"summary.{language}.md"] = summary(data, language)
    return files


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
