"""`make update-examples` recomputes a unit only when something it read changed.

In a throwaway copy of the project, with two snippets whose outputs the pages show:
logit_lens.py (it imports train_tiny.py and loads the tiny checkpoint, whose weights
Rust reads) and chinese_cost.py (it reads the pages). A first `python -m
tools.update_examples --check` on both computes them and records what each read, as
it read it: the record lists those files and nothing unrelated. Then a page changes
(only chinese_cost is computed again) and an output is edited by hand (only
logit_lens, and it is stale). That a changed input breaks a record: the unit test
after it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tools import hfcache
from tools.paths import CACHE, ROOT
from tools.update_examples import NUMERICS, Fingerprints, Record, definition

COPIED = ["docs", "snippets", "tools", "tests/__init__.py", "tests/data", "mkdocs.yml",
          "pyproject.toml"]
LENS = "snippets/scores_to_text/logit_lens.py"
COST = "snippets/tokens/chinese_cost.py"


def copy_project(folder):
    copy = folder / "project"
    for name in COPIED:
        source, target = ROOT / name, copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target,
                            ignore=shutil.ignore_patterns("__pycache__", "vendor"))
        else:
            shutil.copy(source, target)
    (copy / ".cache").mkdir()
    (copy / ".cache" / "hf").symlink_to(CACHE / "hf")  # the real-size cache, built
    return copy


def check(copy) -> tuple[int, str, dict[str, int]]:
    """Exit status, output, and how many units were computed and reused."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.update_examples", "--check", LENS, COST],
        cwd=copy, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PHI3_TOKENIZER_DIR": str(hfcache.real_tokenizer_dir())})
    counts = re.search(r"(\d+) unit\(s\) computed, (\d+) unchanged", result.stdout)
    assert counts, result.stdout + result.stderr[-3000:]
    return result.returncode, result.stdout, {"computed": int(counts[1]),
                                              "reused": int(counts[2])}


def record_of(copy, snippet) -> dict:
    """The copy's record of `snippet`'s outputs."""
    [record] = [json.loads(path.read_text("utf-8"))
                for path in (copy / ".cache/update-examples").rglob("*.json")
                if json.loads(path.read_text("utf-8"))["unit"] == f"outputs {snippet}"]
    return record


def read_by(copy, snippet) -> set[str]:
    """The files the copy's record of `snippet`'s outputs says it read."""
    return {key.partition(":")[2] for key in record_of(copy, snippet)["inputs"]
            if key.startswith("file:")}


def float_free(copy, snippet) -> bool:
    """Whether torch computed no float in the unit, as its record says."""
    return record_of(copy, snippet)["float_free"]


def append(path, text):
    with open(path, "a", encoding="utf-8") as file:
        file.write(text)


@pytest.mark.real_tokenizer
def test_a_unit_is_computed_again_only_when_an_input_changed(tmp_path):
    copy = copy_project(tmp_path)
    status, output, counts = check(copy)
    assert (status, counts) == (0, {"computed": 2, "reused": 0}), output

    # What each read, as recorded: the module logit_lens imports and the checkpoint's
    # weights, which Python never opens (safetensors reads them in Rust); every page
    # chinese_cost measures. Not an unrelated snippet, nor a page for the lens.
    lens, cost = read_by(copy, LENS), read_by(copy, COST)
    tiny = "snippets/scores_to_text/tiny-phi3/model.safetensors"
    assert {LENS, "snippets/scores_to_text/train_tiny.py", tiny} <= lens, lens
    pages = {p.relative_to(copy).as_posix() for p in (copy / "docs").rglob("*.md")}
    assert {"docs/why-slow/index.md", "docs/why-slow/index.zh.md"} <= cost, cost
    assert "snippets/scores_to_text/sampling.py" not in lens | cost
    assert not pages & lens
    # The lens runs the tiny model on floats; chinese_cost only counts tokens.
    assert (float_free(copy, LENS), float_free(copy, COST)) == (False, True)

    # An unrelated snippet, and a page only chinese_cost reads (a comment: its output
    # stays the same): chinese_cost alone is computed again.
    append(copy / "snippets/scores_to_text/sampling.py", "# unrelated\n")
    append(copy / "docs/why-slow/index.md", "\n<!-- a note -->\n")
    status, output, counts = check(copy)
    assert (status, counts) == (0, {"computed": 1, "reused": 1}), output
    assert f"computed: outputs {COST}" in output, output

    # Someone edits an output file logit_lens passed with: it alone, and still stale.
    append(copy / "snippets/scores_to_text/output/logit_lens/lens.txt", "by hand\n")
    status, output, counts = check(copy)
    assert status == 1 and counts == {"computed": 1, "reused": 1}, output
    assert f"computed: outputs {LENS}" in output, output
    assert "stale: snippets/scores_to_text/output/logit_lens/lens.txt" in output


