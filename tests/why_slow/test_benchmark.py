"""bench/phi3_cpu.py and bench/report.py: the benchmark runs, its JSON and report hold.

A benchmark, not a test of speed: nothing here asserts a time. One quick run (a tiny
model, one round: the walkthrough, the int4 recipe with its profile, the batch
sizes) goes through the real code path, a process per part, so the benchmark can't
rot; the machine may be shared, so it runs with --force and the tests check what it
recorded about its own noise, not that there was none. The tests of the batch sizes
and the profile use the same run (one run for the three modules' worth). The rounds
themselves (turns, medians, a crashing runtime's fallback) are tested with the run's
parts standing in for the child processes, 3 rounds in a second. With the same code,
data and environment as an earlier quick run, that run's files stand in for it.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from bench import batching, common, phi3_cpu, profile_decode, report
from snippets.why_slow.int4_linear import GROUP_SIZE, Int4Linear
from tests.helpers import summary_line
from tools import run_records, site
from tools.paths import ROOT, SNIPPETS, TEST_DATA
from tools.run_records import RunRecord

PARTS = [common.BASELINE, common.RECOMMENDED, "batching"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The folder the quick run wrote (its JSON and report) and its JSON. An earlier
    run's files when the code it runs, its data, this test and the environment are
    the same (tools/run_records.py)."""
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "benchmark.json"
    command = [sys.executable, "-m", "bench.phi3_cpu", "--quick", "--out", str(out),
               "--rounds", "1", "--force", "--only", *PARTS]
    record = RunRecord("benchmark quick run", [
        " ".join(command[1:]).replace(str(folder), "{folder}"),
        Path(__file__).read_bytes(),
        *run_records.files(ROOT / "bench", SNIPPETS, ROOT / "tools"),
        *run_records.files(TEST_DATA, pattern="*")])
    written = record.get(folder)
    if written is None:
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True,
                       timeout=900)
        written = {path.name: path.read_text(encoding="utf-8")
                   for path in folder.iterdir()}
        record.save(written, folder)
        summary_line("benchmark: the quick run ran")
    else:
        for name, text in written.items():
            (folder / name).write_text(text, encoding="utf-8")
        summary_line("benchmark: the quick run's code, data and environment are those "
                     "of an earlier run (its files reused)")
    return folder, json.loads(out.read_text())


def test_quick_run_writes_a_complete_json(quick_run):
    _, data = quick_run
    report.validate(data)
    assert data["mode"] == "quick" and data["rounds"] == 1
    assert [r["name"] for r in data["recipes"]] == [common.BASELINE, common.RECOMMENDED]
    for recipe in data["recipes"]:
        assert recipe["new_tokens"] == common.QUICK_NEW_TOKENS  # forced length
        assert recipe["prefill_s"] > 0 and recipe["decode_s_per_token"] > 0
        assert recipe["total_s"] >= recipe["prefill_s"]
        assert recipe["peak_rss_bytes"] >= recipe["rss_after_load_bytes"] > 0
        # matrix products: a share of the whole profiled step, Python included
        assert 0 < recipe["matmul_s"] < recipe["profiled_step_s"]
    best = report.recipe(data, common.RECOMMENDED)
    base = report.recipe(data, common.BASELINE)
    assert best["settings"]["int4"] and not base["settings"]["int4"]
    assert 0.30 < best["bytes_per_token"] / base["bytes_per_token"] < 0.33
    assert set(data["machine"]["flags"]) == set(phi3_cpu.CPU_FLAGS)
    assert data["cpu_kind"] == phi3_cpu.cpu_kind(data["machine"])
    assert data["versions"]["torch"].startswith("2.13.0")


