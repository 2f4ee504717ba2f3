# Two commands do everything on a fresh machine: `make run` and `make test`. Each installs what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
TORCH_VERSION := 2.13.0
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck bench run clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first, pinned, and only when none is importable: a bare `torch` requirement would pull a CUDA build.
$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c "import torch" 2>/dev/null || $(PIP) install --quiet "torch==$(TORCH_VERSION)"
	$(PIP) install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check trainer tests

typecheck: install
	$(VENV)/bin/mypy

test: install lint typecheck
	$(PY) -m pytest -q

bench: install
	$(VENV)/bin/playground bench overhead --write docs/benchmarks.md

run: install
	@echo "The web playground arrives with the issue 'Web playground'; for now train from the CLI:"
	@echo "  $(VENV)/bin/playground train examples/spiral.json"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
