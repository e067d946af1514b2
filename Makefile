# `make run` serves the app with demo data; `make test` runs every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR := $(or $(HMIS_DATA_DIR),data)
CHROMIUM := /usr/bin/chromium
BIND ?= 127.0.0.1:8000

.PHONY: run test lint bench bench-hudcsv bench-duplicates bench-kiosks bench-import-scans bench-scan \
	bench-scale

run: $(VENV)/.installed-run
	$(BIN)/hmis migrate
	@if [ ! -f "$(DATA_DIR)/.demo-loaded" ]; then \
		$(BIN)/hmis demo && mkdir -p "$(DATA_DIR)" && touch "$(DATA_DIR)/.demo-loaded"; \
	fi
	$(BIN)/hmis serve --bind $(BIND) --with-worker

test: $(VENV)/.installed-test
	@if [ -x "$(CHROMIUM)" ]; then \
		$(BIN)/pytest; \
	else \
		echo "Chromium not found: browser tests skipped"; \
		$(BIN)/pytest -m "not browser"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-run
	$(BIN)/python bench/posting.py

bench-hudcsv: $(VENV)/.installed-run
	$(BIN)/python bench/hudcsv.py

bench-duplicates: $(VENV)/.installed-run
	$(BIN)/python bench/duplicates.py
bench-kiosks: $(VENV)/.installed-test
	$(BIN)/python bench/kiosks.py

bench-import-scans: $(VENV)/.installed-test
	$(BIN)/python bench/import_while_scanning.py

# A scan over HTTP against a bare floor view; SQLite, or PostgreSQL with DATABASE_URL set.
bench-scan: $(VENV)/.installed-test
	$(BIN)/python bench/scan.py $(ARGS)

# Statewide data on PostgreSQL (DATABASE_URL): ARGS="--scale 0.1" for a tenth of it.
bench-scale: $(VENV)/.installed-test
	$(BIN)/python bench/scale.py $(ARGS)

# Install again only when pyproject.toml changed since the last install.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