def test_a_record_holds_until_an_input_output_or_definition_changes(tmp_path,
                                                                    monkeypatch):
    monkeypatch.setattr("tools.update_examples.RECORDS", tmp_path / "records")
    folder = tmp_path / "files"
    folder.mkdir()
    read, made = folder / "read.txt", folder / "made.txt"
    read.write_text("input")
    made.write_text("output")
    fingerprint = Fingerprints()
    keys = [f"file:{read}", f"folder:{folder}"]
    defined = definition("outputs x.py", installed="torch==2.13.0", given="('a',)")
    Record(defined, {key: fingerprint(key) for key in keys},
           {str(made): fingerprint(f"file:{made}")}).save("outputs x.py")

    def holds(defined=defined):
        return Record.load("outputs x.py").holds(defined, Fingerprints())

    assert holds()
    assert not holds(definition("outputs x.py", "torch==2.14.0", "('a',)"))
    assert not holds(definition("outputs x.py", "torch==2.13.0", "('a', 'b')"))
    read.write_text("input, changed")
    assert not holds()
    read.write_text("input")
    made.write_text("output, edited")
    assert not holds()
    made.write_text("output")
    assert holds()
    (folder / "new file").write_text("")  # in the folder it listed
    assert not holds()
    # A unit whose reads could not all be seen (`Reads.lost`) is never taken as read.
    Record(defined, {"never:": Fingerprints()("never:")}, {}).save("outputs y.py")
    assert not Record.load("outputs y.py").holds(defined, Fingerprints())


def test_each_numeric_configuration_keeps_its_own_records(tmp_path, monkeypatch):
    """`make test` (one thread) and `make test-numerics` (two, other kernels) compute
    the units under different definitions: the second's records don't replace the
    first's, so `make test` after `make test-numerics` finds its own."""
    monkeypatch.setattr("tools.update_examples.RECORDS", tmp_path / "records")
    for name in [n for n in os.environ if n.startswith(NUMERICS)]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    Record("one thread", {}, {}).save("outputs x.py")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    assert Record.load("outputs x.py") is None
    Record("two threads, plain kernels", {}, {}).save("outputs x.py")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.delenv("ATEN_CPU_CAPABILITY")
    assert Record.load("outputs x.py").definition == "one thread"
    # A configuration with no record of its own still starts the longest unit first,
    # by the time it took under another.
    Record("one thread", {}, {}, seconds=13.2).save("outputs slow.py")
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert Record.load("outputs slow.py") is None
    assert Record.seconds_elsewhere("outputs slow.py") == 13.2
    assert Record.seconds_elsewhere("outputs never run.py") == 0.0


def test_only_a_record_without_float_arithmetic_stands_for_another_configuration(
        tmp_path, monkeypatch):
    """Threads and kernels change only what torch computes on floats: a unit that
    computed none (`FloatArithmetic`) keeps its record under another numeric
    configuration, while its inputs and its definition there hold."""
    monkeypatch.setattr("tools.update_examples.RECORDS", tmp_path / "records")
    for name in [n for n in os.environ if n.startswith(NUMERICS)]:
        monkeypatch.delenv(name)
    read = tmp_path / "read.txt"
    read.write_text("input")
    inputs = {f"file:{read}": Fingerprints()(f"file:{read}")}
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    Record("one thread", inputs, {}, float_free=True, portable="p").save("tokens.py")
    Record("one thread", inputs, {}, float_free=False, portable="p").save("model.py")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    assert Record.load("tokens.py") is None  # not this configuration's own

    def elsewhere(name, portable="p"):
        return Record.elsewhere(name, portable, Fingerprints())

    assert elsewhere("tokens.py").definition == "one thread"
    assert elsewhere("model.py") is None  # it computed on floats
    assert elsewhere("tokens.py", portable="other packages") is None
    read.write_text("input, changed")
    assert elsewhere("tokens.py") is None


