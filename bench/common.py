"""What the parts of `make bench` share: the prompt, the recipes, the model, the clocks.

bench.phi3_cpu (the recipes and the run), bench.batching, bench.profile_decode and
bench.peers each stand on this module and on no other part of bench/, so none of
them imports another: the orchestrator (phi3_cpu) starts each of them in a process
of its own with `child_result`.

Two clocks are here. `rss_bytes` and `peak_rss_bytes` measure a process's memory.
`OthersClock` measures how much CPU time *other* processes took while a part timed
itself: the busy time of this process's CPUs (/proc/stat) minus the CPU time of the
benchmark's own processes (this one and the one that started it, /proc/<pid>/stat).
The load average can't tell: on 2 cores the benchmark's own two threads make it 2.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tools.paths import ROOT, TEST_DATA

PROMPT = (  # the first chapter's prompt
    "Write an email apologizing to Sarah for the tragic gardening mishap. "
    "Explain how it happened."
)
# A warm-up before the timed calls: a few tokens, so that its prefill takes no time.
WARMUP_PROMPT = "Dear Sarah,"
NEW_TOKENS = 50
QUICK_NEW_TOKENS = 5
# The first chapter's pipeline settings (snippets/model_example/generate_email.py).
PIPELINE_SETTINGS = {"return_full_text": False, "max_new_tokens": NEW_TOKENS,
                     "do_sample": False}


@dataclass(frozen=True)
class Recipe:
    name: str
    change: str  # what differs from the walkthrough, in a few words
    dtype: str = "bfloat16"
    threads: int | None = None  # None: torch's default, one per core
    attention: str = "sdpa"
    kv_cache: bool = True
    int8: bool = False
    int4: bool = False
    new_tokens: int | None = None  # None: NEW_TOKENS, like the first chapter


RECIPES = [  # the baseline and the recommended recipe first
    Recipe("walkthrough", "the first chapter's pipeline: bf16, sdpa, KV cache"),
    Recipe("int4", "int4 matrices (Int4Linear)", int4=True),
    Recipe("int8", "int8 matrices (Int8Linear)", int8=True),
    Recipe("fp32", "float32 weights", dtype="float32"),
    Recipe("1-thread", "torch.set_num_threads(1)", threads=1),
    Recipe("eager-attention", 'attn_implementation="eager"', attention="eager"),
    # Without the cache every step computes the whole text again, prompt included: a
    # prefill per token, whose cost grows with the text. Where bfloat16 prefill is
    # slow (an AMD EPYC without AMX: about 18 s per step at 60 tokens) 50 tokens took
    # 13 minutes of each round, so it generates 10: its decode s/token is the mean
    # of shorter steps, and still far above the walkthrough's.
    Recipe("no-kv-cache", "use_cache=False, 10 new tokens", kv_cache=False,
           new_tokens=10),
]
BASELINE = "walkthrough"
RECOMMENDED = "int4"


def recipe_named(name: str) -> Recipe:
    return next(r for r in RECIPES if r.name == name)


# ---------------------------------------------------------------- the model


def build_model(recipe: Recipe, quick: bool):
    """Phi-3-mini of the real size (tiny with `quick`), cheap random weights."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from tools.hfcache import STANDIN_SIZES

    config = json.loads((TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text())
    config.pop("auto_map")  # no remote code
    if quick:
        config.update(STANDIN_SIZES)
    config = AutoConfig.for_model(**config)
    dtype = getattr(torch, recipe.dtype)
    with torch.device("meta"):  # shapes only, then memory without initialisation
        model = AutoModelForCausalLM.from_config(
            config, dtype=dtype, attn_implementation=recipe.attention)
    model.to_empty(device="cpu")
    fill_cheaply(model, dtype)
    model.model.rotary_emb.__init__(config)  # its buffers are computed, not loaded
    model.eval()
    if recipe.int8:
        from snippets.why_slow.int8_linear import quantize_linears

        quantize_linears(model)
    if recipe.int4:
        from snippets.why_slow.int4_linear import Int4Linear
        from snippets.why_slow.int8_linear import quantize_linears

        quantize_linears(model, Int4Linear)
    return model


def fill_cheaply(model, dtype) -> None:
    """Norms to 1, matrices tiled with one block of N(0, 0.02) noise: no big RNG."""
    import torch

    generator = torch.Generator().manual_seed(0)
    noise = (torch.randn(1 << 20, generator=generator) * 0.02).to(dtype)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() == 1:
                parameter.fill_(1.0)
                continue
            flat = parameter.view(-1)
            for start in range(0, flat.numel(), noise.numel()):
                length = min(noise.numel(), flat.numel() - start)
                flat[start:start + length].copy_(noise[:length])


# ---------------------------------------------------------------- memory


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ---------------------------------------------------------------- other processes

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_seconds(cpus: set[int], stat: str | None = None) -> float:
    """CPU seconds the CPUs `cpus` spent on anything but idling (/proc/stat): user,
    nice, system, irq, softirq and steal (a virtual machine's host taking the core)."""
    text = stat if stat is not None else Path("/proc/stat").read_text()
    busy = 0
    for line in text.splitlines():
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or int(name[3:]) not in cpus:
            continue
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
        busy += user + nice + system + irq + softirq + steal
    return busy / TICK


def process_seconds(pid: int | str = "self") -> float:
    """CPU seconds of a process (all its threads) and of its children it waited for."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # it ended
        return 0.0
    fields = text.rsplit(")", 1)[1].split()  # after "pid (name)": state is fields[0]
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / TICK


class OthersClock:
    """Wall time of a window and the CPU time other processes took in it.

        with OthersClock() as clock:
            ...  # the timed work
        clock.result()  # {"window_s", "cpus", "others_cpu_s", "others_share"}

    others_share: the other processes' CPU seconds over what the window offered
    (window x CPUs): 0 on a quiet machine, 0.5 when others kept one of two cores busy.
    Resolution: one clock tick (1/TICK s) per CPU."""

    def __init__(self):
        self.own = ("self", os.getppid())  # this part and the run that started it
        self.cpus = os.sched_getaffinity(0)

    def _snapshot(self) -> tuple[float, float, float]:
        return (time.perf_counter(), busy_seconds(self.cpus),
                sum(process_seconds(pid) for pid in self.own))

    def __enter__(self):
        self.start = self._snapshot()
        return self

    def __exit__(self, *exc):
        self.end = self._snapshot()

    def result(self) -> dict:
        wall, busy, own = (b - a for a, b in zip(self.start, self.end))
        others = max(0.0, busy - own)
        # the counters move in whole ticks, read a moment apart from the wall clock:
        # a window the others filled can read a tick over all of it, never more
        share = min(1.0, others / (wall * len(self.cpus))) if wall else 0.0
        return {"window_s": wall, "cpus": len(self.cpus), "others_cpu_s": others,
                "others_share": share}


# ---------------------------------------------------------------- child processes


class ChildCrashed(RuntimeError):
    """A part of the benchmark died of a signal (a crash in a native library)."""

    def __init__(self, command: list[str], signal: int):
        super().__init__(f"{' '.join(command)} died of signal {signal}")
        self.signal = signal


def child_result(module: str, arguments: list[str], quick: bool,
                 result_flag: str = "--result") -> dict:
    """`python -m module arguments` in a process of its own (its peak memory is its
    own, and goes with it); the JSON it writes to the file named by `result_flag`."""
    with tempfile.TemporaryDirectory() as folder:
        result_file = Path(folder) / "result.json"
        command = [sys.executable, "-m", module, *arguments, result_flag,
                   str(result_file)] + (["--quick"] if quick else [])
        done = subprocess.run(command, cwd=ROOT)
        if done.returncode < 0:
            raise ChildCrashed(command, -done.returncode)
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, command)
        return json.loads(result_file.read_text(encoding="utf-8"))
