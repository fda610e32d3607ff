# Tierdesk developer tasks (GNU make). `make demo` runs the demo, `make test` the whole test suite.
# The virtual environment lives in .venv; stamp files in it record which pyproject.toml it was
# installed from, so pip runs again only when pyproject.toml changes.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
TIERDESK := $(BIN)/tierdesk
BOOTSTRAP_PYTHON := $(or $(shell command -v python3.11 2>/dev/null),$(shell command -v python3 2>/dev/null))
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

HOST ?= 127.0.0.1
PORT ?= 8000
# Worker processes of pytest-xdist.
TEST_PROCESSES ?= 2
# Extra arguments for every bench/ script, e.g. BENCH_ARGS="--tickets 200".
BENCH_ARGS ?=

.PHONY: help demo serve test lint fmt typecheck bench messages browser mailservers clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(PYTHON):
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11 or python3 on PATH)." >&2; exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(RUNTIME_STAMP)

messages: $(RUNTIME_STAMP) ## compile the translations (when scripts/compile_messages.py exists)
	@if [ -f scripts/compile_messages.py ]; then $(PYTHON) scripts/compile_messages.py; fi

demo: $(RUNTIME_STAMP) messages ## demo database under var/, print the logins, serve with the worker (HOST, PORT)
	$(TIERDESK) demo --host $(HOST) --port $(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/ with the task worker; Ctrl-C stops both."
	$(TIERDESK) serve --with-worker --host $(HOST) --port $(PORT)

serve: $(RUNTIME_STAMP) messages ## migrate and serve with the task worker, no demo data (HOST, PORT)
	$(TIERDESK) migrate
	$(TIERDESK) serve --with-worker --host $(HOST) --port $(PORT)

# Browser tests skip themselves without Chromium; as root we install Debian's package for them.
browser:
	@if [ -x /usr/bin/chromium ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		export DEBIAN_FRONTEND=noninteractive; \
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
			|| echo "note: could not install chromium; the browser tests will be skipped." >&2; \
	else \
		echo "note: /usr/bin/chromium is missing (install Debian's chromium as root); the browser tests will be skipped." >&2; \
	fi

# IMAP tests start their own Dovecot (tests/mail/dovecot.py) and skip themselves without it; as root we
# install Debian's dovecot-imapd for them. The tests never use a system-wide Dovecot: they run their own
# instance on a free loopback port under a temporary directory, so one the package may start does not matter.
mailservers:
	@if [ -x /usr/sbin/dovecot ] && [ -e /usr/lib/dovecot/imap ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's dovecot-imapd for the IMAP tests..."; \
		export DEBIAN_FRONTEND=noninteractive; \
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null; } \
			|| echo "note: could not install dovecot-imapd; the IMAP tests will be skipped." >&2; \
	else \
		echo "note: /usr/sbin/dovecot is missing (install Debian's dovecot-imapd as root); the IMAP tests will be skipped." >&2; \
	fi

test: $(DEV_STAMP) browser mailservers messages ## the checks of `make lint`, then the whole test suite on two processes
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/ruff format --check src tests bench conftest.py
	$(BIN)/lint-imports
	$(BIN)/mypy src
	$(BIN)/pytest -n $(TEST_PROCESSES)

lint: $(DEV_STAMP) ## ruff check, ruff format --check, import-linter contracts, mypy
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/ruff format --check src tests bench conftest.py
	$(BIN)/lint-imports
	$(BIN)/mypy src

fmt: $(DEV_STAMP) ## format the code and apply ruff's safe fixes
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

typecheck: $(DEV_STAMP) ## mypy over src/
	$(BIN)/mypy src

bench: $(RUNTIME_STAMP) ## run every script in bench/, which print their figures (arguments: BENCH_ARGS)
	@shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks in bench/."; exit 0; fi; \
	for script in "$${scripts[@]}"; do echo "== $$script"; $(PYTHON) "$$script" $(BENCH_ARGS) || exit 1; done

clean: ## remove caches, build output, compiled translations and var/ (the demo database, mails)
	rm -rf var build dist test-results .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -exec rm -rf {} +
	find src -name '*.mo' -delete

distclean: clean ## clean, and remove the virtual environment
	rm -rf $(VENV)