def test_a_round_under_another_configuration_computes_only_the_float_units(
        tmp_path, monkeypatch):
    from tools import update_examples

    monkeypatch.setattr(update_examples, "RECORDS", tmp_path / "records")
    for name in [n for n in os.environ if n.startswith(NUMERICS)]:
        monkeypatch.delenv(name)
    shown = {name: tmp_path / f"{name}.txt" for name in ("tokens", "model")}
    for path in shown.values():
        path.write_text("same")
    work = [update_examples.Unit("outputs", f"{name}.py", ("main",)) for name in shown]
    computed = []

    def run_units(todo, jobs):
        computed.append(sorted(unit.path for unit in todo))
        return {unit: {"produced": {str(shown[unit.path[:-3]]): b"same"},
                       "inputs": [], "seconds": 0.1,
                       "float_free": unit.path == "tokens.py"} for unit in todo}

    monkeypatch.setattr(update_examples, "units", lambda only: work)
    monkeypatch.setattr(update_examples, "run_units", run_units)

    def round_under(threads):
        monkeypatch.setenv("OMP_NUM_THREADS", threads)
        run = update_examples.Run(check=True, recompute=False, jobs=1,
                                  installed=f"x {threads}", portable="x")
        run.round(only=set(shown.values()))
        return run

    assert round_under("1").computed == 2
    run = round_under("2")
    assert computed[-1] == ["model.py"]
    assert (run.reused, run.float_free_reused) == (1, 1)
    assert round_under("2").computed == 0  # both records of its own now


def test_float_arithmetic_is_seen_and_the_rest_is_not():
    import torch

    from tools.update_examples import FloatArithmetic

    with FloatArithmetic() as integers:
        ids = torch.tensor([[1, 2, 3]])
        (ids * 2).sum().item()
        torch.zeros(2, 3, device="meta") @ torch.zeros(3, 4, device="meta")
    with FloatArithmetic() as floats:
        torch.nn.Linear(3, 2)(torch.ones(1, 3))
    assert (integers.seen, floats.seen) == (False, True)


def test_a_unit_that_read_a_file_written_in_its_round_runs_again(tmp_path,
                                                                  monkeypatch):
    """Files are written when the round ends: a unit that read one before (the facts
    read the outputs) recorded the old content, and the next round computes it
    again."""
    from tools import update_examples

    monkeypatch.setattr(update_examples, "RECORDS", tmp_path / "records")
    shown, facts = tmp_path / "shown.txt", tmp_path / "facts.json"
    shown.write_text("old")
    facts.write_text("from old")
    writer = update_examples.Unit("outputs", "writer.py", ("main",))
    reader = update_examples.Unit("facts", "reader")
    messages = {writer: {"produced": {str(shown): b"new"}, "inputs": [],
                         "seconds": 0.1},
                reader: {"produced": {str(facts): b"from old"},
                         "inputs": [f"file:{shown}"], "seconds": 0.1}}
    computed = []

    def run_units(todo, jobs):
        computed.append(sorted(unit.path for unit in todo))
        return {unit: messages[unit] for unit in todo}

    monkeypatch.setattr(update_examples, "units", lambda only: [writer, reader])
    monkeypatch.setattr(update_examples, "run_units", run_units)
    run = update_examples.Run(check=False, recompute=False, jobs=1, installed="x")
    assert run.round(only={shown}) is True  # it wrote shown.txt
    assert shown.read_text() == "new"
    messages[reader]["produced"] = {str(facts): b"from new"}
    assert run.round(only={shown}) is True  # the reader again: it read "old"
    assert computed == [["reader", "writer.py"], ["reader"]]
    assert facts.read_text() == "from new"
    assert run.round(only={shown}) is False and computed[-1] == []