@pytest.fixture(scope="module")
def three_rounds(quick_run):
    """run_all over 3 rounds, each child process replaced by the quick run's result
    for that part, its timings scaled by the call's number (1, 2, 3, ...); and the
    committed llama.cpp result, which crashes the first time it runs repacked."""
    _, data = quick_run
    measured = {("recipe", r["name"]): r for r in data["recipes"]}
    measured.update({("batching", "batching"): data["batching"],
                     ("profile", "profile"): data["profile"]})
    llama = copy.deepcopy(report.peer(report.load(), "llama.cpp-Q4_0"))
    for key in ("repacked", "repack_note"):  # what run_all is to find out
        llama.pop(key, None)
    llama.update(prompt_tokens=data["recipes"][0]["prompt_tokens"],
                 new_tokens=data["new_tokens"], others=data["recipes"][0]["others"])
    measured[("peer", llama["name"])] = llama
    calls = []

    def run_member(kind, name, quick, new_tokens, peer_options):
        calls.append((kind, name, list(peer_options.get(name, []))))
        if kind == "peer" and not peer_options.get(name):
            raise common.ChildCrashed(["llama"], 11)
        result = copy.deepcopy(measured[(kind, name)])
        result.pop("samples", None), result.pop("rounds", None)
        scale = len(calls)
        for key in ("decode_s_per_token", "total_s", "step_s"):
            if key in result:
                result[key] *= scale
        for batch in result.get("batches", []):
            batch["s_per_step"] *= scale
        return result

    patch = pytest.MonkeyPatch()
    patch.setattr(phi3_cpu, "run_member", run_member)
    from bench import peers

    patch.setattr(peers, "wanted", lambda only: [llama["name"]])
    patch.setattr(peers, "prepare_in_subprocess", lambda quick, names: None)
    patch.setattr(peers, "version", lambda name: "llama-cpp-python 0.0")
    try:
        found = phi3_cpu.run_all(True, PARTS, rounds=3)
    finally:
        patch.undo()
    return found, calls


def test_the_parts_take_turns_round_after_round(three_rounds):
    data, calls = three_rounds
    parts = [("recipe", common.BASELINE), ("recipe", common.RECOMMENDED),
             ("batching", "batching"), ("profile", "profile"),
             ("peer", "llama.cpp-Q4_0")]
    ran = [line.split(" ", 1) for line in data["order"]]
    assert len(ran) == 3 * len(parts)
    for index in range(3):  # every part once per round, a round after another
        this_round = ran[index * len(parts):(index + 1) * len(parts)]
        assert {r for r, _ in this_round} == {str(index + 1)}
        assert sorted(tuple(p.split(" ")) for _, p in this_round) == sorted(parts)
    assert ran[0][1] != ran[len(parts)][1]  # the second round starts elsewhere
    for name, part in report.parts(data).items():
        assert part["rounds"] == 3
        for path, values in part["samples"].items():
            assert len(values) == 3, (name, path)
        assert part.get("others") is not None
    walkthrough = report.recipe(data, common.BASELINE)
    values = walkthrough["samples"]["decode_s_per_token"]
    assert values == sorted(values) and values[0] < values[-1]  # later calls, larger
    assert walkthrough["decode_s_per_token"] == values[1]  # the median
    assert len(data["bandwidth_samples"]["1"]) == 3
    report.validate({**data, "quality": report.quality(data, 1.0), "other_cpus": []})


def test_a_runtime_that_crashes_at_its_best_is_measured_plainly_and_says_so(
        three_rounds):
    data, calls = three_rounds
    llama = [options for kind, name, options in calls if kind == "peer"]
    assert llama == [[], ["--plain-buffers"], ["--plain-buffers"], ["--plain-buffers"]]
    measured = report.peer(data, "llama.cpp-Q4_0")
    assert measured["repacked"] is False and measured["rounds"] == 3
    assert "crashed (signal 11) with llama-cpp-python 0.0" in measured["repack_note"]


