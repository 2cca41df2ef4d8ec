# Two commands for a fresh machine: `make book` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= synthetic
SEED ?= 0
UV_VERSION := 0.13.9

.PHONY: book book-quick test data venv clean browser-deps

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required"'
	$(PYTHON) -m venv $(VENV)
	@# uv installs the same pinned set as pip in a fraction of the time (parallel downloads) and
	@# byte-compiles on every core: imports would otherwise compile again in every process
	$(BIN)/python -m pip install --disable-pip-version-check -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -e ".[dev]"
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

## Debian's chromium and Korean fonts for the headless-browser tests (never `playwright install`)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi nanum; then \
		echo "chromium and fonts-nanum present"; \
	else \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium fonts-nanum; \
	fi

## unit tests, CLI tests, browser tests and a quick build of the whole book in a temporary directory
test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup --no-loadscope-reorder

clean:
	rm -rf _build book/chapters data/raw data/interim data/processed models
