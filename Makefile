# Planwright: `make run` and `make test` work from nothing but Python, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint migrate clean lock

$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/planwright migrate
	$(BIN)/planwright serve --seed-demo

migrate: $(STAMP)
	$(BIN)/planwright migrate

test: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# `make bench` runs them all; `make bench load qa` only those named (the names are not targets of their own).
BENCH_NAMES := $(filter-out bench,$(MAKECMDGOALS))
bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks $(BENCH_ARGS) $(BENCH_NAMES)

ifeq (bench,$(firstword $(MAKECMDGOALS)))
$(BENCH_NAMES):
	@:
endif

lint: $(STAMP)
	$(BIN)/ruff check service workers contracts tests
	$(BIN)/mypy

# Recompile the hashed lock (needs uv on PATH); the lock never names an index.
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) var
