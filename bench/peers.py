"""The runtimes a reader would pick instead of PyTorch, measured like the recipes.

`make bench` (bench.phi3_cpu.run_all) prepares them here (`prepare_in_subprocess`),
then times each peer once per round, in turn with the PyTorch recipes.
Each peer gets the SAME random real-size weights as the recipes (bench.common's
deterministic fill), saved once as a Hugging Face folder (safetensors + the real
tokenizer), then converted offline with the runtime's own tool:

- ONNX Runtime GenAI: its model builder, `-p int4 -e cpu` (Microsoft's CPU recipe for
  Phi-3: MatMulNBits int4 matrices);
- llama.cpp (through llama-cpp-python): `convert_hf_to_gguf.py` from the llama.cpp that
  llama-cpp-python's source distribution vendors, to a bf16 GGUF, then
  `llama_model_quantize` to Q4_0.

The folder and the conversions are cached under ~/.cache/inside-phi3/bench/
($INSIDE_PHI3_BENCH_CACHE), keyed by what goes in (config, sizes, the fill's code, the
tokenizer, the versions), so a change invalidates them and nothing is converted twice.

Each peer is timed in a process of its own with the recipes' method: the same prompt
token ids, a warm-up, then greedy decoding forced to the full number of new tokens
(no stop at end-of-text), a time stamp per token: prefill = time to the first token,
decode = median of the following steps; peak RSS; bytes read per token from the
converted file's tensors (every weight except the token-embedding table, as for the
recipes). The caller divides those bytes by the measured bandwidth: the floor.

    python -m bench.peers --quick --prepare     # convert for the peers, tiny model
    python -m bench.phi3_cpu --quick --only walkthrough ort-genai-int4 llama.cpp-Q4_0

Needs the optional extra: `pip install -c requirements-lock.txt -e ".[peers]"`.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tools.paths import ROOT, TEST_DATA

CACHE = Path(os.environ.get("INSIDE_PHI3_BENCH_CACHE",
                            Path.home() / ".cache" / "inside-phi3" / "bench"))
LLAMA_CPP_PYTHON = "0.3.36"  # pyproject.toml's `peers` extra pins the same
MODULES = {"ort-genai-int4": ("onnxruntime_genai", "onnxruntime", "onnx", "onnx_ir"),
           "llama.cpp-Q4_0": ("llama_cpp", "gguf")}  # what each peer imports
INSTALL_HINT = 'pip install -c requirements-lock.txt -e ".[peers]"'


@dataclass(frozen=True)
class Peer:
    name: str
    runtime: str  # the project
    how: str  # the conversion, in a few words
    weights: str  # the format of its matrices


PEERS = [
    Peer("ort-genai-int4", "ONNX Runtime GenAI",
         "model builder -p int4 -e cpu", "MatMulNBits int4"),
    Peer("llama.cpp-Q4_0", "llama.cpp (llama-cpp-python)",
         "convert_hf_to_gguf.py --outtype bf16, then llama_model_quantize Q4_0", "Q4_0"),
]
NAMES = [peer.name for peer in PEERS]


def missing_extras(names: list[str] = NAMES) -> list[str]:
    """The modules these peers need (the `peers` extra) that cannot be imported here."""
    from importlib.util import find_spec

    return [module for name in names for module in MODULES[name]
            if find_spec(module) is None]


# ---------------------------------------------------------------- the weights, once


def _key(quick: bool) -> str:
    """What the saved weights depend on: change any of it and they are rebuilt."""
    import torch
    import transformers

    from bench import common
    from tools.hfcache import STANDIN_SIZES, real_tokenizer_dir

    digest = hashlib.sha256()
    for text in (
        (TEST_DATA / "phi3-mini-4k-instruct.config.json").read_text(),
        json.dumps(STANDIN_SIZES if quick else None, sort_keys=True),
        inspect.getsource(common.build_model),
        inspect.getsource(common.fill_cheaply),
        torch.__version__, transformers.__version__,
    ):
        digest.update(text.encode())
    tokenizer = real_tokenizer_dir()
    for path in sorted(tokenizer.iterdir()) if tokenizer else []:
        digest.update(path.name.encode() + path.read_bytes())
    return ("quick-" if quick else "real-") + digest.hexdigest()[:12]


def _build_once(target: Path, build) -> dict:
    """Run build(scratch) unless `target` exists; then move it in place. Its info."""
    info_file = target / "made.json"
    if not info_file.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=".building-"))
        try:
            start = time.perf_counter()
            info = build(scratch) or {}
            info["seconds"] = time.perf_counter() - start
            (scratch / "made.json").write_text(json.dumps(info, indent=2))
            if target.exists():
                shutil.rmtree(target)  # an interrupted build left it without made.json
            scratch.rename(target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return json.loads(info_file.read_text())


def hf_folder(quick: bool) -> Path:
    """The recipes' random weights as a Hugging Face folder (bf16 safetensors)."""
    folder = CACHE / _key(quick) / "hf"
    _build_once(folder, lambda scratch: _save_hf(scratch, quick))
    return folder


