"""The whole of Phi-3-mini in one picture: the shape of every tensor on the way from
"The capital of France is" to the scores of the next token.

The shapes are caught with forward hooks during a forward pass on the meta device
(real shapes, no weights, no memory), and the figure is drawn from them: nothing in
it is typed by hand.
"""

# --8<-- [start:shapes]
import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
config = AutoConfig.from_pretrained(MODEL_ID)
tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
with torch.device("meta"):  # real shapes, no weights, no memory
    phi3 = AutoModelForCausalLM.from_config(config)

layer = phi3.model.layers[0]  # every layer computes the same shapes
watched = {
    "embed_tokens": phi3.model.embed_tokens,
    "input_layernorm": layer.input_layernorm,
    "qkv_proj": layer.self_attn.qkv_proj,
    "o_proj": layer.self_attn.o_proj,
    "post_attention_layernorm": layer.post_attention_layernorm,
    "gate_up_proj": layer.mlp.gate_up_proj,
    "down_proj": layer.mlp.down_proj,
    "layers[0]": layer,
    "norm": phi3.model.norm,
    "lm_head": phi3.lm_head,
}
caught = {}  # name -> (what the module received, what it returned)


def catch(name):
    def hook(module, args, output):
        output = output[0] if isinstance(output, tuple) else output
        caught[name] = (args[0], output)
    return hook


hooks = [module.register_forward_hook(catch(name)) for name, module in watched.items()]
input_ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
with torch.no_grad():
    phi3(input_ids)  # on the meta device: shapes are computed, numbers are not
for hook in hooks:
    hook.remove()
print(f"{'input_ids':<25} {tuple(input_ids.shape)}")
for name, (_, output) in caught.items():
    print(f"{name:<25} {tuple(output.shape)}")
# --8<-- [end:shapes]

# --8<-- [start:heads]
head_dim = config.hidden_size // config.num_attention_heads
qkv = caught["qkv_proj"][1]  # (batch, seq, queries + keys + values)
widths = [config.num_attention_heads * head_dim] + 2 * [
    config.num_key_value_heads * head_dim]
q, k, v = (part.unflatten(-1, (-1, head_dim)).transpose(1, 2)  # cut into heads
           for part in qkv.split(widths, dim=-1))
scores = q @ k.transpose(-2, -1)  # one score per pair of positions, in every head
gated = caught["down_proj"][0]  # what down_proj receives: SiLU(gate) * up
print(f"{'q, k, v':<25} {tuple(q.shape)}  (batch, heads, seq, head_dim)")
print(f"{'attention weights':<25} {tuple(scores.shape)}  (batch, heads, seq, seq)")
print(f"{'SiLU(gate) * up':<25} {tuple(gated.shape)}")
# --8<-- [end:heads]


LABELS = {
    "en": {
        "title": '"The capital of France is": {seq} tokens',
        "layer": "decoder layer (Phi3DecoderLayer), × {layers}",
        "heads": "q, k, v: {heads} heads each",
        "weights": "attention weights",
        "add_attention": "+ attention: the residual stream",
        "add_mlp": "+ MLP: the residual stream",
        "next": "scores of the next token (last position)",
        "stream": "residual stream",
    },
    "zh": {
        "title": "“The capital of France is”：{seq} 个词元",
        "layer": "解码器层（Phi3DecoderLayer），× {layers}",
        "heads": "q、k、v：各 {heads} 个头",
        "weights": "注意力权重",
        "add_attention": "+ 注意力：残差流",
        "add_mlp": "+ MLP：残差流",
        "next": "下一个词元的分数（最后一个位置）",
        "stream": "残差流",
    },
}
# The colours of tools/figures.py's cycle: attention blue, MLP orange, norms green.
ATTENTION, MLP, NORM, PLAIN = "#4e79d6", "#f28e2b", "#59a14f", "#8c8c8c"


