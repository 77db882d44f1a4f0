"""Regenerate (or check) the outputs shown on the pages: `make update-examples`.

1. Outputs. A page shows what a snippet section prints by including an output file:

    --8<-- "snippets/<chapter>/output/<snippet>/<section>.txt"       computed here
    --8<-- "snippets/<chapter>/output/<snippet>/<section>.real.txt"  recorded from the
                                                                     real model

Computed outputs come from running the snippet against the real-size configs and the
real tokenizer, with every model built on the meta device (see `meta_models`): real
shapes, module trees and parameter counts, no weights, no memory. Outputs that need the
real weights (generated text, predicted tokens) are `.real.txt` files: recorded from
the real model, never written here, and checked by the opt-in tier
(`pytest --real-model`).

2. Facts. Every number a page states in prose names a computed fact
(`3072<!--hidden_size-->`). The facts of the pages of docs/<chapter> are computed by
the scripts `tests/<package>/facts*.py` (their `FACTS`, and `NOT_FACTS`: numbers that
need no check, with the reason) and written to `tests/<package>/facts.json`, which
tests/test_prose_numbers.py reads. Only this command runs the scripts. It then sets
every such number in the pages to its fact's value (a new `make bench` moves the
measured ones): read the sentences around them again.

3. Figures. The figures of each snippet module with `FIGURES` (`tools.figures`), both
languages. A figure is compared by what a reader sees (`tools.figures.differences`:
same elements and text, coordinates within `tools.figures.TOLERANCE`), not by its
bytes: drawn on another CPU it is the same figure, and it is not rewritten.

4. Units and the cache. The work is cut into units (`Unit`): one snippet's outputs,
one chapter's facts, one figure module's figures; and the pages' restated numbers,
which need this run's facts. Each of the first three runs in a process of its own,
forked from a server that imported torch and transformers once (and what drawing
needs, when figures are drawn), as many at a time as the machine has cores
(`--jobs`), and reports what it read (`Reads`): the files it
opened (with the other files of their folder when they are data: a checkpoint's
weights are read by Rust, where Python doesn't see it), the folders it listed, the
modules of this repository it ran, and the files and folders their code names in a
string ("snippets/scores_to_text/tiny-phi3"). With tests/data, the tokenizer's
files, the installed packages' versions and Python's (`definition`), and the content
of the committed files the unit checked, that is the unit's `Record`, kept in
.cache/update-examples/ when the unit passed or was just written. The next run
recomputes a unit only if something in its record changed; otherwise its committed
files are current as they are. The restated pages (milliseconds, in this process)
are recorded with every page, mkdocs.yml, the code that restates and the facts.
`--recompute` ignores the records. Nothing else (the CPU, the number of threads) is
an input: the outputs must not depend on it. Each numeric configuration (threads,
kernels) keeps its own records, and computes the units again: `make test-numerics`
checks that the verdict stays the same. Except a unit in which torch computed no
floating-point number (`FloatArithmetic`: its models on the meta device, its work
the tokenizer's and the pages'): threads and kernels can't change what it makes, so
its record under another configuration stands for this one.

Without --check, stale files are written once every unit of the round has finished;
a unit that read a file written then (the facts read outputs, the tokens chapter
counts the pages) recorded what it read before, and is computed again in the next
round, until nothing changes (three rounds at most).

    python -m tools.update_examples           # rewrite stale outputs, facts, figures
    python -m tools.update_examples --check   # exit 1 if any of them is stale
    python -m tools.update_examples snippets/x/y.py   # only this snippet's outputs
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import hashlib
import io
import json
import os
import platform
import re
import runpy
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tools import site
from tools.paths import CACHE, DOCS, ROOT, TEST_DATA

OUTPUT = re.compile(r"(?P<snippet>snippets/.+)/output/(?P<stem>\w+)/"
                    r"(?P<section>[-\w]+)(?P<real>\.real)?\.txt$")
RECORDS = CACHE / "update-examples"
ROUNDS = 3  # without --check: written files are read again by the next round
# What the units' processes import once, before any unit runs (their fork server):
# what they all need, and when figures are drawn, what drawing needs (the site model
# loads mkdocs.yml's plugins: a second per process otherwise). Names that fail to
# import are skipped.
PRELOAD = ["torch", "transformers", "transformers.models.phi3.modeling_phi3"]
PRELOAD_FIGURES = ["matplotlib.pyplot", "matplotlib.backends.backend_svg",
                   "mkdocs.config.defaults", "mkdocs.contrib.search",
                   "mkdocs_jupyter.plugin", "mkdocs_static_i18n.plugin"]


def included_outputs() -> set[Path]:
    """Every output file a page includes."""
    return {ROOT / path for page in site.load().pages()
            for path, _ in page.includes if OUTPUT.match(path)}


def shown_outputs(real: bool = False) -> dict[Path, set[str]]:
    """{snippet file: sections whose output a page shows}, computed or recorded ones."""
    wanted: dict[Path, set[str]] = defaultdict(set)
    for path in included_outputs():
        match = OUTPUT.match(path.relative_to(ROOT).as_posix())
        if bool(match["real"]) == real:
            wanted[ROOT / match["snippet"] / f"{match['stem']}.py"].add(match["section"])
    return dict(wanted)


def fact_key(name: str) -> str:
    """The name a page uses for a fact: 'weights in GB (bf16)' -> 'weights_in_gb_bf16'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def facts_folders() -> list[Path]:
    """The folders tests/<package>/ that hold facts scripts."""
    return sorted({path.parent for path in (ROOT / "tests").glob("*/facts*.py")})


