# contractbot: `make run` starts the bot, `make test` runs the tests. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run demo test lint typecheck check bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "contractbot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/contractbot db upgrade
	$(BIN)/contractbot run

demo: setup
	$(BIN)/contractbot demo-data

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check bot conversations storage tests
	$(BIN)/ruff format --check bot conversations storage
	$(BIN)/lint-imports --no-cache

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

bench: setup
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench_outbox
	$(BIN)/python -m tests.bench_import
	$(BIN)/python -m tests.bench_radius

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
