# Two commands for a fresh machine: `make book` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= synthetic
SEED ?= 0

.PHONY: book book-quick test data venv clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

## the whole book with the default parameters -> _build/html/index.html
book: $(STAMP)
	$(BIN)/customs-anomaly book --data $(DATA) --seed $(SEED)

## the whole book with small parameters (the same build that `make test` checks)
book-quick: $(STAMP)
	$(BIN)/customs-anomaly book --quick --data $(DATA) --seed $(SEED)

## synthetic raw data and the merged panel only
data: $(STAMP)
	$(BIN)/customs-anomaly synth --seed $(SEED) --out data/raw
	$(BIN)/customs-anomaly merge --raw data/raw --out data/processed/panel.parquet

## unit tests, CLI tests and a quick build of the whole book in a temporary directory
test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf _build book/chapters data/raw data/interim data/processed models
