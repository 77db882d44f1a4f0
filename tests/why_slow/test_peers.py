"""bench/peers.py: the other runtimes, converted and timed like the PyTorch recipes.

The quick pipeline (the tiny stand-in sizes: seconds, plus a first conversion) runs
only when the `peers` extra is installed; the pytest header says when it is not. The
committed results and the side-by-side table are checked either way. Nothing here
asserts a time.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from bench import common, peers, report
from tools import site
from tools.paths import ROOT

MISSING = peers.missing_extras()
needs_extra = pytest.mark.skipif(
    bool(MISSING), reason=f"the `peers` extra is not installed ({', '.join(MISSING)} "
    f"missing): {peers.INSTALL_HINT}")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("peers")
    out = folder / "benchmark.json"
    subprocess.run(
        [sys.executable, "-m", "bench.phi3_cpu", "--quick", "--out", str(out),
         "--rounds", "1", "--force", "--only", common.BASELINE, common.RECOMMENDED,
         *peers.NAMES],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=1800,
    )
    return folder, json.loads(out.read_text())


@needs_extra
def test_quick_run_measures_every_peer_like_the_recipes(quick_run):
    _, data = quick_run
    report.validate(data)  # the same prompt and number of tokens as the recipes
    assert [peer["name"] for peer in data["peers"]] == peers.NAMES
    speed = data["bandwidth_bytes_per_s"]
    for peer in data["peers"]:
        assert peer["new_tokens"] == common.QUICK_NEW_TOKENS  # forced, no early stop
        assert peer["prompt_tokens"] == data["recipes"][0]["prompt_tokens"]
        assert peer["prefill_s"] > 0 and peer["decode_s_per_token"] > 0
        assert peer["total_s"] >= peer["prefill_s"]
        assert peer["peak_rss_bytes"] >= peer["rss_after_load_bytes"] > 0
        assert peer["floor_s_per_token"] == pytest.approx(
            peer["bytes_per_token"] / speed[str(peer["threads"])])
        # Read per token: less than the file, which holds the embedding table too.
        assert 0 < peer["bytes_per_token"] < peer["file_bytes"]


@needs_extra
def test_onnx_runtime_keeps_int4_blocks_with_a_scale_each(quick_run):
    _, data = quick_run
    weights = report.peer(data, "ort-genai-int4")["weights"]
    assert weights["bits"] == [4] and len(weights["block_sizes"]) == 1
    block, = weights["block_sizes"]
    extra = weights["scale_bytes"][0] + (1 if weights["zero_points"] else 0)
    # Per block: `block` weights of half a byte, one scale (and a zero point).
    assert weights["int4_bytes"] == pytest.approx(
        weights["int4_weights"] * (0.5 + extra / block), rel=0.01)


@needs_extra
def test_llama_cpp_stores_the_matrices_in_q4_0_blocks(quick_run):
    _, data = quick_run
    weights = report.peer(data, "llama.cpp-Q4_0")["weights"]
    assert weights["blocks"]["Q4_0"] == [32, 18]  # 32 weights: 16 bytes + fp16 scale
    by_type = weights["read_by_type"]
    assert by_type["Q4_0"] % 18 == 0
    assert sum(by_type.values()) == report.peer(data, "llama.cpp-Q4_0")[
        "bytes_per_token"]


@needs_extra
def test_quick_report_puts_every_runtime_side_by_side(quick_run):
    folder, data = quick_run
    rows = (folder / "peers.md").read_text(encoding="utf-8").splitlines()[2:]
    assert [row.split("`")[1] for row in rows] == [
        common.BASELINE, common.RECOMMENDED, *peers.NAMES]
    llama = report.peer(data, "llama.cpp-Q4_0")  # at its best where it runs
    assert llama["repacked"] or "crashed" in llama["repack_note"]


@needs_extra
def test_conversions_are_cached_not_redone(quick_run):
    made = {name: info["seconds"] for name, info in peers.prepare(True).items()}
    assert made == {name: info["seconds"] for name, info in peers.prepare(True).items()}
    assert peers.CACHE in (peers.hf_folder(True)).parents
    assert peers._key(True) != peers._key(False)


def test_committed_results_hold_every_peer():
    data = report.load()
    assert [peer["name"] for peer in data["peers"]] == peers.NAMES
    for peer in data["peers"]:
        assert peer["new_tokens"] == common.NEW_TOKENS
        assert peer["threads"] == data["machine"]["torch_threads"]


def test_validate_wants_the_recipes_prompt_for_every_peer():
    broken = copy.deepcopy(report.load())
    broken["peers"][0]["prompt_tokens"] += 1
    del broken["peers"][-1]["floor_s_per_token"]
    with pytest.raises(ValueError, match=r"peers\[0\]\.prompt_tokens.*"
                                         r"peers\[1\]\.floor_s_per_token"):
        report.validate(broken)


def test_the_side_by_side_table_has_every_column_in_both_languages():
    data = report.load()
    for language in site.load().codes:
        rows = report.peer_markdown(data, language).splitlines()
        columns = {len(row.strip("|").split("|")) for row in rows}
        assert columns == {len(report.words(language)["peer_header"])}
    llama = report.peer(data, "llama.cpp-Q4_0")  # the table says how it ran
    said = "Q4_0 (repacked)" if llama["repacked"] else "Q4_0 (not repacked)"
    assert said in report.peer_markdown(data)
    assert llama["repacked"] or "SIGSEGV" in llama["repack_note"]


def test_the_pytest_header_says_when_the_peers_are_not_tested(monkeypatch):
    import conftest

    monkeypatch.setattr(conftest, "REAL_MODEL", False)
    monkeypatch.setattr(peers, "missing_extras", lambda: ["llama_cpp"])
    lines = conftest.pytest_report_header(None)
    assert any("NOT tested" in line and peers.INSTALL_HINT in line for line in lines)
    monkeypatch.setattr(peers, "missing_extras", lambda: [])
    assert not any("peer" in line for line in conftest.pytest_report_header(None))
