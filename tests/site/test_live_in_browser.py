"""The live demo of "Play with the tiny model", in headless Chromium, against PyTorch.

One load of the built page. Before its button: the page weighs what other pages
weigh and has fetched nothing of the model. The button, pressed from the keyboard,
loads the runtime, the model and the tokenizer; the demo shows the first prompt's
pieces and next tokens. Then one `evaluate` call runs, for every prompt, the page's
own module (docs/assets/javascripts/live.js): it encodes the prompt, scores the next
token, continues greedily and applies the filters. PyTorch computes the same here,
and they must agree:

- the ids and pieces of Python's tokenizer (English, Chinese with byte-fallback
  pieces, an emoji, leading and double spaces);
- logits within the bound of float32 sums added in another order
  (`tests.kernels.reordering_tolerance`: the model's sizes, not a tuned number);
- the same ten most probable tokens, in the same order wherever their scores are
  further apart than that bound; their probabilities within 1e-5 (the issue's);
- twenty greedy tokens, those of `model.generate`, up to the first step whose two
  best scores are within the bound (there either token is right);
- the tokens the filters keep, those transformers' processors keep on the browser's
  own scores, wherever no token lies within the rounding of float32 (measured on
  these scores) of a filter's threshold.

The demo is checked for accessibility (axe: nothing serious, in the light and the
dark colour scheme), from the keyboard and at a phone's width.
Timings and sizes go to artifacts/live-demo.json and the end of the test report: they
are measured, never asserted (a busy machine is slower, not wrong).
"""

from __future__ import annotations

import json
import statistics
import time
from urllib.parse import urljoin, urlsplit

import pytest
import torch
from transformers import (
    AutoTokenizer,
    MinPLogitsWarper,
    Phi3ForCausalLM,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from snippets.scores_to_text.train_tiny import CHECKPOINT
from tests.helpers import summary_line
from tests.kernels import reordering_tolerance
from tests.site.conftest import CHROMIUM
from tests.site.survey import AXE, NARROW, NEXT_FRAME
from tools import built_site, live_model, site
from tools.paths import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.real_tokenizer,  # the export and the ids are the real tokenizer's
    pytest.mark.numeric,  # PyTorch's side: the same verdict under other kernels
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get "
                       "install chromium fonts-noto-cjk, or set CHROMIUM_PATH"),
]

PROMPTS = [
    "The capital of France is",  # the page's own first prompt
    "Every code block on every page",
    "  Two spaces first,  and  two  between",  # leading and double spaces
    "注意力把每个词元的键和值",  # Chinese; 词 has no piece: three bytes
    "A smile 🙂 is four bytes",  # an emoji: byte fallback too
]
GREEDY_TOKENS = 20
# The filters in the demo's order; each setting switches on some of them
SETTINGS = [
    {"temperature": 0.7, "topK": 50, "topP": 0.9, "minP": 0.05},  # the exercise's
    {"temperature": 1.0, "topK": 10, "topP": 1.0, "minP": 0.0},
    {"temperature": 1.0, "topK": 0, "topP": 0.5, "minP": 0.0},
    {"temperature": 1.5, "topK": 0, "topP": 1.0, "minP": 0.1},
    {"temperature": 0.5, "topK": 0, "topP": 0.95, "minP": 0.02},
]
MAX_DOWNLOAD_MB = 30  # the target for what the button loads
EPS = torch.finfo(torch.float32).eps
ARTIFACT = ROOT / "artifacts" / "live-demo.json"
PAGE = site.load().url("scores-to-text/live.md", "en")

RUN = """async ({module, prompts, topIds, settings, count}) => {
  const live = await import(module);
  const loaded = await live.load();
  const results = [];
  for (const [n, prompt] of prompts.entries()) {
    const { ids, pieces } = await live.encode(prompt);
    const started = performance.now();
    const logits = await live.nextLogits(ids);
    const ms = performance.now() - started;
    const probs = live.softmax(logits);
    const top = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a])
      .slice(0, 10);
    const kept = settings.map((setting) => {
      const scores = live.filtered(logits, setting);
      return Array.from(scores.keys()).filter((i) => scores[i] > -Infinity);
    });
    const greedy = [], steps = [];
    for await (const step of live.generate(ids, { count, greedy: true })) {
      greedy.push(step.id);
      steps.push([step.length, step.ms]);
    }
    results.push({ ids, pieces, logits: Array.from(logits), ms, top,
                   probsAt: topIds[n].map((i) => probs[i]), kept, greedy, steps });
  }
  return { results, seconds: loaded.seconds, bytes: loaded.bytes };
}"""


@pytest.fixture(scope="module")
def pytorch():
    """The tiny model and the tokenizer as the chapter's pages load them."""
    torch.set_num_threads(1)
    tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
    model = Phi3ForCausalLM.from_pretrained(ROOT / CHECKPOINT, dtype=torch.float32)
    return tokenizer, model


