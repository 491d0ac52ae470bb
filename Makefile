# Two commands on a fresh machine: `make run` and `make test`. Everything lives in ./.venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= newsfuse.db
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test gates install install-dev bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs come from the lock files (exact versions of the whole tree); newsfuse itself goes in without
# resolving anything again. A base install is never reused as a dev install or the other way round.
$(VENV)/.installed: locks/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r locks/base.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: locks/dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r locks/dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed

## lock: re-resolve locks/base.txt (base install) and locks/dev.txt (every extra) from pyproject.toml
# torch is the CPU build (2.13.0+cpu); TORCH_WHEELS names a folder or index that holds it.
TORCH_WHEELS ?= /opt/wheels
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --python-version 3.11 --find-links $(TORCH_WHEELS) --quiet
lock: | $(BIN)/python
	$(BIN)/pip install -q uv==0.13.8
	$(UV_COMPILE) -o locks/base.txt
	$(UV_COMPILE) --all-extras -o locks/dev.txt

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
	./scripts/install-axe.sh
	./scripts/install-postgresql.sh
	NEWSFUSE_REQUIRE_EMBEDDINGS=1 NEWSFUSE_REQUIRE_POSTGRESQL=1 HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

## bench: print the benchmark figures (see bench/README.md)
bench: install-dev
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm .pytest_cache
