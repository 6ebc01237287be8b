# kanrepro — one command per job. Nobody activates anything: every tool runs from .venv/bin.
#   make reproduce    build .venv (once), run every notebook with its defaults, render reports/index.html
#   make smoke        the same with tiny parameters (configs/smoke.yaml) into reports/smoke/, for a quick look
#   make test         the test suite (pytest); make lint: ruff with the rule set in pyproject.toml
#   make lab          JupyterLab on notebooks/
#   make bench        speed/memory benchmarks -> reports/bench.json
#   make data         rebuild the census knot dataset (long); make data-random: the random-diagram one (longer,
#                     resumable); make verify-data: spot-check both
#   make lock         refresh requirements.lock (exact versions) from pyproject.toml's ranges
#   make sync         regenerate notebooks/*.ipynb from their paired py:percent files (after editing a .py)
#   make clean        remove generated reports; make distclean also removes .venv
SHELL := /bin/bash
.DELETE_ON_ERROR:
# Python writes the bytecode of each module it imports, once: uv installs none, and where PYTHONDONTWRITEBYTECODE
# is set (this machine, so likely CI) every process compiled every module it imported again (import kan: 23 CPU s
# instead of 7), in every notebook kernel and pykan worker; compiling all of site-packages at install took 2 min
unexport PYTHONDONTWRITEBYTECODE

