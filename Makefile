# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DB ?= data/shb.duckdb
PORT ?= 8501

.PHONY: run test lint bench db demo clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The database is built only when it is missing (never over imported data): real open statistics from
# data/real/ where they exist, demo data for every other indicator.
$(DB): | $(VENV)/.runtime
	$(PY) -m shb build --db $(DB)

db: $(DB)

## Rebuild the demo database (the previous one is kept under data/snapshots/).
demo: $(VENV)/.runtime
	$(PY) -m shb build --demo --db $(DB)

run: $(VENV)/.runtime $(DB)
	SHB_DB=$(DB) $(PY) -m shb.web.serve --server.address 127.0.0.1 --server.port $(PORT)

# Python style, SQL style (queries/ and the store's fixed SQL), and the layers' import contracts.
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint --disable-progress-bar queries/ shb/store/
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest

bench: $(VENV)/.dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) data/shb.duckdb data/snapshots data/geometry artifacts
