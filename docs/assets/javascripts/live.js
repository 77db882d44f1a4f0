// The live demo of "Play with the tiny model" (docs/scores-to-text/live.md): the tiny
// Phi-3 trained in "From scores to text", run in the reader's browser by ONNX Runtime
// Web (its WebAssembly CPU backend, one thread), its prompt split by Tokenizers.js.
//
// - Light until asked: this module is a few KB; the runtime, the model and the
//   tokenizer (the MB the button names) are fetched only when the reader presses it.
// - Everything from this site: the runtime and the tokenizer library are vendored
//   (tools/vendor.sh), the model and tokenizer.json are built from the committed
//   checkpoint (tools/live_model.py); the element's data-* attributes, written by
//   tools/site_hooks.py, say where they are and hold the words of the page's
//   language (mkdocs.yml, `live_*` strings).
// - The same numbers as PyTorch: the filters follow transformers' logits processors,
//   in the order generate() applies them (temperature, top-k, top-p, min-p), as the
//   page "From logits to probabilities" writes them; tests/site/test_live_in_browser.py
//   checks ids, probabilities, a greedy continuation and the filters against PyTorch.

const root = document.getElementById("live-phi3");
const data = root ? root.dataset : {};
const words = JSON.parse(data.strings || "{}");
const EOS = new Set((data.eos || "").split(" ").filter(Boolean).map(Number));

