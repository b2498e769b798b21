# Two commands do all set-up on a fresh machine with Python 3.11+:
#   make run    create .venv, install, serve on http://127.0.0.1:8000
#   make test   create .venv with the test extras, make sure Chromium, redis-server and
#               axe-core (from npm) exist, run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test chromium redis axe lint bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "nnlive needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/nnlive serve --host $(HOST) --port $(PORT)

chromium:
	@sh scripts/ensure-chromium.sh

redis:
	@sh scripts/ensure-redis.sh

axe: | $(BIN)/python
	@sh scripts/ensure-axe.sh

test: $(VENV)/.installed-test chromium redis axe
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test
	$(BIN)/python bench/core.py

clean:
	rm -rf $(VENV) .pytest_cache test-output
