# Two set-up commands on a fresh machine with Python 3.11+ and make:
#   make demo   run the main job on the shipped sample city
#   make test   run the whole test suite, lint and type checks
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint imports typecheck unit install sample bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/crowdcast demo

unit: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# The layer map of docs/architecture.md (contracts in pyproject.toml).
imports: $(VENV)/.installed-test
	$(BIN)/lint-imports --no-cache --no-logo

test: unit lint imports typecheck

# Regenerate data/sample/ from the simulator (byte-for-byte reproducible).
sample: $(VENV)/.installed
	$(BIN)/crowdcast make-sample data/sample --overwrite

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $(VENV)/.installed $@

# Benchmarks against baselines and peer libraries; tables go to benchmarks/results/.
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
