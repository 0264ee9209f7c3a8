# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint fast eval bench system-deps

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Debian packages the browser tests need (Chromium is driven by Playwright).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Build the index if needed, then start the chat UI.
run: install
	$(BIN)/dia ingest; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 2 ]
	$(BIN)/dia serve

## The whole test suite (slow and browser tests included, server-mode tests against a Chroma
## server started on loopback), lint, and the eval gate.
test: install system-deps
	$(BIN)/ruff check .
	.ci/with-chroma-server $(BIN)/python -m pytest
	$(BIN)/dia eval --gate

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## Fast tests only (deterministic fakes, no model load, the in-memory vector store: the index
## never imports chromadb). `make test` runs the tests marked `chroma` too.
fast: install
	$(BIN)/python -m pytest -m "not slow and not browser and not chroma"

eval: install
	$(BIN)/dia eval

bench: install
	$(BIN)/dia bench