def test_quick_run_records_what_other_processes_took(quick_run):
    _, data = quick_run
    shares = report.others_shares(data)
    assert set(shares) == {common.BASELINE, common.RECOMMENDED, "batching", "profile"}
    for name, part in report.parts(data).items():
        others = part["others"]
        assert others["cpus"] == len(os.sched_getaffinity(0))
        assert 0 <= others["others_share"] <= 1.0 + 1e-9, name
        assert shares[name] == max(part["samples"]["others.others_share"])
    quality = data["quality"]  # --force: written whatever it found, and says so
    assert quality["max_others_share"] == max(shares.values())
    assert quality["noisy"] == bool(quality["problems"])
    if quality["max_others_share"] > quality["limit"]:
        assert quality["noisy"] and "other processes took more" in " ".join(
            quality["problems"])


def test_quick_run_writes_the_report_next_to_the_json(quick_run):
    folder, data = quick_run
    for name, text in report.rendered(data).items():
        assert (folder / name).read_text(encoding="utf-8") == text
    table = (folder / "table.txt").read_text(encoding="utf-8").splitlines()
    assert [row.split()[0] for row in table] == ["recipe"] + [
        r["name"] for r in data["recipes"]]
    median = data["recipes"][0]["decode_s_per_token"]
    assert f" {median:.3f} " in table[1] and "–" not in table[1]  # one round
    summary = (folder / "summary.txt").read_text(encoding="utf-8")
    assert summary.startswith("mode ") and "NOT Phi-3-mini's size" in summary
    assert ("NOT a clean run" in summary) == data["quality"]["noisy"]


def test_tables_show_the_spread_of_several_rounds(three_rounds):
    data, _ = three_rounds
    for name in (common.BASELINE, common.RECOMMENDED):
        median, low, high = report.span(report.recipe(data, name), "decode_s_per_token")
        assert low < median < high
        assert f"{median:.3f} ({low:.3f}–{high:.3f})" in report.markdown_table(data)
    step = report.batch_span(data, 0)
    assert f"{step[0]:.3f} ({step[1]:.3f}–{step[2]:.3f})" in report.batching_markdown(
        data)
    assert step[1] < step[0] < step[2]


def test_a_noisy_run_is_refused_unless_forced(quick_run, tmp_path, monkeypatch):
    _, measured = quick_run
    monkeypatch.setattr(phi3_cpu, "REFUSED", tmp_path / "refused")
    out = tmp_path / "benchmark.json"
    data = copy.deepcopy(measured)
    with pytest.raises(SystemExit, match="NOT written.*--force"):
        phi3_cpu.save(data, out, force=False, max_others=-1.0)  # everything is noise
    assert not out.exists() and len(list((tmp_path / "refused").iterdir())) == 1
    phi3_cpu.save(copy.deepcopy(measured), out, force=True, max_others=-1.0)
    written = report.load(out)
    assert written["quality"]["noisy"] and written["quality"]["problems"]
    assert "NOT a clean run" in report.summary(written)


def test_one_committed_run_per_kind_of_cpu(quick_run, tmp_path):
    _, measured = quick_run
    out = tmp_path / "benchmark.json"
    other = {**copy.deepcopy(measured), "cpu_kind": "other-kind"}
    phi3_cpu.save(other, out, force=True)
    same = copy.deepcopy(measured)
    phi3_cpu.save(copy.deepcopy(same), out, force=True)
    phi3_cpu.save(copy.deepcopy(same), out, force=True)  # replaces its own kind
    written = report.load(out)
    assert written["cpu_kind"] == measured["cpu_kind"]
    assert [run["cpu_kind"] for run in written["other_cpus"]] == ["other-kind"]
    header = report.cpus_markdown(written).splitlines()[0]
    assert header.count("|") == 4  # the recipes, then a column per kind of CPU
    broken = copy.deepcopy(written)
    broken["other_cpus"][0]["cpu_kind"] = written["cpu_kind"]
    with pytest.raises(ValueError, match="one run per kind of CPU"):
        report.validate(broken)


# ---------------------------------------------------------------- the batch sizes


