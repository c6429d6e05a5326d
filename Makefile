# Two commands for a fresh clone: `make book` and `make test`.
#   make book        set up, then build the website into _build/html (warnings = errors):
#                    both editions, _build/html/en/ and _build/html/zh-cn/ (tools/i18n_build.py)
#   make serve       build, then serve the site on http://127.0.0.1:$(PORT)/
#   make i18n        re-extract the English text and update the Chinese catalogues in
#                    locale/zh_CN (changed paragraphs become fuzzy); then tools/i18n_check.py
#   make i18n-check  the catalogues are complete and current (what the test demands)
#   make test        set up, then one pytest run of everything (see pyproject.toml), two workers
#   make notebooks   re-execute notebooks in place (NB=notebooks/x.ipynb for one)
#   make lint        ruff check + ruff format --check
#   make test-explore [SEED="1 2 3"]  property tests with random examples (hypothesis
#                    profile 'explore'), once per seed; without SEED, one random seed
#   make bench       pooling benchmark: loop vs vectorized vs PyTorch
#                    -> pooling_book/bench_results/pooling.json (package data),
#                    and explorer redraw time per control change -> bench/results/widgets.json
#   make exercises   student release + autograders into _build/exercises (book copies refreshed)
#   make grade SUBMISSIONS=dir   grade every notebook in dir into _build/grades (book/teachers.md)
#   make grade-bench N=60        grade N generated submissions, print notebooks per minute
#   make grade-gradescope        every hostile sample through Gradescope's fallback (as root;
#                                GS_FLAGS="--only forge-encode" for some)
# Every step is stamped: a second `make book` with nothing changed does nothing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON_BOOTSTRAP ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
NB ?=

