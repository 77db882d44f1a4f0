"""bench/phi3_cpu.py and bench/report.py: the benchmark runs, its JSON and report hold.

A benchmark, not a test of speed: nothing here asserts a time. The quick mode runs
the real code path (a subprocess per recipe) on a tiny model, so the benchmark can't
rot; the committed results must be complete and the included Markdown up to date.
"""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys

import pytest

from bench import phi3_cpu, report
from tools.paths import ROOT, SNIPPETS


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "benchmark.json"
    subprocess.run(
        [sys.executable, "-m", "bench.phi3_cpu", "--quick", "--out", str(out),
         "--only", phi3_cpu.BASELINE, phi3_cpu.RECOMMENDED],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=900,
    )
    return folder, json.loads(out.read_text())


def test_quick_run_writes_a_complete_json(quick_run):
    _, data = quick_run
    report.validate(data)
    assert data["mode"] == "quick"
    assert [r["name"] for r in data["recipes"]] == [phi3_cpu.BASELINE, phi3_cpu.RECOMMENDED]
    for recipe in data["recipes"]:
        assert recipe["new_tokens"] == phi3_cpu.QUICK_NEW_TOKENS  # forced length
        assert recipe["prefill_s"] > 0 and recipe["decode_s_per_token"] > 0
        assert recipe["total_s"] >= recipe["prefill_s"]
        assert recipe["peak_rss_bytes"] >= recipe["rss_after_load_bytes"] > 0
        assert 0 <= recipe["matmul_share"] <= 1
        assert len(recipe["loadavg_before"]) == len(recipe["loadavg_after"]) == 3
    best = report.recipe(data, phi3_cpu.RECOMMENDED)
    base = report.recipe(data, phi3_cpu.BASELINE)
    assert best["settings"]["int4"] and not base["settings"]["int4"]
    assert 0.30 < best["bytes_per_token"] / base["bytes_per_token"] < 0.33
    assert set(data["machine"]["flags"]) == set(phi3_cpu.CPU_FLAGS)
    assert data["versions"]["torch"].startswith("2.13.0")


def test_quick_run_writes_the_report_next_to_the_json(quick_run):
    folder, data = quick_run
    for name, text in report.rendered(data).items():
        assert (folder / name).read_text(encoding="utf-8") == text
    table = (folder / "table.txt").read_text(encoding="utf-8").splitlines()
    assert [row.split()[0] for row in table] == ["recipe"] + [
        r["name"] for r in data["recipes"]]
    summary = (folder / "summary.txt").read_text(encoding="utf-8")
    assert summary.startswith("mode ") and "NOT Phi-3-mini's size" in summary


def test_committed_results_are_complete_and_the_report_is_current():
    data = report.load()  # validates
    assert data["mode"] == "full"
    assert data["new_tokens"] == phi3_cpu.NEW_TOKENS
    assert [r["name"] for r in data["recipes"]] == [r.name for r in phi3_cpu.RECIPES]
    assert all(r["new_tokens"] == phi3_cpu.NEW_TOKENS for r in data["recipes"])
    stale = subprocess.run([sys.executable, "-m", "bench.report", "--check"],
                           cwd=ROOT, capture_output=True, text=True)
    assert stale.returncode == 0, f"run `python -m bench.report`:\n{stale.stdout}"


def test_validate_names_what_is_missing():
    data = report.load()
    broken = copy.deepcopy(data)
    del broken["recipes"][0]["total_s"]
    broken["recommended"] = "nope"
    with pytest.raises(ValueError, match=r"recipes\[0\]\.total_s.*recommended 'nope'"):
        report.validate(broken)


def test_report_states_the_headline_of_the_committed_results():
    data = report.load()
    summary = report.summary(data)
    best = report.recipe(data, data["recommended"])
    assert f"{report.speedup(data, best['name']):.1f}x" in summary
    assert f"then {best['decode_s_per_token']:.3f} s per token" in summary
    assert data["machine"]["cpu"] in summary


def test_walkthrough_uses_the_first_chapters_pipeline_settings():
    source = (SNIPPETS / "model_example" / "generate_email.py").read_text(encoding="utf-8")
    settings, prompt = {}, None
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "pipeline":
            settings = {k.arg: ast.literal_eval(k.value) for k in node.keywords
                        if k.arg not in ("model", "tokenizer")}
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "prompt":
            prompt = ast.literal_eval(node.value)
    assert settings == phi3_cpu.PIPELINE_SETTINGS
    assert prompt == phi3_cpu.PROMPT