function say(key, values = {}) {
  return (words[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

const address = (name) => new URL(data[name], document.baseURI).href;
const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

// ---------------------------------------------------------------- loading

let loading = null; // one load for the page: the button and any caller share it

/** The runtime, the model and the tokenizer, fetched once: {ort, session, tokenizer,
 * bytes, seconds}. `progress(received, total)` is called as bytes arrive. */
export function load(progress = () => {}) {
  loading ??= (async () => {
    const started = performance.now();
    const total = Number(data.bytes);
    let received = 0;
    // fetched here rather than by the libraries, so the reader sees the progress
    const fetchBytes = async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${response.status} ${url}`);
      const reader = response.body.getReader();
      const chunks = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        progress(received, total);
      }
      const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      return bytes;
    };
    const json = async (url) => JSON.parse(new TextDecoder().decode(await fetchBytes(url)));
    const [ort, { Tokenizer }, wasm, model, tokenizerJson, tokenizerConfig] =
      await Promise.all([
        import(address("runtime")),
        import(address("tokenizers")),
        fetchBytes(address("wasm")),
        fetchBytes(address("model")),
        json(address("tokenizer")),
        json(address("tokenizerConfig")),
      ]);
    // The loader module from this site (the default is a CDN), the binary fetched
    // above; one thread: several need cross-origin isolation, which a static host
    // such as GitHub Pages cannot switch on.
    ort.env.wasm.wasmPaths = new URL(".", address("wasm")).href;
    ort.env.wasm.wasmBinary = wasm;
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = "error";
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ["wasm"],
    });
    const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    return { ort, session, tokenizer, bytes: received,
             seconds: (performance.now() - started) / 1000 };
  })();
  loading.catch(() => { loading = null; }); // a failed load may be tried again
  return loading;
}

// ---------------------------------------------------------------- the model

/** The prompt as the model reads it: {ids, pieces}; pieces keep "▁" (a space) and
 * the byte-fallback pieces such as "<0xE8>". */
export async function encode(text) {
  const { tokenizer } = await load();
  const { ids, tokens } = tokenizer.encode(text);
  return { ids, pieces: tokens };
}

/** The piece of one token id ("▁the"): decode([id]) would drop its leading space. */
export async function piece(id) {
  const { tokenizer } = await load();
  return tokenizer.id_to_token?.(id) ?? tokenizer.model.vocab[id];
}

/** The text of `ids` after the text of `before`: decoded together, so that the
 * space of the first new piece is kept. */
export async function continuation(before, ids) {
  const { tokenizer } = await load();
  const start = before.length ? tokenizer.decode(before) : "";
  const whole = tokenizer.decode([...before, ...ids]);
  return whole.startsWith(start) ? whole.slice(start.length) : whole;
}

let running = Promise.resolve(); // one run at a time: the page and its callers queue

/** The scores of the next token after `ids`: a Float32Array of 32064 logits. The
 * graph has no KV cache, so every call reads the whole text again. */
export function nextLogits(ids) {
  const run = running.then(async () => {
    const { ort, session } = await load();
    const input = new ort.Tensor("int64", BigInt64Array.from(ids, (id) => BigInt(id)),
                                 [1, ids.length]);
    const output = await session.run({ [session.inputNames[0]]: input });
    return output[session.outputNames[0]].data; // (1, 1, 32064): the last position
  });
  running = run.catch(() => {});
  return run;
}

// ---------------------------------------------------------------- the filters

/** exp, then divide by the sum; the largest score subtracted first, as torch does. */
export function softmax(scores) {
  let largest = -Infinity;
  for (const score of scores) if (score > largest) largest = score;
  const probs = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    probs[i] = Math.exp(scores[i] - largest); // exp(-Infinity) = 0: a removed token
    sum += probs[i];
  }
  for (let i = 0; i < probs.length; i++) probs[i] /= sum;
  return probs;
}

/** The scores after the filters, -Infinity for a removed token; each filter as
 * transformers' processor, in generate()'s order, each skipped where generate()
 * skips it (temperature 1, top-k 0, top-p 1, min-p 0). */
export function filtered(logits, { temperature = 1, topK = 0, topP = 1, minP = 0 } = {}) {
  // TemperatureLogitsWarper divides in float32: Math.fround rounds the quotient as
  // float32 division does, so the scores are torch's to the bit
  let scores = Float64Array.from(logits, (x) =>
    temperature === 1 ? x : Math.fround(x / temperature));
  if (topK > 0) {
    // TopKLogitsWarper: remove every score below the k-th highest (ties stay)
    const kth = Float64Array.from(scores).sort().at(-Math.min(topK, scores.length));
    scores = scores.map((x) => (x < kth ? -Infinity : x));
  }
  if (topP < 1) {
    // TopPLogitsWarper: from the least probable up, remove tokens while the
    // probability removed so far stays <= 1 - p; the most probable always stays
    // (compared, not subtracted: -Infinity minus -Infinity is NaN)
    const order = Array.from(scores.keys())
      .sort((a, b) => (scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : 0));
    const probs = softmax(Float64Array.from(order, (i) => scores[i]));
    let removed = 0;
    const kept = Float64Array.from(scores);
    for (let rank = 0; rank < order.length - 1; rank++) {
      removed += probs[rank];
      if (removed > 1 - topP) break;
      kept[order[rank]] = -Infinity;
    }
    scores = kept;
  }
  if (minP > 0) {
    // MinPLogitsWarper: remove tokens less probable than min-p times the best one
    const probs = softmax(scores);
    const best = probs.reduce((a, b) => Math.max(a, b), 0);
    scores = scores.map((x, i) => (probs[i] < minP * best ? -Infinity : x));
  }
  return scores;
}

/** The index of the highest score (the first one, if tied, as torch.argmax). */
export function argmax(scores) {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** A token drawn from the softmax of the filtered scores. */
export function sample(scores, random = Math.random) {
  const probs = softmax(scores);
  let left = random();
  for (let i = 0; i < probs.length; i++) {
    left -= probs[i];
    if (left < 0) return i;
  }
  return argmax(scores); // rounding left a sliver: the most probable token
}

/** Continue `ids` by up to `count` tokens, greedy or sampled after the filters;
 * yields {id, ms, length} per token: the time of its step, the text's length. */
export async function* generate(ids, { count, greedy = true, settings = {},
                                       stopped = () => false }) {
  const text = [...ids];
  for (let step = 0; step < count && !stopped(); step++) {
    const started = performance.now();
    const logits = await nextLogits(text);
    const id = greedy ? argmax(logits) : sample(filtered(logits, settings));
    const ms = performance.now() - started;
    yield { id, ms, length: text.length };
    text.push(id);
    if (EOS.has(id)) return; // generate() stops at the end-of-text token too
  }
}

// ---------------------------------------------------------------- the page

function element(tag, attributes = {}, ...children) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") made.textContent = value;
    else made.setAttribute(name, value);
  }
  made.append(...children);
  return made;
}

function slider(name, label, { min, max, step, value }) {
  const input = element("input", { type: "range", id: `live-${name}`, min, max, step,
                                   value: String(value) });
  const shown = element("output", { for: `live-${name}`, text: String(value) });
  input.addEventListener("input", () => { shown.value = input.value; });
  return { input, row: element("div", { class: "live-setting" },
    element("label", { for: `live-${name}`, text: label }), input, shown) };
}

function percent(p) {
  return `${(p * 100).toFixed(1)}%`;
}

function show() {
  const status = element("p", { class: "live-status", role: "status" });
  const button = element("button", { type: "button", id: "live-load",
    class: "md-button md-button--primary", text: say("load", { mb: data.mb ?? "?" }) });
  root.replaceChildren(element("p", { class: "live-label", text: say("label") }),
                       element("p", {}, button), status);
  const webassembly = typeof WebAssembly === "object"
    && typeof WebAssembly.instantiate === "function";
  if (!webassembly || !data.bytes) {
    button.disabled = true;
    status.textContent = say(webassembly ? "missing" : "no_wasm");
    return;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    const total = megabytes(Number(data.bytes));
    try {
      const loaded = await load((received) => {
        status.textContent = say("loading", { mb: megabytes(received), total });
      });
      status.textContent = say("loaded", { mb: megabytes(loaded.bytes),
                                           seconds: loaded.seconds.toFixed(1) });
      button.remove();
      play(status);
    } catch (error) {
      status.textContent = say("failed", { error: error.message ?? String(error) });
      button.disabled = false;
    }
  });
}

function play(status) {
  const prompt = element("textarea", { id: "live-prompt", rows: "2",
                                       spellcheck: "false" });
  prompt.value = data.prompt || "";
  const piecesTitle = element("p", { class: "live-title", id: "live-pieces-title" });
  const pieces = element("div", { class: "live-pieces", role: "group",
                                  "aria-labelledby": "live-pieces-title" });
  const settings = {
    temperature: slider("temperature", say("temperature"),
                        { min: "0.1", max: "2", step: "0.1", value: "1" }),
    topK: slider("top-k", say("top_k"), { min: "0", max: "100", step: "1", value: "0" }),
    topP: slider("top-p", say("top_p"), { min: "0.05", max: "1", step: "0.05",
                                         value: "1" }),
    minP: slider("min-p", say("min_p"), { min: "0", max: "0.5", step: "0.01",
                                         value: "0" }),
  };
  const kept = element("p", { class: "live-kept" });
  const body = element("tbody");
  const table = element("table", {},
    element("caption", { text: say("next", { count: 10 }) }),
    element("thead", {}, element("tr", {},
      ...["piece", "id", "probability", "filtered"].map((key) =>
        element("th", { scope: "col", text: say(key) })))),
    body);
  const count = element("input", { type: "number", id: "live-count", min: "1",
                                   max: "100", value: "20" });
  const greedy = element("input", { type: "radio", name: "live-mode", id: "live-greedy",
                                    value: "greedy" });
  greedy.checked = true;
  const sampled = element("input", { type: "radio", name: "live-mode", id: "live-sample",
                                     value: "sample" });
  const start = element("button", { type: "button", id: "live-generate",
    class: "md-button md-button--primary", text: say("generate") });
  const stop = element("button", { type: "button", id: "live-stop", class: "md-button",
                                   text: say("stop") });
  stop.disabled = true;
  const written = element("p", { class: "live-output", "aria-live": "polite" });
  const speed = element("p", { class: "live-speed" });
  root.append(
    element("label", { for: "live-prompt", class: "live-title", text: say("prompt") }),
    prompt, piecesTitle, pieces,
    element("fieldset", {}, element("legend", { text: say("filters") }),
            ...Object.values(settings).map((s) => s.row), kept),
    element("div", { class: "live-scroll", tabindex: "0", role: "region",
                     "aria-label": say("next", { count: 10 }) }, table),
    element("fieldset", {}, element("legend", { text: say("continue") }),
      element("div", { class: "live-setting" },
        element("label", { for: "live-count", text: say("new_tokens") }), count),
      element("div", { class: "live-setting" }, greedy,
              element("label", { for: "live-greedy", text: say("greedy") })),
      element("div", { class: "live-setting" }, sampled,
              element("label", { for: "live-sample", text: say("sample") })),
      element("p", {}, start, " ", stop)),
    written, speed);
  prompt.focus(); // the button that had the focus is gone: the prompt takes it

  let ids = [];
  let logits = null; // the scores after the prompt, kept while only a filter moves
  const current = () => ({
    temperature: Number(settings.temperature.input.value),
    topK: Number(settings.topK.input.value),
    topP: Number(settings.topP.input.value),
    minP: Number(settings.minP.input.value),
  });

  async function redraw() {
    if (!logits) return;
    const probs = softmax(logits);
    const after = softmax(filtered(logits, current()));
    kept.textContent = say("kept", { count: after.filter((p) => p > 0).length });
    const best = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]).slice(0, 10);
    const rows = [];
    for (const id of best) {
      const bar = (p, kind) => element("span", { class: `live-bar ${kind}`,
        style: `width: ${(p * 100).toFixed(1)}%`, "aria-hidden": "true" });
      rows.push(element("tr", {},
        element("td", {}, element("code", { text: await piece(id) })),
        element("td", { text: String(id) }),
        element("td", {}, bar(probs[id], "model"), percent(probs[id])),
        element("td", {}, bar(after[id], "after"),
                after[id] > 0 ? percent(after[id]) : "–")));
    }
    body.replaceChildren(...rows);
  }

  let pending = 0;
  async function predict() {
    const asked = ++pending;
    const encoded = await encode(prompt.value);
    if (asked !== pending) return; // the reader typed on: only the latest counts
    ids = encoded.ids;
    piecesTitle.textContent = say("pieces", { count: ids.length });
    pieces.replaceChildren(...encoded.pieces.map((p, i) => element("span",
      { class: "live-piece" }, element("code", { text: p }),
      element("sub", { text: String(ids[i]) }))));
    logits = ids.length ? await nextLogits(ids) : null;
    if (asked !== pending) return;
    if (!logits) {
      body.replaceChildren();
      kept.textContent = "";
    }
    await redraw();
  }

  let typing;
  prompt.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(predict, 250); // after a pause in typing, not every key
  });
  for (const { input } of Object.values(settings)) input.addEventListener("input", redraw);

  let stopping = false;
  stop.addEventListener("click", () => { stopping = true; });
  start.addEventListener("click", async () => {
    if (!ids.length) return;
    stopping = false;
    start.disabled = prompt.disabled = true;
    stop.disabled = false;
    const made = [];
    const times = [];
    const shownPrompt = element("span", { text: prompt.value });
    const shownNew = element("mark");
    written.replaceChildren(shownPrompt, shownNew);
    try {
      for await (const step of generate(ids, {
        count: Math.max(1, Math.min(100, Number(count.value) || 1)),
        greedy: greedy.checked, settings: current(), stopped: () => stopping })) {
        made.push(step.id);
        times.push(step.ms);
        shownNew.textContent = await continuation(ids, made);
        const mean = times.reduce((a, b) => a + b, 0) / times.length;
        speed.textContent = say("speed", { tokens: made.length, ms: mean.toFixed(1),
          last: step.ms.toFixed(1), length: step.length });
      }
    } catch (error) {
      status.textContent = say("failed", { error: error.message ?? String(error) });
    } finally {
      start.disabled = prompt.disabled = false;
      stop.disabled = true;
    }
  });
  predict();
}

if (root) show();