def diagram_rows(language="en"):
    """(label, shape, colour, is_code) for every box of the diagram, from the input
    ids to the next token's scores; rows IN_LAYER are the decoder layer's."""
    labels = LABELS[language]
    shape = {name: tuple(output.shape) for name, (_, output) in caught.items()}
    heads = labels["heads"].format(heads=config.num_attention_heads)
    return [
        ("input_ids", tuple(input_ids.shape), PLAIN, True),
        ("embed_tokens", shape["embed_tokens"], PLAIN, True),
        ("input_layernorm", shape["input_layernorm"], NORM, True),
        ("qkv_proj", shape["qkv_proj"], ATTENTION, True),
        (heads, tuple(q.shape), ATTENTION, False),
        (labels["weights"], tuple(scores.shape), ATTENTION, False),
        ("o_proj", shape["o_proj"], ATTENTION, True),
        (labels["add_attention"], shape["o_proj"], PLAIN, False),
        ("post_attention_layernorm", shape["post_attention_layernorm"], NORM, True),
        ("gate_up_proj", shape["gate_up_proj"], MLP, True),
        ("SiLU(gate) * up", tuple(gated.shape), MLP, True),
        ("down_proj", shape["down_proj"], MLP, True),
        (labels["add_mlp"], shape["layers[0]"], PLAIN, False),
        ("norm", shape["norm"], NORM, True),
        ("lm_head", shape["lm_head"], PLAIN, True),
        (labels["next"], shape["lm_head"][-1:], PLAIN, False),
    ]


IN_LAYER = range(2, 13)  # the rows of diagram_rows inside the decoder layer
ADDS = (7, 12)  # the rows where a sublayer's output is added to the stream
MIDDLE, LEFT, RIGHT, HEIGHT = 5.6, 1.6, 9.6, 0.62  # where the boxes are drawn


def row_positions(count):
    """The y of each row: one apart, with room for the layer's frame and title."""
    positions, y = [], 0.0
    for row in range(count):
        y += 0.6 if row == IN_LAYER[0] else 0.5 if row == IN_LAYER[-1] + 1 else 0.0
        positions.append(y)
        y += 1.0
    return positions


def draw_shapes(language="en"):
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    labels = LABELS[language]
    rows = diagram_rows(language)
    ys = row_positions(len(rows))
    arrow = {"arrowstyle": "->", "color": PLAIN, "lw": 0.8}
    figure, axes = plt.subplots(figsize=(7.2, 8.8))
    axes.set_xlim(0, 10)
    axes.set_ylim(ys[-1] + 0.6, -0.8)  # the first row at the top
    axes.axis("off")
    for row, (y, (label, shape, colour, is_code)) in enumerate(zip(ys, rows)):
        axes.add_patch(FancyBboxPatch(
            (LEFT, y - HEIGHT / 2), RIGHT - LEFT, HEIGHT,
            boxstyle="round,pad=0,rounding_size=0.12", facecolor=colour,
            edgecolor=colour, alpha=0.08 if colour == PLAIN else 0.18, linewidth=1))
        font = {"family": "monospace"} if is_code else {}
        axes.text(LEFT + 0.15, y, label, va="center", fontsize=9, **font)
        axes.text(RIGHT - 0.15, y, str(shape), va="center", ha="right", fontsize=9,
                  family="monospace")
        if row:  # an arrow from the row above
            axes.annotate("", xy=(MIDDLE, y - HEIGHT / 2),
                          xytext=(MIDDLE, ys[row - 1] + HEIGHT / 2), arrowprops=arrow)
    # The decoder layer, repeated: a dashed frame around its rows, titled.
    top, bottom = ys[IN_LAYER[0]] - 0.5, ys[IN_LAYER[-1]] + 0.5
    axes.add_patch(FancyBboxPatch(
        (0.6, top), 9.3, bottom - top, boxstyle="round,pad=0,rounding_size=0.2",
        fill=False, edgecolor=PLAIN, linestyle="--", linewidth=0.9))
    axes.text(0.7, top - 0.08, labels["layer"].format(layers=config.num_hidden_layers),
              fontsize=9, va="bottom")
    # The residual stream: around each sublayer, from its input to its "+".
    starts = (ys[IN_LAYER[0]] - 0.4, ys[ADDS[0]] + 0.5)
    for start, add in zip(starts, ADDS):
        axes.plot([MIDDLE, LEFT - 0.45, LEFT - 0.45], [start, start, ys[add]],
                  color=PLAIN, linewidth=0.8)
        axes.annotate("", xy=(LEFT, ys[add]), xytext=(LEFT - 0.45, ys[add]),
                      arrowprops=arrow)
    axes.text(LEFT - 0.55, (ys[IN_LAYER[0]] + ys[ADDS[0]]) / 2, labels["stream"],
              rotation=90, va="center", ha="right", fontsize=8)
    axes.set_title(labels["title"].format(seq=input_ids.shape[1]), fontsize=10)
    return figure


FIGURES = {"phi3-shapes": draw_shapes}