def compute_facts(folder: Path) -> str:
    """The text of `folder`/facts.json, from the facts scripts in `folder`."""
    facts: dict[str, str] = {}
    not_facts: dict[str, str] = {}
    for script in sorted(folder.glob("facts*.py")):
        namespace = runpy.run_path(str(script), run_name=script.stem)
        for name, value in namespace["FACTS"].items():
            key = fact_key(name)
            if key in facts:
                raise ValueError(f"{script}: two facts are called {key!r}")
            facts[key] = value
        not_facts.update(namespace.get("NOT_FACTS", {}))
    return json.dumps({"facts": dict(sorted(facts.items())), "not_facts": not_facts},
                      ensure_ascii=False, indent=1) + "\n"


def restated_pages(facts_files: dict[Path, str]) -> dict[Path, str]:
    """{page: its Markdown} with every number in prose set to the fact it names."""
    found = {}
    for page in site.load().pages():
        facts = facts_files.get(ROOT / "tests" / page.package / "facts.json")
        restated = page.restated(json.loads(facts)["facts"]) if facts else page.text
        if restated != page.text:
            found[page.path] = restated
    return found


def output_file(snippet: Path, section: str, real: bool = False) -> Path:
    suffix = ".real.txt" if real else ".txt"
    return snippet.parent / "output" / snippet.stem / f"{section}{suffix}"


@contextlib.contextmanager
def meta_models():
    """Make `AutoModelForCausalLM.from_pretrained` build the model on the meta device.

    The model has the checkpoint's config, dtype and module tree, and runs forward
    passes with real shapes, but holds no weights.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    original = AutoModelForCausalLM.from_pretrained

    def on_meta(model_id, *args, **kwargs):
        config = AutoConfig.from_pretrained(model_id)
        dtype = kwargs.get("dtype", "auto")
        if dtype == "auto":
            dtype = config.dtype
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config, dtype=dtype)
        return model.eval()

    AutoModelForCausalLM.from_pretrained = on_meta
    try:
        yield
    finally:
        AutoModelForCausalLM.from_pretrained = original


def compute(snippet: Path, sections: set[str]) -> dict[str, str]:
    """Run `snippet` with meta-device models; return the wanted sections' output."""
    from tools.sections import run_sections

    with meta_models():
        printed = run_sections(snippet, until=sections)
    missing = sections - printed.keys()
    if missing:
        raise ValueError(f"{snippet.relative_to(ROOT)} has no section(s) {sorted(missing)}")
    return {section: printed[section] for section in sections}


