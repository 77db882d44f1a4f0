"""A reader who can't run the examples gets a short message, not a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from transformers import AutoConfig

import snippets.preflight as preflight
from tests.helpers import run_script
from tools.paths import ROOT, TEST_DATA

MINI_ID = "microsoft/Phi-3-mini-4k-instruct"


def run_preflight(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "snippets" / "preflight.py")],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )


def assert_short_message(text: str) -> None:
    assert "Traceback" not in text
    assert 1 <= len(text.strip().splitlines()) <= 4, text


@pytest.mark.standin
def test_ok_when_the_model_can_be_loaded():
    assert run_script("snippets/preflight.py") == f"OK: this machine can load {MINI_ID}.\n"


def test_offline_without_the_model_in_the_cache(tmp_path):
    result = run_preflight({"HF_HUB_CACHE": str(tmp_path), "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 1
    assert_short_message(result.stderr)
    assert f"Can't load {MINI_ID}: it is not in the Hugging Face cache" in result.stderr
    assert "offline mode is on (HF_HUB_OFFLINE=1)" in result.stderr
    print(result.stderr)  # shown with `pytest -s`: what a reader sees


def closed_port() -> int:
    """A port on this machine where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def without_network(**env: str) -> dict[str, str]:
    """The environment of a reader with no network: the Hub's address can't be reached.

    Never a real external host: HF_ENDPOINT points at a closed port of this machine.
    """
    unset = {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HTTPS_PROXY", "https_proxy",
             "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return {**base, "HF_ENDPOINT": f"http://127.0.0.1:{closed_port()}", **env}


def test_no_network_and_no_cache_gives_the_message_without_retries(tmp_path):
    env = without_network(HF_HUB_CACHE=str(tmp_path))
    result = subprocess.run(
        [sys.executable, str(ROOT / "snippets" / "model_example" / "load_model.py")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    assert "Retry" not in result.stderr  # huggingface_hub's retry warnings
    assert_short_message(result.stderr)
    assert result.stderr.startswith(
        f"Can't load {MINI_ID}: it is not in the Hugging Face cache and can't be "
        f"downloaded ({env['HF_ENDPOINT']} can't be reached).")


@pytest.mark.standin
def test_no_network_with_the_model_cached_loads_from_the_cache():
    result = subprocess.run(
        [sys.executable, str(ROOT / "snippets" / "preflight.py")],
        env=without_network(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Retry" not in result.stderr
    assert result.stdout == f"OK: this machine can load {MINI_ID}.\n"


def test_hub_reachable_probes_the_endpoint(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert not preflight.hub_reachable(f"http://127.0.0.1:{closed_port()}")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert preflight.hub_reachable(f"http://127.0.0.1:{server.getsockname()[1]}")
    # Behind a proxy only the proxy knows: no guess, the download decides.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert preflight.hub_reachable(f"http://127.0.0.1:{closed_port()}")


def test_too_little_memory_for_the_real_model(monkeypatch, capsys):
    config = AutoConfig.from_pretrained(TEST_DATA / "phi3-mini-4k-instruct.config.json")
    monkeypatch.setattr(preflight, "available_memory", lambda: 4 * preflight.GB)
    monkeypatch.delenv(preflight.SKIP_MEMORY_CHECK, raising=False)
    with pytest.raises(SystemExit) as stopped:
        preflight._check_memory(MINI_ID, config)
    message = str(stopped.value)
    assert_short_message(message)
    assert message.startswith(
        f"Not enough memory for {MINI_ID}: its weights need 7.6 GB, "
        "this machine has 4.0 GB free."
    )
    assert preflight.SKIP_MEMORY_CHECK in message


def test_enough_memory_passes(monkeypatch):
    config = AutoConfig.from_pretrained(TEST_DATA / "phi3-mini-4k-instruct.config.json")
    monkeypatch.setattr(preflight, "available_memory", lambda: 16 * preflight.GB)
    preflight._check_memory(MINI_ID, config)  # no SystemExit


def test_weight_bytes_of_phi3_mini_in_bfloat16():
    config = AutoConfig.from_pretrained(TEST_DATA / "phi3-mini-4k-instruct.config.json")
    assert preflight.weight_bytes(config) == 3_821_079_552 * 2


def test_installed_versions_are_the_pinned_ones():
    assert preflight._version_note() is None


def test_other_versions_get_a_note(monkeypatch):
    import transformers

    monkeypatch.setattr(transformers, "__version__", "4.44.0")
    note = preflight._version_note()
    assert note == (
        "Note: you have transformers 4.44.0; these pages were checked with "
        "transformers 5.23.0. Printed output may differ. `make setup` installs the "
        "checked versions."
    )


def test_pins_match_pyproject():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for name, version in preflight.PINNED.items():
        assert f'"{name}=={version}"' in pyproject


def test_float32_needs_twice_the_memory(monkeypatch):
    import torch

    config = AutoConfig.from_pretrained(TEST_DATA / "phi3-mini-4k-instruct.config.json")
    assert preflight.weight_bytes(config, torch.float32) == 3_821_079_552 * 4
    monkeypatch.setattr(preflight, "available_memory", lambda: 10 * preflight.GB)
    monkeypatch.delenv(preflight.SKIP_MEMORY_CHECK, raising=False)
    preflight._check_memory(MINI_ID, config)  # bfloat16 fits in 10 GB
    with pytest.raises(SystemExit, match="its weights need 15.3 GB"):
        preflight._check_memory(MINI_ID, config, torch.float32)
