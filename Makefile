# Two commands on a fresh machine: `make run` and `make test`. Everything lives in ./.venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= newsfuse.db
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test gates install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,web,feeds,ray,parquet,embeddings]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: set up ./.venv, run the pipeline on examples/ into ./newsfuse.db, print the briefs
run: install
	$(BIN)/newsfuse run examples --db $(DB)
	$(BIN)/newsfuse stories --db $(DB)
	$(BIN)/newsfuse brief --all --db $(DB)

## test: set up ./.venv with the dev extras and run the whole test suite, quality gates included
test: install-dev
	./scripts/install-browser.sh
	NEWSFUSE_REQUIRE_EMBEDDINGS=1 HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

## bench: print the benchmark figures (see bench/README.md)
bench: install-dev
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm .pytest_cache