def draw_figures(module: str) -> dict[Path, bytes]:
    """{docs/<chapter>/figures/<name>.svg: its bytes} of one module, every language."""
    from tools.figures import render

    with tempfile.TemporaryDirectory() as folder:
        return {DOCS / path.parent.name / "figures" / path.name: path.read_bytes()
                for path in render(Path(folder), modules=[module])}


# --- units -----------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A piece of the work, computed in a process of its own; see the module's doc."""
    kind: str  # "outputs", "facts" or "figures"
    path: str  # the snippet, the facts folder or the figure module, from the root
    sections: tuple[str, ...] = ()  # "outputs": the sections the pages show

    @property
    def name(self) -> str:
        return f"{self.kind} {self.path}"

    def compute(self) -> dict[Path, bytes]:
        """{file: what it must hold}."""
        source = ROOT / self.path
        if self.kind == "outputs":
            return {output_file(source, section): text.encode("utf-8") for section, text
                    in compute(source, set(self.sections)).items()}
        if self.kind == "facts":
            with meta_models():
                return {source / "facts.json": compute_facts(source).encode("utf-8")}
        if self.kind == "figures":
            module = ".".join(Path(self.path).with_suffix("").parts)
            return draw_figures(module)
        raise ValueError(f"unknown unit {self.name}")


def units(only: set[Path]) -> list[Unit]:
    """The units of a run: every one, or only the outputs of the snippets `only`."""
    from tools.figures import figure_modules

    found = [Unit("outputs", snippet.relative_to(ROOT).as_posix(),
                  tuple(sorted(sections)))
             for snippet, sections in sorted(shown_outputs().items())
             if not only or snippet in only]
    if not only:
        found += [Unit("facts", folder.relative_to(ROOT).as_posix())
                  for folder in facts_folders()]
        found += [Unit("figures", name.replace(".", "/") + ".py")
                  for name in figure_modules()]
    return found


# --- what a unit read --------------------------------------------------------------

# Not inputs: the repository's caches, environment and built site, compiled modules.
SKIPPED_TOP = {".git", ".cache", ".venv", "site"}
# Opened files whose folder is not taken as read with them (see `Reads.inputs`); nor is
# the root's, whose files (mkdocs.yml, pyproject.toml) are each read on their own.
CODE_AND_PAGES = {".py", ".md"}


@functools.cache
def tokenizer_dir() -> Path | None:
    from tools import hfcache

    folder = hfcache.real_tokenizer_dir()
    return folder.resolve() if folder else None


# The numeric configuration: a record made under one stands for another only when
# torch computed no floating-point number in the unit (`FloatArithmetic`: its models
# on the meta device, its work the tokenizer's, the pages'), so `make test-numerics`
# (two threads, other kernels) computes every other unit again. Each configuration
# keeps its own records (`Record.path`): `make test` after it finds its own still
# holding.
NUMERICS = ("OMP_", "MKL_", "ATEN_", "ONEDNN_", "DNNL_", "OPENBLAS_", "KMP_")


def _numerics() -> list[str]:
    """The environment's settings of threads and kernels (NUMERICS)."""
    return sorted(f"{name}={value}" for name, value in os.environ.items()
                  if name.startswith(NUMERICS))


def _installed(numerics: bool = True) -> str:
    """Python's version, every installed package's, where the tokenizer is and the
    numeric configuration (threads, kernels; not with numerics=False): one changed,
    every unit is computed again."""
    from importlib import metadata

    packages = sorted(f"{package.metadata['Name']}=={package.version}"
                      for package in metadata.distributions())
    return hashlib.sha256("\n".join([sys.version, platform.machine(),
                                      str(tokenizer_dir()), *packages,
                                      *(_numerics() if numerics else [])])
                          .encode()).hexdigest()


