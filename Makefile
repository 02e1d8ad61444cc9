# Two commands on a fresh machine: `make run` serves the coach, `make test` runs the suite.
# Each creates .venv and installs whatever is missing first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Offline by default: no model hub, no analytics, no telemetry.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install browser run ingest serve test test-fast lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU build (see pyproject.toml); -e keeps corpus/ and prompts/ in place.
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

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

test: install browser
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check coach tests app.py corpus/index.py
	$(BIN)/ruff format --check coach tests app.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