def _save_hf(folder: Path, quick: bool) -> dict:
    from huggingface_hub import snapshot_download

    from bench.common import Recipe, build_model
    from tools.hfcache import MINI_ID

    print(f"  saving the random weights to {folder.parent}", file=sys.stderr)
    model = build_model(Recipe("walkthrough", "saved for the peers"), quick)
    model.save_pretrained(folder)  # safetensors
    snapshot = Path(snapshot_download(MINI_ID))  # the offline cache: tokenizer only
    for path in snapshot.iterdir():
        if path.name.startswith(("tokenizer", "special_tokens", "generation_config")):
            shutil.copy(path, folder / path.name)
    if not (folder / "tokenizer.model").exists():
        raise RuntimeError("the peers need the real Phi-3 tokenizer (tokenizer.model)")
    return {}


# ---------------------------------------------------------------- conversions


def _run(command: list[str], log: Path | None = None, **options) -> None:
    """Run a tool; its chatter goes to `log` (kept beside what it made), if given."""
    print("  $ " + " ".join(str(part) for part in command), file=sys.stderr)
    if log is None:
        subprocess.run(command, check=True, **options)
        return
    with open(log, "a", encoding="utf-8") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, **options)
    if done.returncode:
        tail = log.read_text(encoding="utf-8").splitlines()[-20:]
        raise RuntimeError(f"{command[:3]} failed ({done.returncode}):\n"
                           + "\n".join(tail))


def ort_folder(quick: bool) -> tuple[Path, dict]:
    import onnxruntime_genai as og

    source = hf_folder(quick)
    target = source.parent / f"ort-genai-{og.__version__}-int4"

    def build(scratch: Path) -> dict:
        with tempfile.TemporaryDirectory() as cache_dir:
            _run([sys.executable, "-m", "onnxruntime_genai.models.builder",
                  "-i", source, "-o", scratch, "-p", "int4", "-e", "cpu",
                  "-c", cache_dir], log=scratch / "log.txt")
        return {"tool": f"onnxruntime-genai {og.__version__} model builder"}

    return target, _build_once(target, build)


def llama_cpp_source() -> Path:
    """llama.cpp as vendored in llama-cpp-python's sdist (only its converter)."""
    folder = CACHE / "sdist" / f"llama_cpp_python-{LLAMA_CPP_PYTHON}"
    llama = folder / "vendor" / "llama.cpp"
    if not (llama / "convert_hf_to_gguf.py").exists():
        archive = folder.parent / f"llama_cpp_python-{LLAMA_CPP_PYTHON}.tar.gz"
        if not archive.exists():
            _run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:",
                  "--no-deps", f"llama-cpp-python=={LLAMA_CPP_PYTHON}",
                  "-d", folder.parent])
        prefix = f"llama_cpp_python-{LLAMA_CPP_PYTHON}/vendor/llama.cpp/"
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(
                (prefix + "convert_hf_to_gguf.py", prefix + "conversion/",
                 prefix + "gguf-py/"))]
            tar.extractall(folder.parent, members=members, filter="data")
    return llama