class Reads:
    """What this process reads from now on, seen by a Python audit hook: files opened
    for reading and folders listed (`os.scandir`, `os.listdir`). One per process (an
    audit hook can't be removed): a unit's process makes one."""

    def __init__(self):
        self.files: set[str] = set()
        self.folders: set[str] = set()
        self.lost = False  # an event it could not read: the unit gets no record
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple) -> None:
        try:
            self._see(event, args)
        except Exception:  # noqa: BLE001 - never break the unit's own code
            self.lost = True

    def _see(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            if mode is None:  # os.open
                writing = flags is not None and flags & (os.O_WRONLY | os.O_RDWR)
            else:
                writing = any(c in str(mode) for c in "wax+")
            if not writing and isinstance(path, (str, bytes, os.PathLike)):
                self.files.add(os.path.abspath(os.fsdecode(path)))
        elif event in ("os.scandir", "os.listdir") and args and args[0] is not None:
            if isinstance(args[0], (str, bytes, os.PathLike)):
                self.folders.add(os.path.abspath(os.fsdecode(args[0])))

    def inputs(self) -> set[str]:
        """The keys (`Fingerprints`) of everything read, with the modules of this
        repository imported so far and the paths their code names."""
        keys: set[str] = set()
        code: set[Path] = set()
        for module in list(sys.modules.values()):
            name = getattr(module, "__file__", None)
            if isinstance(name, str) and _maybe_inside(name) and \
                    _inside(Path(name).resolve()) and Path(name).is_file():
                code.add(Path(name).resolve())
        for name in self.files:
            if not _maybe_inside(name) and (
                    "__pycache__" in name or name.startswith(_system_prefixes())):
                continue  # (quick: most files a unit opens are Python's)
            path = Path(name).resolve()
            if not path.is_file():
                continue
            if _inside(path) or _in_tokenizer(path):
                keys.add(_file_key(path))
                if path.suffix == ".py":
                    code.add(path)
                elif path.suffix not in CODE_AND_PAGES and path.parent != ROOT:
                    keys |= {_file_key(p) for p in path.parent.iterdir() if p.is_file()}
            elif not _system(path):
                keys.add(f"stat:{path}")
        tokenizer = tokenizer_dir()
        for name in self.folders:
            if not _maybe_inside(name) and not (
                    tokenizer and name.startswith(str(tokenizer))):
                continue
            path = Path(name).resolve()
            if path.is_dir() and (_inside(path) or _in_tokenizer(path)):
                keys.add(f"folder:{_shown(path)}")
        for path in code:
            keys.add(_file_key(path))
            for named in _named_paths(path):
                keys |= ({_file_key(named)} if named.is_file() else _tree_keys(named))
        if self.lost:
            keys.add("never:")  # a record that never holds
        return keys


def _inside(path: Path) -> bool:
    """Under the repository's root, not in a cache, the venv or the built site."""
    try:
        parts = path.relative_to(ROOT).parts
    except ValueError:
        return False
    return bool(parts) and parts[0] not in SKIPPED_TOP and "__pycache__" not in parts


def _maybe_inside(name: str) -> bool:
    """`_inside`, told from the absolute path's text (no symbolic links resolved)."""
    root = str(ROOT) + os.sep
    if not name.startswith(root) or "__pycache__" in name:
        return False
    return name[len(root):].split(os.sep, 1)[0] not in SKIPPED_TOP


def _in_tokenizer(path: Path) -> bool:
    folder = tokenizer_dir()
    return folder is not None and folder in path.parents


@functools.cache
def _system_prefixes() -> tuple[str, ...]:
    """Python's and the packages' files (their versions are an input), the kernel's
    pseudo-files, temporary files, and this repository (its caches: what is inside
    is checked first)."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir(),
               "/proc", "/sys", "/dev", str(ROOT), str(CACHE.resolve())}
    return tuple(os.path.join(os.path.realpath(folder), "") for folder in folders)


def _system(path: Path) -> bool:
    return str(path).startswith(_system_prefixes())


def _shown(path: Path) -> str:
    """A path as records keep it: from the root when it is inside."""
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _file_key(path: Path) -> str:
    return f"file:{_shown(path)}"


def _tree_keys(folder: Path) -> set[str]:
    keys = {f"folder:{_shown(folder)}"}
    for path in folder.rglob("*"):
        if "__pycache__" in path.parts:
            continue
        keys.add(f"folder:{_shown(path)}" if path.is_dir() else _file_key(path))
    return keys


def _named_paths(source: Path) -> set[Path]:
    """Files and folders of the repository that `source` names in a string with a `/`
    ("snippets/scores_to_text/tiny-phi3"): its code may read them without opening
    them where the audit hook sees it (a size, a Rust reader)."""
    found = set()
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if "/" in text and "\n" not in text and len(text) < 200 \
                    and not text.startswith("/") and ".." not in text:
                path = (ROOT / text).resolve()
                if path != ROOT and _inside(path) and path.exists():
                    found.add(path)
    return found


def global_keys() -> set[str]:
    """What every unit reads, seen or not: the configs and the tokenizer files (the
    offline Hugging Face cache is built from them)."""
    keys = {_file_key(path.resolve()) for path in TEST_DATA.iterdir() if path.is_file()}
    folder = tokenizer_dir()
    if folder:
        keys |= {_file_key(path) for path in folder.iterdir() if path.is_file()}
    return keys


class Fingerprints:
    """The current value of a record's keys, each computed once (`clear` after
    writing)."""

    def __init__(self):
        self.known: dict[str, str | None] = {}

    def clear(self) -> None:
        self.known.clear()

    def __call__(self, key: str) -> str | None:
        if key not in self.known:
            self.known[key] = self._compute(key)
        return self.known[key]

    @staticmethod
    def _compute(key: str) -> str | None:
        kind, _, name = key.partition(":")
        path = Path(name) if name.startswith("/") else ROOT / name
        try:
            if kind == "file":
                return hashlib.sha256(path.read_bytes()).hexdigest()
            if kind == "folder":
                names = sorted(entry.name for entry in path.iterdir()
                               if entry.name != "__pycache__")
                return hashlib.sha256("\n".join(names).encode()).hexdigest()
            if kind == "stat":
                stat = path.stat()
                return f"{stat.st_size} {stat.st_mtime_ns}"
            if kind == "never":
                return f"{os.getpid()} {time.time_ns()}"
        except OSError:
            return None
        raise ValueError(f"unknown key {key!r}")


# --- records ----------------------------------------------------------------------


@dataclass
class Record:
    """A unit that passed: what it was computed from, and the files it checked;
    whether torch computed on floats in it, and its definition under any numeric
    configuration (`portable`)."""
    definition: str
    inputs: dict[str, str | None]
    outputs: dict[str, str | None]
    seconds: float = 0.0
    float_free: bool = False
    portable: str = ""

    @staticmethod
    def file_name(name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()[:20] + ".json"

    @staticmethod
    def path(name: str) -> Path:
        """The unit's record under this numeric configuration (a folder each)."""
        numerics = hashlib.sha256("\n".join(_numerics()).encode()).hexdigest()[:8]
        return RECORDS / numerics / Record.file_name(name)

    @classmethod
    def read(cls, path: Path) -> Record | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["definition"], data["inputs"], data["outputs"],
                       data.get("seconds", 0.0), data.get("float_free", False),
                       data.get("portable", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @classmethod
    def load(cls, name: str) -> Record | None:
        return cls.read(cls.path(name))

    def save(self, name: str) -> None:
        data = {"unit": name, "definition": self.definition, "inputs": self.inputs,
                "outputs": self.outputs, "seconds": round(self.seconds, 2),
                "float_free": self.float_free, "portable": self.portable}
        _write_atomically(self.path(name), json.dumps(data, indent=1).encode())

    @classmethod
    def everywhere(cls, name: str) -> list[Record]:
        """The unit's records under every numeric configuration."""
        found = (cls.read(path)
                 for path in sorted(RECORDS.glob(f"*/{cls.file_name(name)}")))
        return [record for record in found if record]

    @classmethod
    def seconds_elsewhere(cls, name: str) -> float:
        """The longest time the unit took under any numeric configuration (0 if it
        never ran): the order to start units in, when this one has no record."""
        return max([record.seconds for record in cls.everywhere(name)] + [0.0])

    @classmethod
    def elsewhere(cls, name: str, portable: str,
                  fingerprint: Fingerprints) -> Record | None:
        """A record of the unit under another numeric configuration that stands for
        this one: torch computed no float in it, and it holds for `portable`."""
        return next((record for record in cls.everywhere(name)
                     if record.float_free and record.portable == portable
                     and record.unchanged(fingerprint)), None)

    @staticmethod
    def forget(name: str) -> None:
        Record.path(name).unlink(missing_ok=True)

    def holds(self, definition: str, fingerprint: Fingerprints) -> bool:
        """True when nothing it was computed from, and none of its files, changed."""
        return definition == self.definition and self.unchanged(fingerprint)

    def unchanged(self, fingerprint: Fingerprints) -> bool:
        """True when none of its inputs and none of its files changed."""
        inputs = all(fingerprint(key) == value for key, value in self.inputs.items())
        return inputs and all(fingerprint(_file_key(ROOT / name)) == value
                              for name, value in self.outputs.items())


def definition(name: str, installed: str, given: str = "") -> str:
    """What defines a unit besides the files it reads."""
    return hashlib.sha256(json.dumps([name, installed, given]).encode()).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_bytes(data)
    os.replace(scratch, path)


# --- running units in processes of their own ------------------------------------------


def _float_tensor(value) -> bool:
    import torch

    return isinstance(value, torch.Tensor) and value.device.type != "meta" and (
        value.is_floating_point() or value.is_complex())


def FloatArithmetic():  # noqa: N802 - a class, made when torch is imported
    """A context in which `seen` says whether torch computed on floating-point
    numbers (a torch function called with a float tensor in or out, not on the meta
    device): what threads and ATen's kernels can change (tools/numerics.py). At
    the level of torch's Python functions (a few percent of a unit's time, measured:
    ATen's own operations, one level down, cost 15 %); both levels found the same 36
    units of 80 free of floats."""
    from torch.overrides import TorchFunctionMode
    from torch.utils._pytree import tree_leaves

    class Seen(TorchFunctionMode):
        seen = False

        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            if not self.seen:
                self.seen = any(map(_float_tensor, tree_leaves((args, kwargs, out))))
            return out

    return Seen()


def _work(unit: Unit, connection, threads: int) -> None:
    """A unit's process: compute it, and send back what it made and what it read."""
    from tools import hfcache

    try:
        hfcache.activate("realsize")  # before anything imports huggingface_hub (the
        # fork server imported it with the same environment, set by main())
        reads = Reads()
        if threads:
            import torch

            torch.set_num_threads(threads)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), \
                FloatArithmetic() as arithmetic:  # what the code prints; what it did
            produced = unit.compute()
        message = {"produced": {_shown(path): data for path, data in produced.items()},
                   "inputs": sorted(reads.inputs() | global_keys()),
                   "seconds": time.perf_counter() - start,
                   "float_free": not arithmetic.seen}
    except BaseException:  # noqa: BLE001 - reported by the parent
        message = {"error": traceback.format_exc()}
    connection.send(message)
    connection.close()


