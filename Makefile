# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
# The CPU build on local disk. Installing it first keeps pip from pulling a multi-GB CUDA build
# to satisfy pyproject's torch range.
TORCH_VERSION := 2.13.0
DEMO_DB ?= demo.db

.PHONY: install demo test test-fast lint results sdv-venv

install:
	@$(PYTHON) -c "import torch" 2>/dev/null || $(PIP) install --quiet "torch==$(TORCH_VERSION)"
	$(PIP) install --quiet -e ".[test,corpus]"

# The main job: answer from the shipped results.db (measured with `make results`).
demo: install
	advisor recommend --need exact-likelihood
	advisor recommend --need exact-likelihood --need fast-sampling
	advisor table

# Regenerate the shipped store: every built-in family on every dataset, 3 seeds, quick budget, and
# 10 seeds on the mode-counting mixtures (ring8, grid25), where instability is counted; the quality
# metrics' calibration (what `advisor table` grades by); the SDV synthesizers as peers on the
# tabular datasets, from a venv (SDV pins pandas<3; the core never imports it) with this checkout.
# Resumable: run it again after an interruption and it finishes the remaining cells. Packing
# leaves one self-contained file (no -wal/-shm) that installed copies can read.
RESULTS_DB ?= results.db
JOBS ?= 2
ADVISOR := $(PYTHON) -m advisor
BENCH := bench --budget quick --jobs $(JOBS) --device cpu --db $(RESULTS_DB)
SDV_VENV := tmp/sdv-venv
# A bench exits 1 when a run failed: a failure is a measurement (the store keeps it), so the
# regeneration goes on; any other exit status (bad input, a killed bench) stops it.
TOLERATE_FAILED_RUNS := || [ $$? -eq 1 ]
# The cheap, answer-changing steps come before the 7 extra seeds (~1.3 h), so an interrupted
# regeneration already grades, and already shows the peers.
results: sdv-venv
	$(ADVISOR) $(BENCH) --all --seeds 3 $(TOLERATE_FAILED_RUNS)
	$(ADVISOR) metrics calibrate --budget quick --seeds 3 --db $(RESULTS_DB)
	$(SDV_VENV)/bin/python -m advisor $(BENCH) -f sdv-copula -f sdv-ctgan -f sdv-tvae \
		-d wine -d breast-cancer -d penguins --seeds 3 $(TOLERATE_FAILED_RUNS)
	$(ADVISOR) $(BENCH) --all -d ring8 -d grid25 --seeds 10 $(TOLERATE_FAILED_RUNS)
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
