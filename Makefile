# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
# The CPU build on local disk. Installing it first keeps pip from pulling a multi-GB CUDA build
# to satisfy pyproject's torch range.
TORCH_VERSION := 2.13.0
DEMO_DB ?= demo.db

.PHONY: install demo test test-fast lint results results-bench results-calibration results-peers results-seeds results-pack sdv-venv

install:
	@$(PYTHON) -c "import torch" 2>/dev/null || $(PIP) install --quiet "torch==$(TORCH_VERSION)"
	$(PIP) install --quiet -e ".[test,corpus]"

# The main job: answer from the shipped results.db (measured with `make results`).
demo: install
	advisor recommend --need exact-likelihood
	advisor recommend --need exact-likelihood --need fast-sampling
	advisor table

# Regenerate the shipped store, in parts that each resume where they stopped (run `make results` again,
# or one part): every built-in family on every dataset, the corpus's 30 tables included (the `corpus`
# extra that `install` brings), 3 seeds, quick budget; the quality metrics' calibration on each (what
# `advisor table` and best-quality answers grade by); the SDV synthesizers as peers on every table,
# from a venv (SDV pins pandas<3; the core never imports it) with this checkout; 10 seeds on the
# mode-counting mixtures (ring8, grid25), where instability is counted. Packing leaves one
# self-contained file (no -wal/-shm) that installed copies can read.
RESULTS_DB ?= results.db
JOBS ?= 2
ADVISOR := $(PYTHON) -m advisor
BENCH := bench --budget quick --jobs $(JOBS) --device cpu --db $(RESULTS_DB)
SDV_VENV := tmp/sdv-venv
# A bench exits 1 when a run failed: a failure is a measurement (the store keeps it), so the
# regeneration goes on; any other exit status (bad input, a killed bench) stops it.
TOLERATE_FAILED_RUNS := || [ $$? -eq 1 ]
# The cheap, answer-changing parts come before the 7 extra seeds, so an interrupted regeneration
# already grades, and already shows the peers.
results: results-bench results-calibration results-peers results-seeds results-pack

results-bench: install
	$(ADVISOR) $(BENCH) --all --seeds 3 $(TOLERATE_FAILED_RUNS)

results-calibration: install
	$(ADVISOR) metrics calibrate --budget quick --seeds 3 --db $(RESULTS_DB)

results-peers: sdv-venv
	$(SDV_VENV)/bin/python -m advisor $(BENCH) -f sdv-copula -f sdv-ctgan -f sdv-tvae --all --data-kind tabular \
		--seeds 3 $(TOLERATE_FAILED_RUNS)

results-seeds: install
	$(ADVISOR) $(BENCH) --all -d ring8 -d grid25 --seeds 10 $(TOLERATE_FAILED_RUNS)

results-pack: install
	$(ADVISOR) db pack --drop-superseded-samples --db $(RESULTS_DB)

# The SDV peers' venv (used by `results` and CI): it sees the packages installed above (torch
# included) and runs this checkout's advisor, so SDV's pins never change the core's environment.
sdv-venv: install
	$(PYTHON) -m venv --system-site-packages $(SDV_VENV)
	$(SDV_VENV)/bin/python -m pip install --quiet --no-deps -e .
	$(SDV_VENV)/bin/python -m pip install --quiet -e contrib/advisor-sdv

test: install
	$(PYTHON) -m pytest -q

# The fast selection while working (about 1 min on 2 cores): every test but those marked slow (fits, benches).
test-fast: install
	$(PYTHON) -m pytest -q -m "not slow"

lint: install
	$(PYTHON) -m ruff check advisor plugins tests benchmarks
	$(PYTHON) -m ruff format --check advisor plugins tests benchmarks
