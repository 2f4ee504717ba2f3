# Two commands do everything on a fresh machine: `make run` and `make test`. Each installs what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
TORCH_VERSION := 2.13.0
STAMP := $(VENV)/.installed
FRONTEND := frontend
NODE_MIN := 20.19
NODE_CHECK := const [a, b] = process.versions.node.split(".").map(Number), [x, y] = "$(NODE_MIN)".split(".").map(Number); process.exit(a > x || (a === x && b >= y) ? 0 : 1)
NODE_STAMP := $(FRONTEND)/node_modules/.installed
BUILD_INDEX := playground/static_build/index.html
# What the build reads (src/generated/ is its own output: gen-types rewrites it from `playground schema`).
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/index.html $(FRONTEND)/vite.config.* \
	$(FRONTEND)/tsconfig*.json $(FRONTEND)/scripts -type f -not -path '*/generated/*' 2>/dev/null)
SCHEMA_SOURCES := trainer/graph/spec.py trainer/train/events.py
CHROMIUM := /usr/bin/chromium

.PHONY: install python-deps frontend node chromium test lint typecheck bench run clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first, pinned, and only when none is importable: a bare `torch` requirement would pull a CUDA build.
$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c "import torch" 2>/dev/null || $(PIP) install --quiet "torch==$(TORCH_VERSION)"
	$(PIP) install --quiet -e ".[dev]"
	@touch $(STAMP)

python-deps: $(STAMP)

# Node.js: Vite needs $(NODE_MIN) or newer. Debian before trixie ships an older one: say so instead of a stack trace.
node:
	@command -v npm >/dev/null && command -v node >/dev/null || { \
		echo "make: npm is missing: install Node.js >= $(NODE_MIN) (https://nodejs.org/en/download)" >&2; exit 1; }
	@node -e '$(NODE_CHECK)' || { \
		echo "make: Node.js $$(node --version) is too old: install Node.js >= $(NODE_MIN) (https://nodejs.org/en/download)" >&2; \
		exit 1; }

# The browser app: npm ci from the committed lock file (again whenever the lock file changes; npm ci empties
# node_modules, stamp included), then a build into the git-ignored playground/static_build whenever a source, the
# lock file or the backend's schema (the TypeScript types are generated from `playground schema`) is newer.
$(NODE_STAMP): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json | node
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

$(BUILD_INDEX): $(NODE_STAMP) $(FRONTEND_SOURCES) $(SCHEMA_SOURCES) | $(STAMP) node
	cd $(FRONTEND) && npm run --silent build
	@test -f $(BUILD_INDEX) && touch $(BUILD_INDEX)

frontend: $(BUILD_INDEX)

install: python-deps frontend

# Debian's Chromium for the browser tests (never `playwright install`): sudo only when not root; the package
# lists are refreshed only when the first try fails (a fresh container has none).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q chromium || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; } \
		|| { echo "make: could not install Debian's chromium (needed by tests/e2e)" >&2; exit 1; }; \
	fi

lint: python-deps
	$(VENV)/bin/ruff check trainer playground tests

typecheck: python-deps
	$(VENV)/bin/mypy

test: install chromium lint typecheck
	cd $(FRONTEND) && npm test --silent
	$(PY) -m pytest -q

bench: install
	$(VENV)/bin/playground bench overhead --write docs/benchmarks.md
	$(VENV)/bin/playground bench stream --write docs/benchmarks.md

run: install
	$(PY) -m playground.devserver

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache $(FRONTEND)/node_modules playground/static_build