def bound(model, logits: torch.Tensor, length: int) -> float:
    """How far the browser's logits may be from PyTorch's: float32 sums of at most
    n terms (the widest matrix product, or the attention over the text), added in
    another order, in d products one after the other (six in each layer: q, k and v;
    the scores; their weighted sum of values; the output projection; gate and up;
    down; then the LM head)."""
    config = model.config
    terms = max(config.hidden_size, config.intermediate_size, length)
    depth = 6 * config.num_hidden_layers + 1
    return reordering_tolerance(torch.float32, terms, depth, logits.abs().max().item())


def expected(pytorch) -> list[dict]:
    """PyTorch's side, computed before the browser's: ids, pieces, logits, greedy."""
    tokenizer, model = pytorch
    found = []
    for prompt in PROMPTS:
        ids = tokenizer(prompt, return_tensors="pt").input_ids
        with torch.no_grad():
            logits = model(ids).logits[0, -1]
            out = model.generate(ids, max_new_tokens=GREEDY_TOKENS, do_sample=False,
                                 output_scores=True, return_dict_in_generate=True)
        pieces = tokenizer.convert_ids_to_tokens(ids[0].tolist())
        found.append({"ids": ids, "pieces": pieces,
                      "logits": logits, "top": logits.topk(10).indices.tolist(),
                      "greedy": out.sequences[0, ids.shape[1]:].tolist(),
                      "step_scores": [s[0] for s in out.scores]})
    return found


def same_ranking(ours: list[int], theirs: list[int], scores: torch.Tensor,
                 tolerance: float) -> bool:
    """The same ids in the same order, except where two ids' scores are within
    `tolerance` of each other: there either order is right."""
    return len(ours) == len(theirs) and all(
        a == b or abs(scores[a] - scores[b]) <= tolerance for a, b in zip(ours, theirs))


def determined_greedy(theirs: list[int], step_scores, model, prompt_length: int):
    """How many of PyTorch's greedy tokens are determined at the browser's precision:
    up to the first step whose two best scores are within the bound."""
    for step, scores in enumerate(step_scores):
        best = scores.topk(2).values
        if best[0] - best[1] <= 2 * bound(model, scores, prompt_length + step):
            return step
    return len(theirs)


def filter_verdicts(ids, logits: torch.Tensor, setting: dict):
    """(tokens transformers' processors keep, True if no token lies within float32's
    rounding of a threshold), on `logits`, the browser's scores."""
    scores = logits[None].clone()
    determined = True
    if setting["temperature"] != 1.0:
        scores = TemperatureLogitsWarper(setting["temperature"])(ids, scores)
    if setting["topK"]:
        scores = TopKLogitsWarper(setting["topK"])(ids, scores)
    if setting["topP"] < 1.0:
        # the cumulative masses TopPLogitsWarper compares, in float32 (as it computes
        # them) and in float64: a token closer to 1 - p than they differ is undecided
        ordered = scores.sort(descending=False).values
        in_float32 = ordered.softmax(-1).cumsum(-1)
        in_float64 = ordered.double().softmax(-1).cumsum(-1)
        rounding = (in_float32 - in_float64).abs().max().item()
        threshold = 1 - setting["topP"]  # compared in float32: rounded once more
        rounding += EPS * threshold
        margin = (in_float64 - threshold).abs().min().item()
        determined &= margin > 2 * rounding
        scores = TopPLogitsWarper(setting["topP"])(ids, scores)
    if setting["minP"]:
        in_float32, in_float64 = scores.softmax(-1), scores.double().softmax(-1)
        rounding = (in_float32 - in_float64).abs().max().item()
        threshold = setting["minP"] * in_float64.max().item()
        rounding += EPS * threshold  # the threshold, a float32 product
        margin = (in_float64 - threshold).abs().min().item()
        determined &= margin > 2 * rounding
        scores = MinPLogitsWarper(setting["minP"])(ids, scores)
    return torch.isfinite(scores[0]).nonzero()[:, 0].tolist(), determined