STAMP := $(VENV)/.installed
LIB_STAMP := $(VENV)/.pooling_lib.installed
NPM_STAMP := node_modules/.npm-ci.stamp
ASSETS_STAMP := _build/site-extra/vendor/VERSIONS.json
BOOK_STAMP := _build/.book.stamp
BOOK_SOURCES := _config.yml _toc.yml tools/offline_assets.py tools/lean_pages.py \
	tools/explorer_script.py tools/i18n_ext.py tools/i18n_build.py \
	$(shell find book notebooks pooling_lib pooling_book locale _templates _static -type f \
		-not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*' 2>/dev/null)
# pip reads a machine-wide config that names a missing folder; drop that warning only.
PIP_NOISE := is ignored: it is neither a file nor a directory

.PHONY: setup assets book serve i18n i18n-check test test-explore notebooks lint bench clean distclean exercises grade grade-bench grade-gradescope

# Set-up 1: a Python 3.11 venv with the pinned requirements (only when they change),
# installed by uv (PyPI's packages, the same versions as pip; it downloads and unpacks in
# parallel: a fresh venv took 20 s with uv and 2 min 14 s with pip, both with empty caches).
# Should uv fail (a network it cannot reach, say), pip installs them.
# --compile-bytecode writes every module's .pyc now, as pip does: uv leaves them to the first
# import, and where PYTHONDONTWRITEBYTECODE is set (it is on this project's machines) no
# import writes them, so every process compiled what it imported again: `from d2l import
# torch as d2l` took 7.1 s of CPU without them and 3.2 s with them, and the whole of `make
# test` 885 core-seconds against 779 (compiling them all costs about 30 once).
UV_VERSION := 0.13.9
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install -q uv==$(UV_VERSION) 2> >(grep -v "$(PIP_NOISE)" >&2)
	$(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -r requirements.txt \
		|| $(PY) -m pip install -q -r requirements.txt 2> >(grep -v "$(PIP_NOISE)" >&2)
	touch $@

# Set-up 2: pooling_lib, editable, so notebooks import it from any folder.
$(LIB_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q --no-build-isolation --no-deps -e . 2> >(grep -v "$(PIP_NOISE)" >&2)
	$(PY) -m pip check
	touch $@

setup: $(LIB_STAMP)

# What the site serves itself: MathJax and Font Awesome (npm, pinned by package-lock.json)
# and the explorer's modules (pooling_book/explorer, joined into one classic script by its
# bundle.py), staged in _build/site-extra for Sphinx's html_extra_path.
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS_STAMP): $(NPM_STAMP) $(STAMP) tools/vendor_assets.py pooling_book/explorer/bundle.py $(wildcard pooling_book/explorer/*.js)
	$(PY) tools/vendor_assets.py

assets: $(ASSETS_STAMP)

# Both editions, in parallel, each one a `jupyter-book build . -W -n --keep-going` (the
# Chinese one with Sphinx language zh_CN, reading locale/zh_CN): tools/i18n_build.py.
# Incremental: each edition keeps its Sphinx environment in _build/.doctrees/<prefix>; a
# failed edition's is dropped, so the next run re-reads (and re-warns about) its pages.
# The vendored folders are removed first, so a file no longer staged goes too; after each
# edition's build tools/i18n_build.py copies html_extra_path and _static into it again
# (Sphinx copies them only when some page is out of date).
$(BOOK_STAMP): $(LIB_STAMP) $(ASSETS_STAMP) $(BOOK_SOURCES)
	rm -rf _build/html/*/vendor
	$(PY) tools/i18n_build.py
	touch $@

book: $(BOOK_STAMP)
	@echo "The book is in _build/html (en/ and zh-cn/). Open file://$(CURDIR)/_build/html/index.html"
	@echo "or run 'make serve' and open http://127.0.0.1:$(PORT)/"

serve: book
	@echo "Serving _build/html on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

# The catalogues follow the English text: a clean extraction (into a fresh folder, never
# a stale .pot) and `sphinx-intl update`; then the check (fuzzy, untranslated, dropped
# roles/links/math/code) that `make test` runs too (tests/test_i18n_check.py).
i18n: setup
	$(PY) tools/i18n_check.py --update

i18n-check: setup
	$(PY) tools/i18n_check.py

# Two workers (pytest-xdist), each running whole files (--dist loadfile: a notebook's cells
# in order, a module's fixtures once); TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
# OMP_WAIT_POLICY=PASSIVE (unless set): threads waiting for each other sleep instead of
# spinning, so a run with OMP_NUM_THREADS=2 does not starve itself on a shared 2-core
# machine (it changes no arithmetic; tests/test_numeric_setups.py has the measurement).
test: setup assets
	OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-PASSIVE} $(PY) -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

# `make test` derandomizes every property test (profile 'ci', root conftest.py), so it
# cannot fail by chance. This target explores: random examples, five times as many, one
# run per seed in SEED (printed, so a failure can be replayed with the same SEED).
SEED ?=
test-explore: setup
	seeds="$(SEED)"; [ -n "$$seeds" ] || seeds=$$RANDOM; failed=""; \
	for seed in $$seeds; do \
		echo "== hypothesis profile 'explore', seed $$seed"; \
		$(PY) -m pytest tests -m hypothesis -q -p no:cacheprovider \
			--hypothesis-profile=explore --hypothesis-seed=$$seed || failed="$$failed $$seed"; \
	done; \
	[ -z "$$failed" ] || { echo "test-explore: failed with seed(s)$$failed" >&2; exit 1; }

# Re-execute notebooks in place under tools/notebook_env.py (the env nbval checks with),
# storing outputs and widget state. NB=notebooks/x.ipynb runs just that one.
notebooks: setup
	$(PY) tools/execute_notebooks.py $(NB)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Loop vs vectorized vs PyTorch's native pooling, one thread, five workloads (a few
# minutes): prints the table and writes pooling_book/bench_results/pooling.json (package
# data, so the installed package plots it too) for the book; then the explorer's redraw
# time per control change -> bench/results/widgets.json.
# The chapter "From loops to vectors" plots and quotes that file, so it is
# re-executed with the new numbers (nbval would otherwise fail on its stored outputs).
bench: setup
	$(PY) bench/bench_pooling.py
	$(PY) bench/bench_widgets.py
	$(PY) tools/execute_notebooks.py notebooks/loops_to_vectors.ipynb

# Exercises (otter-grader): masters in exercises/masters -> student release, solutions,
# autograders and sample submissions in $(EXERCISES); the release is also copied to
# book/exercises (the published pages, opened by Binder).
EXERCISES ?= _build/exercises
GRADES ?= _build/grades
GRADE_FLAGS ?=
exercises: setup
	$(PY) exercises/build.py --out $(EXERCISES) --publish book/exercises
	$(PY) exercises/samples.py --build $(EXERCISES) --out $(EXERCISES)/samples

# The grader is the package pooling_grader (the pooling-grade command it installs). Student
# code runs only in a bubblewrap sandbox (Debian package bubblewrap); without bwrap it
# refuses unless GRADE_FLAGS=--no-sandbox (see book/teachers.md).
grade: setup
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of notebooks>"; exit 2; }
	@test -d "$(EXERCISES)/autograder" || { echo "no autograders: run 'make exercises' first"; exit 2; }
	$(PY) -m pooling_grader "$(SUBMISSIONS)" --autograders "$(EXERCISES)/autograder" --out "$(GRADES)" $(GRADE_FLAGS)

# Throughput of make grade: N generated submissions graded two at a time, notebooks per minute.
N ?= 60
grade-bench: setup
	$(PY) tools/grade_bench.py --n $(N)

# Every hostile sample (exercises/samples.py) through the Gradescope autograder's fallback, the
# path of containers that refuse bubblewrap (student code as a uid of its own: run as root), in
# Gradescope-shaped temporary folders: expected scores, review flags, no trace, one table row
# each. make test runs three of them (tests/test_grader_gradescope.py); this, all (minutes).
grade-gradescope: setup
	$(PY) exercises/gradescope_corpus.py $(GS_FLAGS)

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis

distclean: clean
	rm -rf $(VENV) node_modules
