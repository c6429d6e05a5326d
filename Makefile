# Two commands for a fresh clone: `make book` and `make test`.
SHELL := /bin/bash
PYTHON_BOOTSTRAP ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup book serve test lint bench clean

# Set-up: a Python 3.11 venv with the pinned requirements and pooling_lib (editable).
# Re-runs only when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
	$(PY) -m pip install -q --no-build-isolation --no-deps -e .
	$(PY) -m pip check
	touch $@

setup: $(STAMP)

book: setup
	$(PY) -m jupyter_book build . -W -n --keep-going
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html  (or run: make serve)"

serve: book
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

test: setup
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
