# Every target sets up what it needs first, so a fresh clone needs only one command.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PEERS_STAMP := $(VENV)/.installed-peers
# tools/vendor.sh's stamp; the script runs again when it changes or when any file it
# writes is missing (`make clean` removes .cache/vendor/axe.min.js, not the stamp)
VENDOR := docs/assets/vendor/.versions
VENDORED := $(shell bash tools/vendor.sh --outputs)
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build test test-numerics test-real rehearse-real update-examples figures bench \
	new-page train-tiny peers lock clean FORCE

# pip installs uv (pinned by the lock), and uv the rest, from the sources pip is
# configured with (tools/install.py: 72 s of a fresh clone's set-up with pip, 11 s).
# Neither byte-compiles what it installs (pip: --no-compile; about 50 s of pip's
# time): Python compiles what is imported, when it is first imported, and keeps it in
# __pycache__/. A machine that says PYTHONDONTWRITEBYTECODE would compile it again in
# every process: not in the project's commands.
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): pyproject.toml requirements-lock.txt tools/install.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --no-compile -c requirements-lock.txt uv
	$(BIN)/python -m tools.install -q -c requirements-lock.txt -e ".[checks]"
	touch $(STAMP)

# The optional runtimes the benchmark compares (pyproject's `peers` extra). Not part of
# setup: llama-cpp-python compiles llama.cpp (minutes; pip caches the wheel it builds).
$(PEERS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q --no-compile -c requirements-lock.txt -e ".[peers]"
	touch $(PEERS_STAMP)

peers: $(PEERS_STAMP)  ## install the runtimes the benchmark compares (ONNX Runtime GenAI, llama.cpp)

$(VENDOR): tools/vendor.sh $(if $(filter-out $(wildcard $(VENDORED)),$(VENDORED)),FORCE)
	bash tools/vendor.sh

FORCE:

setup: $(STAMP) $(VENDOR)

serve: setup  ## set up, then serve the site on http://127.0.0.1:8000
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

build: setup
	$(BIN)/mkdocs build --strict

# Two workers (pytest-xdist) on the two cores; a page's languages share one worker
# (conftest.py), and the site is built once for both (tools/built_site.py).
# PAGE=docs/<chapter>/<page>.md: only that page's loop (tools/page_tests.py).
test: setup  ## set up, then run the whole test suite (offline)
ifdef PAGE
	$(BIN)/python -m tools.page_tests $(PAGE)
else
	$(BIN)/python -m pytest -n 2
endif

# The checks whose verdict depends on the numbers torch computes (marker `numeric`:
# tensor comparisons, the computed outputs and figures) once more under a second
# numeric configuration: two threads instead of one, and a narrower ATen kernel set
# than the one it picks for this CPU (tools/numerics.py says which and why).
# CI runs it after `make test`: the verdict must not change.
test-numerics: setup  ## the numeric checks again, two threads, narrower kernels
	$(BIN)/python -m tools.numerics

# The real tier's pytest command line is tools.rehearse.REAL_TIER, defined once: the
# rehearsal runs it too (on docs/); tests/test_commands.py collects it as written.
test-real: setup  ## the opt-in tier: needs the real Phi-3 weights (network or HF cache)
	$(BIN)/python -m tools.rehearse --test-real

rehearse-real: setup  ## the real tier against a real-size Phi-3-mini with random weights
	$(BIN)/python -m tools.rehearse

update-examples: setup  ## regenerate the outputs shown on the pages
	$(BIN)/python -m tools.update_examples

new-page: setup  ## CHAPTER=docs-folder SLUG=file-name TITLE="English title" [TITLE_ZH=...]
	$(BIN)/python -m tools.new_page --chapter "$(CHAPTER)" --slug "$(SLUG)" \
		--title "$(TITLE)" $(if $(TITLE_ZH),--title-zh "$(TITLE_ZH)") \
		$(if $(SECTION),--section "$(SECTION)")

figures: setup  ## redraw every figure from the code that makes it
	$(BIN)/python -m tools.figures

bench: setup $(PEERS_STAMP)  ## measure Phi-3-mini's speed on this CPU (5 rounds, about 70 minutes), then redraw the report
	$(BIN)/python -m bench.phi3_cpu
	$(BIN)/python -m tools.figures

# The tokenizer comes from the Hub (or its cache); TOKENIZER=DIR takes a local copy.
TOKENIZER ?= microsoft/Phi-3-mini-4k-instruct
train-tiny: setup  ## retrain the chapter's tiny Phi-3 on the pages' prose (minutes), redraw
	$(BIN)/python -m snippets.scores_to_text.train_tiny --tokenizer $(TOKENIZER)
	$(BIN)/python -m tools.figures

# The pins of everything installed, the `peers` extra's too (pip freeze lists only
# what is installed: without it, the lock would lose the benchmark peers' pins).
lock: $(PEERS_STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^inside-phi3' > requirements-lock.txt

clean:
	rm -rf site .cache .pytest_cache
