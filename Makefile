# The two commands a newcomer needs: `make serve` and `make test`.
# Each sets up the virtual environment first if it is missing or out of date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Browser tests drive Debian's Chromium; the PostgreSQL tests use the server on 127.0.0.1:5432.
PYTEST_ARGS ?=

.PHONY: serve dream test lint benchmark clean

$(BIN)/dreambot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

serve: $(BIN)/dreambot
	$(BIN)/dreambot db upgrade
	$(BIN)/dreambot -v serve

dream: $(BIN)/dreambot
	$(BIN)/dreambot dream engine/samples/cat.jpg -o cat-dream.png

test: $(BIN)/dreambot
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(BIN)/dreambot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

benchmark: $(BIN)/dreambot
	$(BIN)/python benchmarks/engine_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
