"""Draw the measured speeds of the benchmark (docs/why-slow/benchmark.json).

`make bench` measures; `python -m tools.figures` draws docs/why-slow/figures/
benchmark.svg from the JSON, so the figure never holds a typed number. Each bar is
a median over the benchmark's rounds, its whisker the smallest to the largest value.
"""

import json
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]  # snippets/why_slow/ -> the root
DEFAULT_JSON = REPOSITORY / "docs" / "why-slow" / "benchmark.json"


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def error_bars(parts: list[dict], key: str, scale: float = 1.0) -> list[list[float]]:
    """[[below], [above]]: how far each part's smallest and largest value over the
    benchmark's rounds lie from its median (0 for a run of one round)."""
    below, above = [], []
    for part in parts:
        median = part[key] * scale
        values = [v * scale for v in part.get("samples", {}).get(key, [])] or [median]
        below.append(median - min(values))
        above.append(max(values) - median)
    return [below, above]


LABELS = {
    "en": {"floor": "floor = bytes / bandwidth", "decode": "decode: s / token",
           "total": "prefill + {tokens} tokens: s",
           "fewer": "{name} ({tokens} tokens)"},
    "zh": {"floor": "下限 = 字节数 / 带宽", "decode": "解码：秒 / 词元",
           "total": "预填充 + {tokens} 个词元：秒",
           "fewer": "{name}（{tokens} 个词元）"},
}


def draw_benchmark(language="en", path: Path = DEFAULT_JSON):
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    data = load(path)
    recipes = data["recipes"][::-1]  # first recipe at the top
    names = [recipe["name"] for recipe in recipes]
    # a recipe that generated fewer tokens (no-kv-cache) says so: its total is shorter
    labels_of = [name if r["new_tokens"] == data["new_tokens"] else
                 labels["fewer"].format(name=name, tokens=r["new_tokens"])
                 for name, r in zip(names, recipes)]
    rows = range(len(recipes))
    colors = ["#59a14f" if name == data["recommended"] else "#4e79d6"
              for name in names]
    figure, (decode, total) = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    decode.barh(rows, [r["decode_s_per_token"] for r in recipes], color=colors,
                xerr=error_bars(recipes, "decode_s_per_token"))  # min to max
    decode.scatter([r["floor_s_per_token"] for r in recipes], rows, marker="|",
                   s=400, color="#e15759", zorder=3, label=labels["floor"])
    decode.set_yticks(list(rows), labels_of)
    decode.set_xlabel(labels["decode"])
    total.barh(rows, [r["total_s"] for r in recipes], color=colors,
               xerr=error_bars(recipes, "total_s"))
    total.set_xlabel(labels["total"].format(tokens=data["new_tokens"]))
    for axes in (decode, total):
        axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return figure


FIGURES = {"benchmark": draw_benchmark}


if __name__ == "__main__":
    data = load(DEFAULT_JSON)
    for recipe in data["recipes"]:
        print(f"{recipe['name']}: {recipe['decode_s_per_token']:.3f} s/token "
              f"(floor {recipe['floor_s_per_token']:.3f}), {recipe['total_s']:.1f} s")
