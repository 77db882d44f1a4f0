"""Attention weights of a trained model, head by head, as heatmaps.

Phi-3-mini's weights are not available offline, so the model is the tiny Phi-3 that
"From scores to text" trains on this site's own prose (4 layers of 4 heads, the
committed checkpoint): not Phi-3-mini. The sentence is one of the site's, from the
text it was trained on.
"""

# --8<-- [start:weights]
import torch
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT

tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
# The tiny Phi-3 trained in "From scores to text", not Phi-3-mini. "eager": the
# step-by-step attention, which can hand out its weights (the fused kernel can't).
trained = Phi3ForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32,
                                          attn_implementation="eager")
sentence = "every token looks back at the tokens before it"
sentence_ids = tokenizer(sentence, return_tensors="pt").input_ids  # (1, seq)
tokens = tokenizer.convert_ids_to_tokens(sentence_ids[0])
with torch.no_grad():
    per_layer = trained(sentence_ids, output_attentions=True).attentions
attention = torch.cat(per_layer)  # (layers, heads, seq, seq): row i, where i looks
print(tuple(attention.shape), "= (layers, heads, query position, key position)")
print("every row sums to 1:", torch.allclose(attention.sum(-1), torch.ones(1)))
# --8<-- [end:weights]

# --8<-- [start:where-heads-look]
# From the third position on, itself, the previous token and the first one are
# three different tokens: how much of its weight does a position give to each?
itself = attention.diagonal(dim1=-2, dim2=-1)[..., 2:].mean(-1)  # (layers, heads)
previous = attention.diagonal(offset=-1, dim1=-2, dim2=-1)[..., 1:].mean(-1)
first = attention[..., 2:, 0].mean(-1)
shares = [("itself", itself), ("the previous token", previous),
          ("the first token", first)]
for name, share in shares:
    print(f"weight on {name}, a row per layer, a column per head:")
    for layer, heads in enumerate(share, 1):
        print(f"  layer {layer}: " + "  ".join(f"{weight:.2f}" for weight in heads))
# --8<-- [end:where-heads-look]


LABELS = {
    "en": {"panel": "layer {layer}, head {head}", "weight": "attention weight",
           "query": "position that looks", "key": "position looked at"},
    "zh": {"panel": "第 {layer} 层 · 第 {head} 个头", "weight": "注意力权重",
           "query": "发出查询的位置", "key": "被关注的位置"},
}
LEVELS = 10  # colours: a weight is read to the tenth, as the eye reads a heatmap


def draw_heads(language="en"):
    """One heatmap per head: rows the positions that look, columns where they look."""
    import matplotlib.pyplot as plt

    labels = LABELS[language]
    layers, heads, seq, _ = attention.shape
    figure, panels = plt.subplots(layers, heads, figsize=(8.8, 9.6), sharex=True,
                                  sharey=True, layout="constrained")
    colours = plt.get_cmap("viridis", LEVELS)
    for layer in range(layers):
        for head in range(heads):
            axes = panels[layer, head]
            # "none": each weight one square, stored at its own size, as a reader
            # sees it (no smoothing between neighbouring weights)
            image = axes.imshow(attention[layer, head].numpy(), cmap=colours, vmin=0,
                                vmax=1, interpolation="none")
            axes.set_title(labels["panel"].format(layer=layer + 1, head=head + 1),
                           fontsize=8)
            axes.set_xticks(range(seq), tokens, rotation=90, fontsize=7)
            axes.set_yticks(range(seq), tokens, fontsize=7)
            axes.tick_params(length=0)
    figure.supylabel(labels["query"], fontsize=9)
    figure.supxlabel(labels["key"], fontsize=9)
    figure.colorbar(image, ax=panels, shrink=0.5, label=labels["weight"])
    return figure


FIGURES = {"attention-heads": draw_heads}
