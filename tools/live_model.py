"""The files of the page "Play with the tiny model", built, never committed: `build()`.

The page (docs/scores-to-text/live.md) runs the tiny Phi-3 in the reader's browser
(docs/assets/javascripts/live.js). It loads two kinds of files:

- the model and its tokenizer, written by `python -m snippets.scores_to_text.
  live_export FOLDER` (the code the page shows) from the committed checkpoint and
  Phi-3's tokenizer. `build()` runs it into `.cache/live/<key>/`, where the key is a
  hash of everything that goes in: the checkpoint's files, the tokenizer's files
  (or its Hub id), the export code (the snippet and this file), and the versions of
  the packages that write the files. Any change gives a new key, so a stale export
  is never published: the next build (`make build`, `make serve`, the tests' build)
  exports again, once, under a file lock the tests' two workers share.
  tools/mkdocs_hooks.py publishes them under `files/live/`;
- ONNX Runtime Web and Tokenizers.js, vendored by tools/vendor.sh under
  `assets/vendor/`.

Without Phi-3's tokenizer (no ../shared/phi3-tokenizer, PHI3_TOKENIZER_DIR or
network) nothing is built and the page says the demo is not part of this build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from tools.hfcache import MINI_ID, real_tokenizer_dir
from tools.paths import CACHE, DOCS, ROOT

EXPORT = "snippets.scores_to_text.live_export"
CHECKPOINT = ROOT / "snippets" / "scores_to_text" / "tiny-phi3"
READ = ("config.json", "generation_config.json", "model.safetensors")  # what it loads
CODE = (ROOT / "snippets" / "scores_to_text" / "live_export.py", Path(__file__))
PACKAGES = ("torch", "transformers", "tokenizers", "sentencepiece", "protobuf", "onnx",
            "onnxscript", "onnx-ir")
FOLDER = CACHE / "live"
KEEP = 3  # exports kept, newest first
# What the page loads when its reader presses the button: the export's files, which
# the site serves under PUBLISHED, and the vendored runtime under VENDOR (its order is
# what tools/site_hooks.py names: the module, its loader, the binary, Tokenizers.js).
MODEL_FILES = ("tiny-phi3.onnx", "tokenizer.json", "tokenizer_config.json")
PUBLISHED = "files/live/"
LOG = "export.log"  # beside them in the cache, not published: what the script printed
RUNTIME = ("onnxruntime-web/ort.wasm.min.mjs",
           "onnxruntime-web/ort-wasm-simd-threaded.mjs",
           "onnxruntime-web/ort-wasm-simd-threaded.wasm",
           "tokenizers/tokenizers.mjs")
VENDOR = "assets/vendor/"


def site_files() -> list[str]:
    """Every file the button loads, as a path in the built site."""
    return ([PUBLISHED + name for name in MODEL_FILES]
            + [VENDOR + name for name in RUNTIME])


def tokenizer_source() -> str | None:
    """Phi-3's tokenizer: the local copy, else the Hub unless offline, else None."""
    folder = real_tokenizer_dir()
    if folder is not None:
        return str(folder)
    return None if os.environ.get("HF_HUB_OFFLINE") == "1" else MINI_ID


def key(source: str) -> str:
    """A hash of every input of the export; it changes when any of them does."""
    digest = hashlib.sha256()
    paths = [CHECKPOINT / name for name in READ] + list(CODE)
    if Path(source).is_dir():
        paths += sorted(p for p in Path(source).iterdir() if p.is_file())
    else:
        digest.update(source.encode())  # a Hub id
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(json.dumps({name: metadata.version(name) for name in PACKAGES},
                             sort_keys=True).encode())
    return digest.hexdigest()[:16]


def current() -> Path | None:
    """The folder of the export for the inputs as they are now, if it was built."""
    source = tokenizer_source()
    if source is None:
        return None
    folder = FOLDER / key(source)
    return folder if folder.is_dir() else None


class ExportFailed(RuntimeError):
    """The export script failed; the message is the end of its output."""


def build() -> Path | None:
    """The folder of the export for the inputs as they are now; exports if needed.
    None without Phi-3's tokenizer."""
    source = tokenizer_source()
    if source is None:
        return None
    target = FOLDER / key(source)
    FOLDER.mkdir(parents=True, exist_ok=True)
    with FileLock(str(FOLDER / ".lock")):
        if target.is_dir():
            return target
        scratch = FOLDER / f"{target.name}.building"
        shutil.rmtree(scratch, ignore_errors=True)
        result = subprocess.run(
            [sys.executable, "-m", EXPORT, str(scratch), "--tokenizer", source],
            cwd=ROOT, capture_output=True, text=True)
        missing = [name for name in MODEL_FILES if not (scratch / name).is_file()]
        if result.returncode != 0 or missing:
            shutil.rmtree(scratch, ignore_errors=True)
            raise ExportFailed(f"{EXPORT} failed (missing: {missing}):\n"
                               f"{(result.stdout + result.stderr)[-4000:]}")
        (scratch / LOG).write_text(result.stdout, "utf-8")  # what it printed
        scratch.rename(target)  # whole, or not there: a cut-short export is rebuilt
        _prune()
    return target


def download_bytes(folder: Path) -> int:
    """What the button loads: the model files and the vendored runtime."""
    vendor = DOCS / VENDOR
    return (sum((folder / name).stat().st_size for name in MODEL_FILES)
            + sum((vendor / name).stat().st_size for name in RUNTIME))


def _prune() -> None:
    built = sorted((p for p in FOLDER.iterdir() if p.is_dir()
                    and not p.name.endswith(".building")),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in built[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":  # `python -m tools.live_model`: build, say where
    print(build())
