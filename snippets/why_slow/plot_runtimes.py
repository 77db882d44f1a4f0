"""Draw the site's recipes next to the runtimes a reader would pick instead.

Reads docs/why-slow/benchmark.json, where `make bench` puts the PyTorch recipes and
the other runtimes (ONNX Runtime GenAI, llama.cpp) measured in the same run;
`python -m tools.figures` draws docs/why-slow/figures/runtimes.svg from it.
"""

from pathlib import Path

from snippets.why_slow.plot_benchmark import DEFAULT_JSON, error_bars, load

LABELS = {
    "en": {"floor": "floor = bytes read per token / bandwidth",
           "decode": "decode: s / token", "read": "read per token: GB"},
    "zh": {"floor": "下限 = 每个词元读取的字节数 / 带宽",
           "decode": "解码：秒 / 词元", "read": "每个词元读取：GB"},
}


def side_by_side(data: dict) -> list[dict]:
    """The walkthrough, the recommended recipe, then every other runtime."""
    names = dict.fromkeys([data["baseline"], data["recommended"]])
    recipes = [r for name in names for r in data["recipes"] if r["name"] == name]
    return recipes + data["peers"]


def draw_runtimes(language="en", path: Path = DEFAULT_JSON):
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    data = load(path)
    rows = side_by_side(data)[::-1]  # the walkthrough at the top
    places = range(len(rows))
    # PyTorch's recipes in blue, the other runtimes in orange.
    colors = ["#4e79d6" if "runtime" not in r else "#f28e2b" for r in rows]
    figure, (decode, read) = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    decode.barh(places, [r["decode_s_per_token"] for r in rows], color=colors,
                xerr=error_bars(rows, "decode_s_per_token"))  # min to max
    decode.scatter([r["floor_s_per_token"] for r in rows], places, marker="|",
                   s=400, color="#e15759", zorder=3, label=labels["floor"])
    decode.set_yticks(list(places), [r["name"] for r in rows])
    decode.set_xlabel(labels["decode"])
    read.barh(places, [r["bytes_per_token"] / 1e9 for r in rows], color=colors)
    read.set_xlabel(labels["read"])
    for axes in (decode, read):
        axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return figure


FIGURES = {"runtimes": draw_runtimes}


if __name__ == "__main__":
    for row in side_by_side(load(DEFAULT_JSON)):
        print(f"{row['name']}: {row['decode_s_per_token']:.3f} s/token "
              f"(floor {row['floor_s_per_token']:.3f}), "
              f"{row['bytes_per_token'] / 1e9:.2f} GB per token")