def test_quick_run_measures_every_batch_size(quick_run):
    _, data = quick_run
    measured = data["batching"]
    assert [b["batch_size"] for b in measured["batches"]] == list(batching.BATCH_SIZES)
    for index, batch in enumerate(measured["batches"]):
        # each round's steps, all rounds' together
        assert len(batch["s_per_step_samples"]) == batching.QUICK_STEPS * data["rounds"]
        assert batch["s_per_step"] > 0
        per_round = measured["samples"][f"batches.{index}.s_per_step"]
        assert batch["s_per_step"] == statistics.median(per_round)
        assert batch["cache_tokens_per_row"] == (
            measured["prompt_tokens"] + batching.WARMUP_STEPS + batching.QUICK_STEPS)
    assert measured["prefill_s"] > 0  # the prompt once: the batches copy its cache
    assert measured["peak_matmul_flops"] > 0
    # bfloat16: two bytes per weight, plus the small float32 buffers of the
    # rotary embedding
    weights, nbytes = measured["weights_per_step"], measured["weight_bytes_per_step"]
    assert 2 * weights < nbytes < 2.001 * weights


# ---------------------------------------------------------------- the profile


def test_operators_land_in_their_rows(quick_run):
    profile = quick_run[1]["profile"]
    rows = {r["row"]: r["s"] for r in profile["rows"]}
    assert list(rows) == [key for key, _ in profile_decode.ROWS]
    for projection in profile_decode.PROJECTIONS:
        assert rows[f"matmul {projection}"] > 0, projection
    assert rows["attention"] > 0 and rows["RMSNorm"] > 0 and rows["SiLU and gate"] > 0


def test_only_decode_steps_are_counted(quick_run):
    profile = quick_run[1]["profile"]
    assert profile["decode_steps"] == profile_decode.PROFILED_TOKENS - 1
    for index in range(profile["rounds"]):
        operators = sum(profile["samples"][f"rows.{row}.s"][index]
                        for row in range(len(profile["rows"]) - 1))
        # Operators of the prefill or after the last token would overflow the steps.
        assert 0 < operators <= profile["samples"]["profiled_step_s"][index]


def test_the_kernel_alone_reads_exactly_the_recipes_matrices(quick_run):
    profile = quick_run[1]["profile"]
    model = common.build_model(common.recipe_named(common.RECOMMENDED), quick=True)
    layers = model.config.num_hidden_layers
    assert {k: v["matrices"] for k, v in profile["kernel"].items()} == {
        p: 1 if p == "lm_head" else layers for p in profile_decode.PROJECTIONS}
    int4_bytes = sum(t.nbytes for m in model.modules() if isinstance(m, Int4Linear)
                     for t in m.buffers())
    assert report.kernel_total(profile)["bytes"] == int4_bytes


def test_group_sweep_costs_what_the_pages_layer_costs(quick_run):
    sweep = quick_run[1]["profile"]["group_sizes"]
    assert str(GROUP_SIZE) in sweep
    layer = Int4Linear(torch.nn.Linear(256, 64, bias=False, dtype=torch.bfloat16))
    per_weight = sum(t.nbytes for t in layer.buffers()) / (256 * 64)
    ours = sweep[str(GROUP_SIZE)]
    assert ours["bytes"] / ours["weights"] == per_weight
    sizes = sorted(sweep, key=int)
    per_weight = [sweep[g]["bytes"] / sweep[g]["weights"] for g in sizes]
    assert per_weight == sorted(per_weight, reverse=True)  # larger groups, fewer bytes


def test_the_reports_have_a_row_per_row_in_both_languages(quick_run):
    _, data = quick_run
    for language in site.load().codes:
        table = report.profile_markdown(data, language).splitlines()
        assert len(table) == 2 + len(profile_decode.ROWS) + 2  # header, rows, steps
        assert len(report.kernel_markdown(data, language).splitlines()) == 2 + len(
            profile_decode.PROJECTIONS) + 1
    broken = copy.deepcopy(data)
    del broken["profile"]["kernel"]
    with pytest.raises(ValueError, match=r"profile\.kernel"):
        report.validate(broken)


