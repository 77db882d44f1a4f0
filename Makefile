# Every target sets up what it needs first, so a fresh clone needs only one command.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := docs/assets/vendor/.versions
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build test test-real rehearse-real update-examples figures bench lock clean

$(STAMP): pyproject.toml requirements-lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c requirements-lock.txt -e .
	touch $(STAMP)

$(VENDOR): tools/vendor.sh
	bash tools/vendor.sh

setup: $(STAMP) $(VENDOR)

serve: setup  ## set up, then serve the site on http://127.0.0.1:8000
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

build: setup
	$(BIN)/mkdocs build --strict

test: setup  ## set up, then run the whole test suite (offline)
	$(BIN)/python -m pytest

test-real: setup  ## the opt-in tier: needs the real Phi-3 weights (network or HF cache)
	$(BIN)/python -m pytest --real-model

rehearse-real: setup  ## the real tier against a real-size Phi-3-mini with random weights
	$(BIN)/python -m tools.rehearse

update-examples: setup  ## regenerate the outputs shown on the pages
	$(BIN)/python -m tools.update_examples

figures: setup  ## redraw every figure from the code that makes it
	$(BIN)/python -m tools.figures

bench: setup  ## measure Phi-3-mini's speed on this CPU (minutes), then redraw the report
	$(BIN)/python -m bench.phi3_cpu
	$(BIN)/python -m tools.figures

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^inside-phi3' > requirements-lock.txt

clean:
	rm -rf site .cache .pytest_cache