def gguf_files(quick: bool) -> tuple[Path, dict]:
    import llama_cpp

    source = hf_folder(quick)
    target = source.parent / f"llama-cpp-python-{llama_cpp.__version__}"

    def build(scratch: Path) -> dict:
        bf16, q4 = scratch / "model-bf16.gguf", scratch / "model-Q4_0.gguf"
        start = time.perf_counter()
        _run([sys.executable, llama_cpp_source() / "convert_hf_to_gguf.py", source,
              "--outtype", "bf16", "--outfile", bf16], log=scratch / "log.txt")
        converted = time.perf_counter()
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0
        params.nthread = len(os.sched_getaffinity(0))
        status = llama_cpp.llama_model_quantize(
            str(bf16).encode(), str(q4).encode(), ctypes.byref(params))
        if status != 0:
            raise RuntimeError(f"llama_model_quantize failed ({status})")
        bf16.unlink()  # only the Q4_0 file is measured; the bf16 one is 7.6 GB
        return {"tool": f"llama.cpp of llama-cpp-python {llama_cpp.__version__}",
                "convert_s": converted - start,
                "quantize_s": time.perf_counter() - converted}

    return target, _build_once(target, build)


CONVERSIONS = {"ort-genai-int4": ort_folder, "llama.cpp-Q4_0": gguf_files}


def prepare(quick: bool, names: list[str] = NAMES) -> dict:
    """Save and convert whatever is not cached; {what: how long it took when made}."""
    made = {"hf": _build_once(CACHE / _key(quick) / "hf", lambda s: _save_hf(s, quick))}
    return made | {name: CONVERSIONS[name](quick)[1] for name in names}


# ---------------------------------------------------------------- bytes per token


def ort_weights(folder: Path) -> dict:
    """Bytes of every initializer; how the builder stored its int4 matrices."""
    import onnx

    model = onnx.load(folder / "model.onnx", load_external_data=False)
    sizes, kinds = {}, {}
    for tensor in model.graph.initializer:
        external = {entry.key: entry.value for entry in tensor.external_data}
        size = int(external["length"]) if "length" in external else len(tensor.raw_data)
        sizes[tensor.name] = size
        kinds[tensor.name] = onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type)
    blocks, bits, scales, zero_points = set(), set(), set(), False
    weights = stored = 0
    for node in model.graph.node:
        if node.op_type != "MatMulNBits":
            continue
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        blocks.add(attributes["block_size"])
        bits.add(attributes["bits"])
        scales.add(kinds[node.input[2]].itemsize)  # inputs: A, B, scales[, zeros]
        zero_points |= len(node.input) > 3 and bool(node.input[3])
        weights += attributes["K"] * attributes["N"]
        stored += sum(sizes.get(name, 0) for name in node.input[1:])
    embedding = [name for name in sizes if "embed_tokens" in name]
    return {"tensor_bytes": sizes, "embedding": embedding,
            "block_sizes": sorted(blocks), "bits": sorted(bits),
            "scale_bytes": sorted(scales), "zero_points": zero_points,
            "int4_weights": weights, "int4_bytes": stored,
            "embedding_bytes_per_weight": [int(kinds[name].itemsize)
                                           for name in embedding]}


