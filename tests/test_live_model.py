"""tools/live_model.py: the live demo's files are exported again when any of their
inputs changes, and found again while none does (CONTRIBUTING.md, "Built files")."""

from __future__ import annotations

from importlib import metadata

import pytest

from tools import live_model


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    """A checkpoint, export code and a tokenizer folder of our own, and an empty
    export folder: live_model reads these instead of the project's."""
    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    for name in live_model.READ:
        (checkpoint / name).write_bytes(b"weights of " + name.encode())
    code = tmp_path / "export.py"
    code.write_text("print('export')\n")
    tokenizer = tmp_path / "tokenizer"
    tokenizer.mkdir()
    (tokenizer / "tokenizer.model").write_bytes(b"pieces")
    (tokenizer / "tokenizer_config.json").write_text("{}")
    monkeypatch.setattr(live_model, "CHECKPOINT", checkpoint)
    monkeypatch.setattr(live_model, "CODE", (code,))
    monkeypatch.setattr(live_model, "FOLDER", tmp_path / "built")
    monkeypatch.setenv("PHI3_TOKENIZER_DIR", str(tokenizer))
    return checkpoint, code, tokenizer


def test_the_key_changes_with_every_input_and_only_then(inputs, monkeypatch):
    checkpoint, code, tokenizer = inputs
    source = live_model.tokenizer_source()
    assert source == str(tokenizer)
    first = live_model.key(source)
    assert live_model.key(source) == first  # nothing changed: the same export
    seen = {first}
    for path in (checkpoint / "model.safetensors", code, tokenizer / "tokenizer.model"):
        saved = path.read_bytes()
        path.write_bytes(saved + b"!")
        seen.add(live_model.key(source))
        path.write_bytes(saved)
        assert live_model.key(source) == first, path  # put back: found again
    real = metadata.version
    monkeypatch.setattr(live_model.metadata, "version",
                        lambda name: "0.0" if name == "onnxscript" else real(name))
    seen.add(live_model.key(source))
    monkeypatch.setattr(live_model.metadata, "version", real)
    seen.add(live_model.key("microsoft/Phi-3-mini-4k-instruct"))  # from the Hub
    assert len(seen) == 6, "an input that does not change the key"


def test_a_build_is_found_while_its_inputs_stand(inputs):
    checkpoint, _, _ = inputs
    assert live_model.current() is None  # never built
    (live_model.FOLDER / live_model.key(live_model.tokenizer_source())).mkdir(
        parents=True)
    assert live_model.current() is not None
    (checkpoint / "config.json").write_text("retrained")
    assert live_model.current() is None  # stale: the next build exports again


def test_offline_without_the_tokenizer_nothing_is_built(tmp_path, monkeypatch):
    monkeypatch.setenv("PHI3_TOKENIZER_DIR", str(tmp_path))  # no tokenizer.model
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert live_model.tokenizer_source() is None
    assert live_model.build() is None and live_model.current() is None
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert live_model.tokenizer_source() == "microsoft/Phi-3-mini-4k-instruct"