# ---------------------------------------------------------------- committed results


def test_committed_results_are_complete_and_the_report_is_current():
    data = report.load()  # validates
    assert data["mode"] == "full"
    assert data["new_tokens"] == common.NEW_TOKENS
    assert [r["name"] for r in data["recipes"]] == [r.name for r in common.RECIPES]
    assert all(r["new_tokens"] == (common.recipe_named(r["name"]).new_tokens
                                   or common.NEW_TOKENS) for r in data["recipes"])
    assert data["profile"]["recipe"] == data["recommended"]
    assert set(data["profile"]["group_sizes"]) == {
        str(g) for g in profile_decode.GROUP_SIZES}
    # The run converted from the first format has one round: it must say so.
    assert data["rounds"] >= phi3_cpu.ROUNDS or (
        data["rounds"] == 1 and "no spread" in data["quality"]["converted"]
        and data["quality"]["noisy"])
    stale = subprocess.run([sys.executable, "-m", "bench.report", "--check"],
                           cwd=ROOT, capture_output=True, text=True)
    assert stale.returncode == 0, f"run `python -m bench.report`:\n{stale.stdout}"


def test_validate_names_what_is_missing():
    data = report.load()
    broken = copy.deepcopy(data)
    del broken["recipes"][0]["total_s"]
    del broken["batching"]["batches"][1]["s_per_step"]
    broken["recommended"] = "nope"
    with pytest.raises(ValueError, match=r"recipes\[0\]\.total_s.*recommended 'nope'"
                       r".*batching\.batches\[1\]\.s_per_step"):
        report.validate(broken)


def five_rounds(data: dict, spread: float) -> dict:
    """The committed run as if measured in 5 rounds, each figure +-spread around it."""
    data = copy.deepcopy(data)
    data["rounds"] = 5
    for part in report.parts(data).values():
        part["rounds"] = 5
        part["others"] = {"others_share": 0.0}
        part["samples"] = {"others.others_share": [0.0] * 5}
        for key in ("decode_s_per_token", "total_s", "step_s"):
            if key in part:
                value = part[key]
                part["samples"][key] = [value * (1 + spread * k) for k in (-2, -1, 0,
                                                                           1, 2)]
    for index, batch in enumerate(data["batching"]["batches"]):
        value = batch["s_per_step"]
        data["batching"]["samples"][f"batches.{index}.s_per_step"] = [
            value * (1 + spread * k) for k in (-2, -1, 0, 1, 2)]
    return data


def set_step(data: dict, index: int, seconds: float) -> None:
    """Batch size number `index` steps in `seconds`, in every round."""
    data["batching"]["batches"][index]["s_per_step"] = seconds
    data["batching"]["samples"][f"batches.{index}.s_per_step"] = [seconds] * 5


def test_the_checks_before_writing_catch_figures_that_contradict_each_other():
    data = five_rounds(report.load(), 0.01)
    # What the older Intel run measured: batch size 1 at 1.16 s against the
    # walkthrough's 0.78 s, and a batch of 4 stepping faster than one row.
    walk = report.recipe(data, data["baseline"])["decode_s_per_token"]
    set_step(data, 0, 1.49 * walk)
    set_step(data, 1, 0.64 * 1.49 * walk)
    problems = report.consistency_problems(data)
    assert any(p.startswith("batch size 1 steps in") for p in problems)
    assert any("batch size 4 is shorter" in p for p in problems)
    walk = report.recipe(data, data["baseline"])
    for index, batch in enumerate(data["batching"]["batches"]):
        batch["s_per_step"] = walk["decode_s_per_token"] * (1 + 0.1 * index)
        data["batching"]["samples"][f"batches.{index}.s_per_step"] = [
            batch["s_per_step"]] * 5
    assert report.consistency_problems(data) == []
    quality = report.quality(data, phi3_cpu.MAX_OTHERS_SHARE)
    assert quality == {"rounds": 5, "max_others_share": 0.0, "problems": [],
                       "noisy": False, "limit": phi3_cpu.MAX_OTHERS_SHARE}
    data["recipes"][1]["rounds"] = 4
    assert report.consistency_problems(data) == [
        f"fewer than 5 rounds: {data['recipes'][1]['name']}"]


