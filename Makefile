# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-unit install install-dev system-deps screenshots bench bench-load lint format sample clean fuzz wheel-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt requirements-nodeps.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the tests need (Pango for PDFs, a Thai font, headless Chromium); installs them when missing.
system-deps:
	bash scripts/system-deps.sh

## Install, load the Khlong Prem Prachakorn sample, serve the map at http://$(HOST):$(PORT)
run: install
	bash scripts/system-deps.sh runtime
	$(BIN)/planner sample --demo-users
	$(BIN)/planner serve --host $(HOST) --port $(PORT)

## Install and run the whole test suite (against PostGIS too when DATABASE_URL is set)
test: install-dev system-deps
	$(BIN)/python -m pytest --durations=20

## Only the fast unit tier (domain and services over in-memory fakes): seconds, no database
test-unit: install-dev
	$(BIN)/python -m pytest -m unit -q --durations=10 tests/unit

## Build the wheel, install it into a fresh venv outside the checkout, then from another
## folder `planner sample` and `planner serve`, and fetch the map, Leaflet and /api/layers
wheel-smoke:
	$(PYTHON) scripts/wheel_smoke.py

## The README's phone screenshots of the map and a case page (docs/screenshot-phone-*.png)
screenshots: install-dev system-deps
	$(BIN)/python scripts/phone_screenshots.py

## Run every benchmark and write benchmarks/results/latest.json
bench: install-dev
	$(BIN)/python benchmarks/run.py

## Load test (not in `make bench`): locust drives `planner serve` with the office mix at
## LOAD_RATE req/s for LOAD_MINUTES, then steps up to the highest rate it holds; builds the
## national store in LOAD_HOME first if empty; PostGIS too when DATABASE_URL is set.
## A smoke run: make bench-load LOAD_MINUTES=1 LOAD_ARGS="--step-seconds 20"
LOAD_MINUTES ?= 10
LOAD_RATE    ?= 200
LOAD_HOME    ?= instance/load
LOAD_ARGS    ?=
bench-load: install-dev
	$(BIN)/python benchmarks/bench_load.py --store embedded --home $(LOAD_HOME)/embedded \
	  --prepare-if-empty --minutes $(LOAD_MINUTES) --rate $(LOAD_RATE) --max-rate $(LOAD_ARGS)
	if [ -n "$$DATABASE_URL" ]; then \
	  $(BIN)/python benchmarks/bench_load.py --store postgis --home $(LOAD_HOME)/postgis \
	    --prepare-if-empty --minutes $(LOAD_MINUTES) --rate $(LOAD_RATE) --max-rate $(LOAD_ARGS); \
	fi

sample: install
	$(BIN)/planner sample --rebuild

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Fuzz every importer with atheris (FUZZ_SECONDS each); crashes are written to fuzz/crashes/
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= geojson kml kmz csv xlsx shpzip gpkg
fuzz: install-dev
	mkdir -p fuzz/crashes
	for t in $(FUZZ_TARGETS); do \
	  $(BIN)/python fuzz/fuzz_importers.py $$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
	    -rss_limit_mb=3000 -artifact_prefix=fuzz/crashes/$$t- || exit 1; \
	done

clean:
	rm -rf $(VENV) instance tests/output build dist *.egg-info
