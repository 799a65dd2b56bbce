# One command runner for the portal. `make run` and `make test` work on a
# fresh clone with only Python >= 3.10 and a C compiler.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORTAL := $(PY) scripts/portal.py
PYTEST_ARGS ?=
# processes running the suite (pytest-xdist), each on a test configuration
# of its own: as many as scripts/portal.py prepares (TEST_CONFIGS); 0: one
TEST_WORKERS ?= 2

.PHONY: install run stop status clean test lint bench bench-load backup restore

install:
	@PYTHON=$(PYTHON) bash scripts/install.sh

run: install
	@$(PORTAL) up

stop:
	@if [ -x $(PY) ]; then $(PORTAL) down; fi

status: install
	@$(PORTAL) status

clean: stop
	rm -rf var

test: install
	@$(PORTAL) prepare
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest --ckan-ini=var/test.ini \
	  -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check ckanext-kg validation scripts tests bench datasets

bench: install
	@$(PORTAL) prepare
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/validation_bench.py
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/ingestion_bench.py
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/download_bench.py
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/diff_bench.py
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/search_bench.py
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/fuzz_bench.py

# The portal under load behind nginx (bench/load_bench.py; never a test):
# make bench-load BENCH_ARGS="--duration 60" for a short run.
BENCH_ARGS ?=
bench-load: install
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/load_bench.py $(BENCH_ARGS)

# One archive of both databases and the uploaded files (scripts/backup.py).
backup: install
	@$(PY) scripts/backup.py create

# make restore BACKUP=var/backups/kg-ckan-<time>.tar.gz [FORCE=1]
# Refuses to replace a portal that holds data unless FORCE=1; never asks.
restore: install
	@if [ -z "$(BACKUP)" ]; then \
	  echo "usage: make restore BACKUP=var/backups/kg-ckan-<time>.tar.gz [FORCE=1]" >&2; \
	  exit 2; fi
	@$(PY) scripts/backup.py restore "$(BACKUP)" $(if $(filter 1 yes true,$(FORCE)),--force)
