"""Train a tiny Phi-3 on this site's own prose: `make train-tiny`.

    python -m snippets.scores_to_text.train_tiny [--steps N] [--corpus FILE] [--out DIR]

Writes DIR (snippets/scores_to_text/tiny-phi3/ by default): the corpus it trained on,
the weights (float16 safetensors) and config, and training-log.json (the loss of every
step, the time it took). It is a `Phi3ForCausalLM` with Phi-3-mini's tokenizer and
layer design at a tiny size, trained here on a few pages of text: not Phi-3-mini.
"""

# --8<-- [start:config]
import json
import re
import time
from pathlib import Path

import torch
from transformers import AutoTokenizer, Phi3Config, Phi3ForCausalLM

CHECKPOINT = Path("snippets/scores_to_text/tiny-phi3")


def tiny_config():
    """Phi-3-mini's design at a tiny size: 4 layers of width 128, not 32 of 3072."""
    return Phi3Config(
        vocab_size=32064,  # Phi-3-mini's vocabulary: we keep its tokenizer
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=4,
        num_attention_heads=4,  # head size 32
        num_key_value_heads=4,  # one key/value head per query head, as in Phi-3-mini
        max_position_embeddings=4096,
        sliding_window=2047,  # as in Phi-3-mini
        # One table for embed_tokens and lm_head: the vocabulary makes most of the
        # parameters (32064 x 128), and tying stores them once.
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=32000,
        pad_token_id=32000,
    )
# --8<-- [end:config]


# --8<-- [start:batches]
def random_windows(ids, batch_size, length, generator):
    """`batch_size` stretches of `length` consecutive tokens from random places."""
    starts = torch.randint(0, len(ids) - length, (batch_size,), generator=generator)
    return torch.stack([ids[start:start + length] for start in starts.tolist()])
# --8<-- [end:batches]


# --8<-- [start:train]
def train(ids, steps, seed=0, batch_size=8, length=64, lr=5e-3, warmup=30):
    """A new tiny Phi-3 trained with AdamW on random windows; (model, losses)."""
    torch.manual_seed(seed)  # the same initial weights every time
    model = Phi3ForCausalLM(tiny_config())
    generator = torch.Generator().manual_seed(seed)  # the same windows every time
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.1)
    # Warm up from a small rate: big steps from random weights can diverge.
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup))
    losses = []
    model.train()
    for _ in range(steps):
        batch = random_windows(ids, batch_size, length, generator)
        loss = model(batch, labels=batch).loss  # next-token cross-entropy
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    return model.eval(), losses
# --8<-- [end:train]


@torch.no_grad()
def mean_loss(model, ids, length=64, batch_size=16):
    """The average next-token loss over consecutive windows covering `ids`."""
    windows = ids[: len(ids) // length * length].view(-1, length)
    total = 0.0
    for batch in windows.split(batch_size):
        total += model(batch, labels=batch).loss.item() * len(batch)
    return total / len(windows)


FENCE = re.compile(r"^([ \t]*)(`{3,}).*?^\1\2", re.M | re.S)
NOT_PROSE = [
    FENCE,  # code blocks
    re.compile(r"<!--.*?-->", re.S),  # comments
    re.compile(r"^\s*--8<--.*$", re.M),  # included files
    re.compile(r"\{\s*#[^}]*\}"),  # heading anchors
]


def prose_of_pages(docs=Path("docs"), skip=("scores-to-text",)):
    """The English pages' text without code; this chapter's pages are left out."""
    texts = []
    for page in sorted(docs.rglob("*.md")):
        if page.name.endswith(".zh.md") or page.parent.name in skip:
            continue
        text = page.read_text(encoding="utf-8")
        for pattern in NOT_PROSE:
            text = pattern.sub("", text)
        text = re.sub(r"\]\([^)]*\)", "]", text)  # keep a link's words, not its target
        texts.append(re.sub(r"\n{3,}", "\n\n", text).strip())
    return "\n\n".join(texts) + "\n"


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--corpus", type=Path, help="train on this text file instead "
                        "of the prose of the site's English pages")
    parser.add_argument("--out", type=Path, default=CHECKPOINT)
    parser.add_argument("--tokenizer", default="microsoft/Phi-3-mini-4k-instruct")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)  # one thread: the same sums in the same order, every run
    corpus = (args.corpus.read_text(encoding="utf-8") if args.corpus
              else prose_of_pages())
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    ids = torch.tensor(tokenizer(corpus, verbose=False)["input_ids"])
    split = int(0.9 * len(ids))  # the last tenth is held out: text never trained on
    start, start_cpu = time.perf_counter(), time.process_time()
    model, losses = train(ids[:split], args.steps)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - start_cpu  # less than `seconds` on a busy CPU

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "corpus.txt").write_text(corpus, encoding="utf-8")
    model.to(torch.float16).save_pretrained(args.out)  # half the bytes of float32
    log = {
        "steps": args.steps,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "threads": torch.get_num_threads(),
        "characters": len(corpus),
        "tokens": len(ids),
        "train_tokens": split,
        "losses": losses,
    }
    (args.out / "training-log.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"{args.steps} steps in {seconds:.0f} s, last loss {losses[-1]:.2f}, "
          f"saved to {args.out}")


MEAN_OF = 20  # steps in the running mean of the loss curve


def draw_loss_curve(language="en"):
    """The loss of every training step, from make train-tiny's log."""
    import matplotlib.pyplot as plt

    vocab = tiny_config().vocab_size
    labels = {
        "en": ("training step", "cross-entropy loss", "each step",
               f"mean of {MEAN_OF} steps", f"uniform guess: ln {vocab}"),
        "zh": ("训练步数", "交叉熵损失", "每一步", f"{MEAN_OF} 步均值",
               f"均匀猜测：ln {vocab}"),
    }[language]
    losses = torch.tensor(
        json.loads((CHECKPOINT / "training-log.json").read_text())["losses"])
    uniform = torch.tensor(float(vocab)).log()
    smooth = losses.unfold(0, MEAN_OF, 1).mean(dim=1)
    figure, axes = plt.subplots(figsize=(7, 3.6))
    figure.patch.set_alpha(0)  # transparent: the page's own background shows
    axes.plot(range(1, len(losses) + 1), losses, color="#9fa8da", label=labels[2])
    axes.plot(range(MEAN_OF, len(losses) + 1), smooth, color="#3f51b5",
              label=labels[3])
    axes.axhline(uniform, color="#ff9800", linestyle="--", label=labels[4])
    axes.set_xlabel(labels[0])
    axes.set_ylabel(labels[1])
    axes.set_ylim(0, None)
    axes.legend()
    axes.spines[["top", "right"]].set_visible(False)
    return figure


FIGURES = {"loss-curve": draw_loss_curve}


if __name__ == "__main__":
    main()