def run_units(todo: list[Unit], jobs: int) -> dict[Unit, dict]:
    """Compute `todo`, `jobs` at a time, each in a new process forked from a server
    that imported PRELOAD once (the server of the first call serves the next rounds);
    {unit: its message}. Raises UnitFailed if one failed."""
    import multiprocessing
    from multiprocessing.connection import wait

    if not todo:
        return {}
    context = multiprocessing.get_context("forkserver")
    drawing = any(unit.kind == "figures" for unit in todo)
    context.set_forkserver_preload(PRELOAD + (PRELOAD_FIGURES if drawing else []))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    # Threads per process: the cores shared out, unless OMP_NUM_THREADS says otherwise.
    threads = 0 if "OMP_NUM_THREADS" in os.environ else max(1, cores // jobs)
    waiting, running, done = list(todo), {}, {}
    failed = []
    while waiting or running:
        while waiting and len(running) < jobs and not failed:
            unit = waiting.pop(0)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(unit, send, threads),
                                      name=unit.name)
            process.start()
            send.close()
            running[receive] = (unit, process)
        if not running:
            break
        for receive in wait(list(running)):
            unit, process = running.pop(receive)
            try:
                message = receive.recv()
            except EOFError:
                message = {"error": f"its process ended ({process.exitcode}) "
                                    "without a result"}
            receive.close()
            process.join()
            if "error" in message:
                failed.append(f"{unit.name}:\n{message['error']}")
            else:
                done[unit] = message
    if failed:
        raise UnitFailed("\n".join(failed))
    return done