# interpreter used to create .venv (3.11+)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# rebuilt when pyproject.toml changes
STAMP := $(VENV)/.installed
# optional extra index for torch, e.g. https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
PIP_EXTRA := $(if $(strip $(TORCH_INDEX)),--extra-index-url $(strip $(TORCH_INDEX)),)
# where executed notebooks, figures, results and index.html land
REPORTS ?= reports
NOTEBOOK_DIR ?= notebooks
NOTEBOOKS := $(sort $(wildcard $(NOTEBOOK_DIR)/[0-9]*.ipynb))
# the slowest notebook starts first and the short ones come last, so the two jobs finish together; 08 reads
# back the runs 03-05 made on DeepMind's split (kanrepro/train/run_cache.py), so 03 and 05 come early and 08 waits
SLOW_FIRST := $(foreach stem,04_kan_knot 03_deepmind_mlp 05_tiny_mlps 09_formula_discovery 10_knot_relations 06_pareto 08_seen_unseen 07_dataset_sensitivity,$(filter $(NOTEBOOK_DIR)/$(stem).ipynb,$(NOTEBOOKS)))
RUN_ORDER := $(SLOW_FIRST) $(filter-out $(SLOW_FIRST),$(NOTEBOOKS))
# make's targets: stamps the runner writes last, and only for a run with the notebook's default parameters
EXECUTED := $(patsubst $(NOTEBOOK_DIR)/%.ipynb,$(REPORTS)/stamps/%.default,$(RUN_ORDER))
PACKAGE_SOURCES := $(shell find kanrepro -name '*.py' 2>/dev/null)
DATA_FILES := $(wildcard data/*.csv.gz data/*.json)
SMOKE_CONFIG ?= configs/smoke.yaml

.PHONY: reproduce notebooks-executed smoke test lint lock lab kernel bench data data-random verify-data sync clean distclean venv

# notebooks run side by side, JOBS at a time, each on one thread: torch's and OpenBLAS's worker threads spin
# while they wait, so a second thread per notebook fights the other notebook for the cores (beside one busy
# process, one DeepMind-protocol KAN run of notebook 04 took 11.1 s with the default threads and 2.9 s with
# one; make reproduce on 160,750 draws took 16 min 43 s with the default)
JOBS ?= 2
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

reproduce: $(STAMP)
	$(MAKE) --no-print-directory -j$(JOBS) notebooks-executed
	$(PY) -m kanrepro.pipeline.report --reports $(REPORTS)

notebooks-executed: $(EXECUTED)

# The runner writes the stamp last and only on success with default parameters (a failure leaves
# <stem>.failed.ipynb; a run with other parameters, or results written by hand or in JupyterLab, remove it),
# so neither a failed run nor a smoke or hand run ever looks like the up-to-date default result.
$(REPORTS)/stamps/%.default: $(NOTEBOOK_DIR)/%.ipynb $(PACKAGE_SOURCES) $(DATA_FILES) $(STAMP)
	$(ONE_THREAD) $(PY) -m kanrepro.pipeline.run $< --reports $(REPORTS)

# notebook 08 waits for 03-05, whose runs it reads back
$(REPORTS)/stamps/08_seen_unseen.default: | $(filter $(patsubst %,$(REPORTS)/stamps/%.default,03_deepmind_mlp 04_kan_knot 05_tiny_mlps),$(EXECUTED))

smoke: $(STAMP)
	@for notebook in $(NOTEBOOKS); do \
	  $(ONE_THREAD) $(PY) -m kanrepro.pipeline.run $$notebook -c $(SMOKE_CONFIG) --reports $(REPORTS)/smoke || exit 1; \
	done
	$(PY) -m kanrepro.pipeline.report --reports $(REPORTS)/smoke

test: $(STAMP)
	$(PY) -m pytest -q

# ruff with the rule set in pyproject.toml (pyflakes, pycodestyle, isort, bugbear, pyupgrade; 120 columns)
lint: $(STAMP)
	$(VENV)/bin/ruff check .

venv: $(STAMP)

# the venv holds exactly the versions in requirements.lock, then the package itself (editable; on another
# platform the installer adds what that platform needs beyond the lock, e.g. macOS's appnope). uv (pinned in
# the lock) installs it: 16 s against pip's 99 s on a fresh 2-core machine. uv reads no pip.conf, so it gets
# pip's configured sources (indexes, find-links: local wheels such as a CPU torch), read once the venv's pip
# exists; if uv cannot be had or fails, pip installs the same lock.
PIP_SOURCES = for key in index-url extra-index-url find-links; do \
  for value in $$($(PY) -m pip config get global.$$key 2>/dev/null); do echo "--$$key $$value"; done; done
UV_INSTALL = $(VENV)/bin/uv pip install --python $(PY) --index-strategy unsafe-best-match $$sources $(PIP_EXTRA)
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(PIP_EXTRA) $$(grep '^uv==' requirements.lock) || echo "no uv: pip installs"
	sources=$$($(PIP_SOURCES)); \
	if [ -x $(VENV)/bin/uv ] && $(UV_INSTALL) -r requirements.lock && $(UV_INSTALL) -e '.[dev]'; then :; else \
	  $(PY) -m pip install --quiet --upgrade pip && \
	  $(PY) -m pip install $(PIP_EXTRA) -r requirements.lock && \
	  $(PY) -m pip install $(PIP_EXTRA) -e '.[dev]'; fi
	touch $@

# refresh requirements.lock: resolve pyproject.toml's ranges in a fresh venv and freeze what it installed
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet $(PIP_EXTRA) -e '.[dev]'
	{ grep '^#' requirements.lock; .lock-venv/bin/python -m pip freeze --exclude-editable \
	  | sed 's/^torch==\([^+]*\)+cpu$$/torch==\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

# JupyterLab on the notebooks (as root too: containers and CI run as root); LAB_ARGS e.g. --port=8899 --no-browser
LAB_ARGS ?=
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(NOTEBOOK_DIR) $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

# register .venv as a Jupyter kernel for a JupyterLab installed elsewhere
kernel: $(STAMP)
	$(PY) -m ipykernel install --user --name kanrepro --display-name "Python (kanrepro)"

bench: $(STAMP)
	$(PY) benchmarks/bench_models.py
	$(PY) benchmarks/bench_knots.py --n 50 --crosscheck 100
	$(PY) benchmarks/bench_random_knots.py --n 60
	@cat $(REPORTS)/bench.json

# every hyperbolic knot of at most 13 crossings + mirrors; resumable (kill it, run it again), ~2.5 CPU-hours
data: $(STAMP)
	$(PY) -m kanrepro.knots build --max-crossings 13 --workers 2 --out data/knots_le13.csv.gz

# random-diagram knots with DeepMind's distribution (repeats kept); resumable (in a fresh checkout from the
# shipped file's rows), lands the finished prefix of chunks
RANDOM_DRAWS ?= 243700
RANDOM_FILE := data/knots_random.csv.gz
data-random: $(STAMP)
	$(PY) -m kanrepro.knots random --draws $(RANDOM_DRAWS) --workers 2 --out $(RANDOM_FILE) --chunks data/build/chunks \
	  $(if $(wildcard $(RANDOM_FILE)),--resume-from $(RANDOM_FILE),)

# rebuild a seeded sample of rows from SnapPy and compare with the shipped files
verify-data: $(STAMP)
	$(PY) -m kanrepro.knots verify --sample 20 --seed 0
	$(PY) -m kanrepro.knots verify --sample 20 --seed 0 --data data/knots_random.csv.gz

sync: $(STAMP)
	$(VENV)/bin/jupytext --sync $(NOTEBOOK_DIR)/[0-9]*.py

clean:
	rm -rf $(REPORTS) .pytest_cache .hypothesis

distclean: clean
	rm -rf $(VENV)