def test_the_live_demo_equals_pytorch(browser, site_url, site_dir, pytorch):
    if live_model.current() is None:
        pytest.fail("the site was built without the live demo's files "
                    "(tools/live_model.py)", pytrace=False)
    tokenizer, model = pytorch
    ours = expected(pytorch)
    host = urlsplit(site_url).netloc
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    if AXE.exists():
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    responses: list[tuple[str, int]] = []
    external: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: responses.append(
        (r.url, int(r.headers.get("content-length", 0)))))
    page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https")
            and urlsplit(r.url).netloc != host and external.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(urljoin(site_url, PAGE), wait_until="networkidle")

    # Before the button: nothing of the model, the page as light as the others
    before = list(responses)
    heavy = {"/" + name for name in live_model.site_files()}
    assert not [url for url, _ in before if urlsplit(url).path.endswith(tuple(heavy))]
    announced = int(page.get_attribute("#live-phi3", "data-bytes"))
    assert announced <= MAX_DOWNLOAD_MB * 1e6
    mb = page.get_attribute("#live-phi3", "data-mb")
    assert f"({mb} MB)" in page.inner_text("#live-load")  # says what it loads

    # The button, from the keyboard; the demo shows the first prompt's numbers
    started = time.perf_counter()
    page.focus("#live-load")
    page.keyboard.press("Enter")
    page.wait_for_selector("#live-phi3 table tbody tr:nth-child(10)", timeout=60_000)
    load_seconds = time.perf_counter() - started
    shown_ids = [int(cell) for cell in page.eval_on_selector_all(
        "#live-phi3 tbody tr td:nth-child(2)",
        "cells => cells.map(c => c.textContent)")]
    first = ours[0]
    tolerance = bound(model, first["logits"], first["ids"].shape[1])
    assert same_ranking(shown_ids, first["top"], first["logits"], 2 * tolerance)
    shown_pieces = page.eval_on_selector_all(
        "#live-phi3 .live-piece code", "codes => codes.map(c => c.textContent)")
    assert shown_pieces == first["pieces"]
    loaded_bytes = sum(size for _, size in responses[len(before):])

    # Every prompt, in one call of the page's own module
    module = urljoin(site_url, "assets/javascripts/live.js")
    browser_side = page.evaluate(RUN, {
        "module": module, "prompts": PROMPTS, "topIds": [o["top"] for o in ours],
        "settings": SETTINGS, "count": GREEDY_TOKENS})

    worst, greedy_compared, filters_compared = 0.0, 0, 0
    for prompt, mine, theirs in zip(PROMPTS, ours, browser_side["results"]):
        ids = mine["ids"]
        assert theirs["ids"] == ids[0].tolist(), prompt
        assert theirs["pieces"] == mine["pieces"], prompt
        logits = torch.tensor(theirs["logits"], dtype=torch.float32)
        tolerance = bound(model, mine["logits"], ids.shape[1])
        difference = (logits - mine["logits"]).abs().max().item()
        worst = max(worst, difference)
        assert difference <= tolerance, (prompt, difference, tolerance)
        assert same_ranking(theirs["top"], mine["top"], mine["logits"], 2 * tolerance)
        probs = mine["logits"].softmax(-1)[mine["top"]]
        shown = theirs["probsAt"]
        assert max(abs(p - q) for p, q in zip(shown, probs.tolist())) <= 1e-5
        n = determined_greedy(mine["greedy"], mine["step_scores"], model, ids.shape[1])
        assert theirs["greedy"][:n] == mine["greedy"][:n], prompt
        greedy_compared += n
        for setting, kept in zip(SETTINGS, theirs["kept"]):
            expected_kept, determined = filter_verdicts(ids, logits, setting)
            if determined:
                assert kept == expected_kept, (prompt, setting)
                filters_compared += 1
    cases = len(PROMPTS) * len(SETTINGS)
    assert filters_compared >= cases // 2, f"{filters_compared} of {cases} decided"
    assert greedy_compared >= len(PROMPTS) * GREEDY_TOKENS // 2

    # What a reader meets: nothing from another host, no error, axe, a phone's width
    assert external == [] and errors == []
    for scheme in ("default", "slate") if AXE.exists() else ():  # light, then dark
        page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)",
                      scheme)
        found = page.evaluate("""async () => (await axe.run("#live-phi3",
            {resultTypes: ["violations"]})).violations.map(v => [v.id, v.impact])""")
        assert [v for v in found if v[1] in ("serious", "critical")] == [], (scheme,
                                                                             found)
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.evaluate(NEXT_FRAME)
    wide = page.evaluate("""() => [document.documentElement.scrollWidth,
        document.getElementById("live-phi3").getBoundingClientRect().right]""")
    assert wide[0] <= NARROW and wide[1] <= NARROW, wide
    context.close()

    at_twenty = [ms for result in browser_side["results"]
                 for length, ms in result["steps"] if length == GREEDY_TOKENS]
    every_step = [ms for result in browser_side["results"] for _, ms in result["steps"]]
    figures = {
        "max_abs_logit_difference": worst,
        "greedy_tokens_compared": greedy_compared,
        "filter_cases_compared": f"{filters_compared} of {cases}",
        "ms_per_token_at_20_tokens":
            statistics.median(at_twenty) if at_twenty else None,
        "ms_per_token_median": statistics.median(every_step),
        "load_seconds_button_to_table": round(load_seconds, 2),
        "load_seconds_in_page": round(browser_side["seconds"], 2),
        "mb_on_the_button": round(loaded_bytes / 1e6, 2),
        "mb_announced": round(announced / 1e6, 2),
        "kb_before_the_button": round(sum(size for _, size in before) / 1024),
        "site": built_site.served_path(),
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=1), "utf-8")
    summary_line("live demo: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