def gguf_weights(path: Path) -> dict:
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFReader

    reader = GGUFReader(path)
    by_type: dict[str, int] = {}
    sizes = {}
    embedding = ""
    for tensor in reader.tensors:
        sizes[tensor.name] = int(tensor.n_bytes)
        if tensor.name == "token_embd.weight":
            embedding = tensor.tensor_type.name
        else:
            kind = tensor.tensor_type.name
            by_type[kind] = by_type.get(kind, 0) + int(tensor.n_bytes)
    blocks = {kind: list(GGML_QUANT_SIZES[GGMLQuantizationType[kind]])
              for kind in by_type}  # [weights per block, bytes per block]
    return {"tensor_bytes": sizes, "embedding": ["token_embd.weight"],
            "read_by_type": by_type, "blocks": blocks, "embedding_type": embedding}


def read_per_token(weights: dict) -> int:
    return sum(size for name, size in weights["tensor_bytes"].items()
               if name not in weights["embedding"])


# ---------------------------------------------------------------- timing one peer


def _tokens(quick: bool) -> list[int]:
    from transformers import AutoTokenizer

    from bench.common import PROMPT

    return AutoTokenizer.from_pretrained(hf_folder(quick))(PROMPT).input_ids


def _ort_session(quick: bool, threads: int):
    import onnxruntime_genai as og

    folder, _ = ort_folder(quick)
    config = og.Config(str(folder))
    config.overlay(json.dumps({"model": {"decoder": {"session_options": {
        "intra_op_num_threads": threads, "inter_op_num_threads": 1}}}}))
    model = og.Model(config)

    def generate(ids: list[int], new_tokens: int, stamp) -> list[int]:
        params = og.GeneratorParams(model)
        length = len(ids) + new_tokens  # min = max: no stop at end-of-text
        params.set_search_options(max_length=length, min_length=length,
                                  do_sample=False)
        generator = og.Generator(model, params)
        generator.append_tokens(ids)  # the prompt: prefill
        out = []
        while not generator.is_done():
            generator.generate_next_token()  # runs the previous token, picks the next
            out.append(int(generator.get_next_tokens()[0]))
            stamp()
        return out

    return generate, ort_weights(folder), folder


def _llama_session(quick: bool, threads: int, repack: bool = True):
    import llama_cpp
    import numpy as np
    from llama_cpp import Llama

    folder, _ = gguf_files(quick)
    path = folder / "model-Q4_0.gguf"
    if not repack:
        # llama.cpp repacks Q4_0 weights for the CPU's vector units by default
        # ("extra buffer types", AMX included); in llama-cpp-python 0.3.36 that
        # crashed (SIGSEGV) on an Intel Xeon with AMX as soon as a batch held more
        # than one token. Plain Q4_0 buffers work; Llama() takes no switch for them.
        from llama_cpp import llama_cpp as low_level  # what Llama() calls

        default = low_level.llama_model_default_params

        def plain_buffers():
            params = default()
            params.use_extra_bufts = False
            return params

        low_level.llama_model_default_params = plain_buffers
    llm = Llama(str(path), n_threads=threads, n_threads_batch=threads, n_ctx=512,
                verbose=False)

    def last_logits():  # eval() keeps only the last token's logits, in llama.cpp
        row = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        return np.ctypeslib.as_array(row, shape=(llm.n_vocab(),))

    def generate(ids: list[int], new_tokens: int, stamp) -> list[int]:
        llm.reset()
        llm.eval(ids)  # the prompt: prefill
        out = []
        for _ in range(new_tokens):  # greedy, forced: no stop at end-of-text
            token = int(np.argmax(last_logits()))
            out.append(token)
            stamp()
            if len(out) < new_tokens:
                llm.eval([token])
        return out

    return generate, gguf_weights(path), folder


SESSIONS = {"ort-genai-int4": _ort_session, "llama.cpp-Q4_0": _llama_session}
# What to run instead when a peer's best settings crash (bench.phi3_cpu.run_all).
FALLBACK = {"llama.cpp-Q4_0": ["--plain-buffers"]}