def test_compare_says_when_a_ranking_is_not_reliable():
    assert report.compare((1.0, 0.9, 1.1), (2.0, 1.9, 2.1), 5) == "lower"
    assert report.compare((2.0, 1.9, 2.1), (1.0, 0.9, 1.1), 5) == "higher"
    assert report.compare((1.0, 0.9, 1.5), (1.2, 1.1, 1.3), 5) == "overlap"
    assert report.compare((1.0, 1.0, 1.0), (2.0, 2.0, 2.0), 1) == "one round"
    assert report.spread_text((1.0, 0.9, 1.1), ".2f", 5) == "1.00 (0.90–1.10)"
    assert report.spread_text((1.0, 1.0, 1.0), ".2f", 1) == "1.00"


def test_others_clock_counts_only_other_processes():
    stat = "cpu  9 9 9 9 9 9 9 9\ncpu0 100 0 50 900 5 1 2 3 0 0\ncpu1 10 0 0 0 0 0 0 0\n"
    assert common.busy_seconds({0}, stat) == (100 + 50 + 1 + 2 + 3) / common.TICK
    with common.OthersClock() as clock:
        sum(range(10**6))  # this process's own work is not others'
    result = clock.result()
    assert result["window_s"] > 0 and result["others_cpu_s"] >= 0


def test_walkthrough_uses_the_first_chapters_pipeline_settings():
    source = (SNIPPETS / "model_example" / "generate_email.py").read_text(encoding="utf-8")
    settings, prompt = {}, None
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "pipeline":
            settings = {k.arg: ast.literal_eval(k.value) for k in node.keywords
                        if k.arg not in ("model", "tokenizer")}
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "prompt":
            prompt = ast.literal_eval(node.value)
    assert settings == common.PIPELINE_SETTINGS
    assert prompt == common.PROMPT


def test_the_parts_of_bench_stand_on_common_not_on_each_other():
    parts = ["phi3_cpu", "batching", "profile_decode", "peers", "report"]
    for name in parts:
        tree = ast.parse((ROOT / "bench" / f"{name}.py").read_text(encoding="utf-8"))
        imported = {node.module.split(".")[1] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module
                    and node.module.startswith("bench.")}
        imported |= {alias.name for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module == "bench"
                     for alias in node.names}
        allowed = {"common"} | ({"peers", "report"} if name == "phi3_cpu" else set())
        assert imported <= allowed, (name, imported - allowed)


def test_rounds_join_their_samples_and_keep_one_copy_of_a_description():
    from bench.phi3_cpu import aggregate

    rounds = [{"decode_s_per_token": 0.5, "token_s": [0.4, 0.6], "shape": [512, 3072],
               "weights": {"blocks": {"Q4_0": [32, 18]}}},
              {"decode_s_per_token": 0.7, "token_s": [0.5, 0.9], "shape": [512, 3072],
               "weights": {"blocks": {"Q4_0": [32, 18]}}}]
    merged = aggregate(rounds)
    assert merged["decode_s_per_token"] == 0.6  # the median of the rounds
    assert merged["samples"]["decode_s_per_token"] == [0.5, 0.7]
    assert merged["token_s"] == [0.4, 0.6, 0.5, 0.9]  # every round's, joined
    assert merged["shape"] == [512, 3072]  # the same in every round: once
    assert merged["weights"]["blocks"]["Q4_0"] == [32, 18]
