# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Each creates the virtualenv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
DATA_DIR ?= ../shared/market-data

.PHONY: setup demo test test-fast lint bench lock clean

# The pinned versions of requirements.txt (the lock the buildpack and the image install), then
# the project and its test tools.
$(STAMP): pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

setup: $(STAMP)

demo: $(STAMP)
	SMALLCAPS_DATA_DIR=$(DATA_DIR) $(BIN)/smallcaps gap 3y --out gap-3y.png

test: $(STAMP)
	$(BIN)/python -m pytest

# The loop while changing code: everything but the tests marked slow (processes, servers,
# the field deployment, the benchmark smoke run); `make test` still runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -n auto

# ruff, then the import contract (pyproject.toml [tool.importlinter]: imports only go down the
# layers; analytics does no I/O), then mypy over bot/, handlers/ and analytics/ (pyproject.toml
# [tool.mypy]; every rendering is checked against its command's payload type).
lint: $(STAMP)
	$(BIN)/ruff check bot handlers analytics tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

# Speed and memory against the obvious way, offline (about 10 minutes; BENCH_ARGS=--quick
# for a 30-second smoke run, or e.g. BENCH_ARGS="--runs 5 --json bench.json").
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --data-dir $(DATA_DIR) $(BENCH_ARGS)

# Re-pin requirements.txt after changing pyproject.toml's dependencies (keeps existing pins
# unless they no longer fit; `make lock LOCK_ARGS=--upgrade` moves everything to the latest).
lock: $(STAMP)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -o requirements.txt --python-version 3.11 \
		--custom-compile-command "make lock" $(LOCK_ARGS)

clean:
	rm -rf $(VENV) state