class UnitFailed(Exception):
    """A unit raised (its traceback is the message) or its process died."""


# --- the run --------------------------------------------------------------------


def is_current(target: Path, content: bytes) -> bool:
    """Does the committed `target` hold `content`? Figures: as a reader sees them."""
    if not target.exists():
        return False
    stored = target.read_bytes()
    if stored == content:
        return True
    if target.suffix == ".svg" and target.parent.name == "figures":
        from tools.figures import differences

        return not differences(stored, content)
    return False


@dataclass
class Run:
    check: bool
    recompute: bool
    jobs: int
    installed: str = field(default_factory=_installed)
    portable: str = field(default_factory=lambda: _installed(numerics=False))
    stale: list[Path] = field(default_factory=list)
    computed: int = 0
    reused: int = 0
    float_free_reused: int = 0  # of `reused`: records of another configuration

    def round(self, only: set[Path]) -> bool:
        """One round over every unit; True when it wrote a file."""
        fingerprint = Fingerprints()
        todo, definitions, portable, seconds = [], {}, {}, {}
        for unit in units(only):
            definitions[unit] = definition(unit.name, self.installed,
                                           repr(unit.sections))
            portable[unit] = definition(unit.name, self.portable, repr(unit.sections))
            record = None if self.recompute else Record.load(unit.name)
            if record and record.holds(definitions[unit], fingerprint):
                self.reused += 1
            elif not self.recompute and (found := Record.elsewhere(
                    unit.name, portable[unit], fingerprint)):
                self.reused += 1
                self.float_free_reused += 1
                found.definition = definitions[unit]  # this configuration's, from now
                found.save(unit.name)
            else:
                todo.append(unit)
                seconds[unit] = record.seconds if record else Record.seconds_elsewhere(
                    unit.name)
        # The slowest first (as they were last time, under this numeric configuration
        # or another; else facts and figures, which run experiments), so that no long
        # one starts last.
        kinds = ["facts", "figures", "outputs"]
        todo.sort(key=lambda unit: (-seconds[unit], kinds.index(unit.kind)))
        results = run_units(todo, self.jobs)
        self.computed += len(results)
        writes: dict[Path, bytes] = {}
        passed: dict[Unit, dict] = {}
        facts: dict[Path, str] = {}
        for unit, message in results.items():
            float_free = message.get("float_free", False)
            print(f"computed: {unit.name} ({message['seconds']:.1f} s"
                  f"{', no float arithmetic' if float_free else ''})", flush=True)
            produced = {ROOT / name: data for name, data in message["produced"].items()}
            stale = {path: data for path, data in produced.items()
                     if not is_current(path, data)}
            facts.update({path: data.decode("utf-8") for path, data in produced.items()
                          if path.name == "facts.json"})
            self._report(stale)
            writes.update(stale)
            if stale and self.check:
                Record.forget(unit.name)
            else:
                passed[unit] = message
        # What the units read, as they read it: nothing is written during a round.
        # A unit that read a file written now is computed again in the next round.
        read = {unit: {key: fingerprint(key) for key in message["inputs"]
                       if key.removeprefix("file:") not in message["produced"]}
                for unit, message in passed.items()}
        for path, data in writes.items():
            if not self.check:
                _write_atomically(path, data)
        fingerprint.clear()
        for unit, message in passed.items():
            outputs = {name: fingerprint(_file_key(ROOT / name))
                       for name in message["produced"]}
            Record(definitions[unit], read[unit], outputs, message["seconds"],
                   message.get("float_free", False), portable[unit]).save(unit.name)
        if not only:
            writes.update(self.pages(facts, fingerprint))
        return bool(writes) and not self.check

    def pages(self, computed: dict[Path, str], fingerprint: Fingerprints) -> dict:
        """The unit of the restated numbers, computed here: cheap, and it needs the
        facts of this round (the committed facts.json of the units not recomputed)."""
        facts = {folder / "facts.json": computed.get(folder / "facts.json") or
                 (folder / "facts.json").read_text(encoding="utf-8")
                 for folder in facts_folders() if (folder / "facts.json").exists()
                 or folder / "facts.json" in computed}
        name = "pages"
        given = json.dumps(sorted((_shown(p), t) for p, t in facts.items()))
        defined = definition(name, self.installed, given)
        record = None if self.recompute else Record.load(name)
        pages = sorted(DOCS.rglob("*.md"))
        if record and record.holds(defined, fingerprint) and \
                set(record.outputs) == {_shown(p) for p in pages}:
            self.reused += 1
            return {}
        self.computed += 1
        stale = {path: text.encode("utf-8")
                 for path, text in restated_pages(facts).items()}
        self._report(stale)
        if self.check and stale:
            Record.forget(name)
            return stale
        for path, data in stale.items():
            if not self.check:
                _write_atomically(path, data)
        fingerprint.clear()
        code = [ROOT / "mkdocs.yml", *(ROOT / "tools" / f for f in
                ("update_examples.py", "site.py", "paths.py"))]
        inputs = {key: fingerprint(key) for key in
                  {_file_key(p) for p in code} | {"folder:docs"} |
                  {f"folder:{_shown(p)}" for p in DOCS.rglob("*") if p.is_dir()}}
        outputs = {_shown(page): fingerprint(_file_key(page)) for page in pages}
        Record(defined, inputs, outputs).save(name)
        return stale

    def _report(self, stale: dict[Path, bytes]) -> None:
        for path in stale:
            self.stale.append(Path(_shown(path)))
            print(f"{'stale' if self.check else 'updated'}: {_shown(path)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale outputs")
    parser.add_argument("--recompute", action="store_true",
                        help="compute every unit, whatever .cache/update-examples/ "
                             "holds")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0))
                        if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
                        help="units computed at a time (default: the cores)")
    parser.add_argument("snippets", nargs="*", type=Path,
                        help="only these snippets' outputs (default: every output, "
                             "fact and figure)")
    args = parser.parse_args(argv)
    only = {path.resolve() for path in args.snippets}

    from tools import hfcache

    hfcache.activate("realsize")  # the fork server of the units inherits it
    os.environ.setdefault("MPLBACKEND", "Agg")
    if hfcache.real_tokenizer_dir() is None:
        print("The real Phi-3 tokenizer is missing (../shared/phi3-tokenizer or "
              "PHI3_TOKENIZER_DIR): outputs can't be computed.", file=sys.stderr)
        return 2
    start = time.perf_counter()
    run = Run(check=args.check, recompute=args.recompute, jobs=args.jobs)
    try:
        for _ in range(ROUNDS):
            if not run.round(only):
                break
            run.recompute = False  # the next round: only what read what this one wrote
        else:
            print(f"Still changing after {ROUNDS} rounds: run it again.",
                  file=sys.stderr)
    except UnitFailed as failure:
        print(f"A unit failed:\n{failure}", file=sys.stderr)
        return 1
    verb = "stale" if args.check else "updated"
    print(f"{len(run.stale)} output file(s) {verb}.")
    print(f"{run.computed} unit(s) computed, {run.reused} unchanged since they passed "
          f"({RECORDS.relative_to(ROOT)}/; {run.float_free_reused} of them under "
          f"another numeric configuration, with no float arithmetic), "
          f"{time.perf_counter() - start:.0f} s.")
    return 1 if (args.check and run.stale) else 0


if __name__ == "__main__":
    sys.exit(main())
