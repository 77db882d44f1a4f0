"""Draw the decode steps measured at several batch sizes (bench/batching.py).

`make bench` measures them into docs/why-slow/benchmark.json ("batching");
`python -m tools.figures` draws docs/why-slow/figures/batching.svg from it.
"""

from snippets.why_slow.plot_benchmark import DEFAULT_JSON, load

LABELS = {
    "en": {"batch": "batch size (rows per decode step)", "step": "seconds per step",
           "tokens": "tokens per second",
           "ideal": "if a step took as long as at batch size 1"},
    "zh": {"batch": "批大小（每步解码的行数）", "step": "每步秒数",
           "tokens": "每秒词元数",
           "ideal": "假如每步耗时与批大小为 1 时相同"},
}


def step_spread(batching: dict) -> list[list[float]]:
    """[[below], [above]] the median step of each batch size, over the rounds."""
    below, above = [], []
    for index, batch in enumerate(batching["batches"]):
        values = batching.get("samples", {}).get(f"batches.{index}.s_per_step") or [
            batch["s_per_step"]]
        below.append(batch["s_per_step"] - min(values))
        above.append(max(values) - batch["s_per_step"])
    return [below, above]


def draw_batching(language="en", path=DEFAULT_JSON):
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    batching = load(path)["batching"]
    batches = batching["batches"]
    names = [str(b["batch_size"]) for b in batches]  # evenly spaced bars: 1, 4, 16
    figure, (step, tokens) = plt.subplots(1, 2, figsize=(8, 3.2))
    first = batches[0]
    step.bar(names, [b["s_per_step"] for b in batches], color="#4e79d6",
             yerr=step_spread(batching))  # the rounds' smallest to largest
    step.axhline(first["s_per_step"], color="#e15759", linestyle="--")
    step.set_ylabel(labels["step"])
    tokens.bar(names, [b["tokens_per_s"] for b in batches], color="#59a14f")
    # The weights read once for all rows, nothing else: batch size x batch 1's rate.
    ideal = [b["batch_size"] / first["s_per_step"] for b in batches]
    tokens.scatter(names, ideal, marker="_", s=900, color="#e15759", zorder=3,
                   label=labels["ideal"])
    tokens.set_ylabel(labels["tokens"])
    for axes in (step, tokens):
        axes.set_xlabel(labels["batch"])
        axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return figure


FIGURES = {"batching": draw_batching}


if __name__ == "__main__":
    for batch in load(DEFAULT_JSON)["batching"]["batches"]:
        print(f"batch {batch['batch_size']}: {batch['s_per_step']:.3f} s/step, "
              f"{batch['tokens_per_s']:.1f} tokens/s")