def run_peer(name: str, quick: bool, new_tokens: int, repack: bool = True) -> dict:
    from bench.common import OthersClock, peak_rss_bytes, rss_bytes

    peer = next(p for p in PEERS if p.name == name)
    import torch

    threads = torch.get_num_threads()  # as many as the recipes: one per core
    ids = _tokens(quick)
    start = time.perf_counter()
    options = {} if name not in FALLBACK else {"repack": repack}
    generate, weights, folder = SESSIONS[name](quick, threads, **options)
    load_s = time.perf_counter() - start
    rss_after_load = rss_bytes()
    generate(ids, 2, lambda: None)  # warm-up
    stamps: list[float] = []

    def stamp():
        stamps.append(time.perf_counter())
        print(f"\r  {name}: token {len(stamps)}/{new_tokens}", end="",
              file=sys.stderr, flush=True)

    with OthersClock() as others:
        begin = time.perf_counter()
        generate(ids, new_tokens, stamp)
        total_s = time.perf_counter() - begin
    print(file=sys.stderr)
    steps = [b - a for a, b in zip(stamps, stamps[1:])]
    made = json.loads((folder / "made.json").read_text())
    result = {
        "name": name,
        "runtime": peer.runtime,
        "how": peer.how,
        "format": peer.weights,
        "version": version(name),
        "threads": threads,
        "prompt_tokens": len(ids),
        "new_tokens": len(stamps),
        "load_s": load_s,
        "prefill_s": stamps[0] - begin,
        "decode_s_per_token": statistics.median(steps),
        "decode_s_per_token_mean": statistics.fmean(steps),
        "total_s": total_s,
        "bytes_per_token": read_per_token(weights),
        "file_bytes": sum(p.stat().st_size for p in folder.iterdir()
                          if p.suffix in (".gguf", ".onnx", ".data")),
        "convert_s": made["seconds"],
        "rss_after_load_bytes": rss_after_load,
        "peak_rss_bytes": peak_rss_bytes(),
        "others": others.result(),
    }
    if name in FALLBACK:
        result["repacked"] = repack
    result["weights"] = {key: value for key, value in weights.items()
                         if key not in ("tensor_bytes", "embedding")}
    return result


def version(name: str) -> str:
    if name == "ort-genai-int4":
        import onnxruntime
        import onnxruntime_genai

        return (f"onnxruntime-genai {onnxruntime_genai.__version__}, "
                f"onnxruntime {onnxruntime.__version__}")
    import llama_cpp

    return f"llama-cpp-python {llama_cpp.__version__}"


# ---------------------------------------------------------------- all peers


def wanted(only: list[str] | None) -> list[str]:
    """The peers to run (all, or those in `only`); fails early if the extra is missing."""
    names = [name for name in NAMES if not only or name in only]
    missing = missing_extras(names)
    if missing:
        raise SystemExit(f"the peers need {', '.join(missing)}: {INSTALL_HINT} "
                         "(or leave them out with --only)")
    return names


def prepare_in_subprocess(quick: bool, names: list[str]) -> None:
    """Save and convert (cached) in a process of its own: the real-size model it
    saves is freed before anything is timed."""
    if names:
        print("peers: saving and converting the weights (cached)", file=sys.stderr)
        _run([sys.executable, "-m", "bench.peers", "--prepare", *names]
             + (["--quick"] if quick else []), cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model, few tokens")
    parser.add_argument("--prepare", nargs="*", choices=NAMES, metavar="PEER",
                        help="save and convert (these peers; all by default)")
    parser.add_argument("--peer", help=argparse.SUPPRESS)  # one peer, in a child
    parser.add_argument("--plain-buffers", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from bench.common import NEW_TOKENS, QUICK_NEW_TOKENS
    from tools import hfcache

    hfcache.activate("realsize")  # the real tokenizer, offline
    tokens = args.tokens or (QUICK_NEW_TOKENS if args.quick else NEW_TOKENS)
    if args.peer:
        result = run_peer(args.peer, args.quick, tokens, not args.plain_buffers)
        args.result.write_text(json.dumps(result))
        return 0
    print(json.dumps(prepare(args.quick, args.prepare or NAMES), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
