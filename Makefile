# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
# The CPU build on local disk. Installing it first keeps pip from pulling a multi-GB CUDA build
# to satisfy pyproject's torch range.
TORCH_VERSION := 2.13.0
DEMO_DB ?= demo.db

.PHONY: install demo test test-fast lint results sdv-venv judge

install:
	@$(PYTHON) -c "import torch" 2>/dev/null || $(PIP) install --quiet "torch==$(TORCH_VERSION)"
	$(PIP) install --quiet -e ".[test,corpus]"

# The main job: answer from the shipped results.db (measured with `make results`).
demo: install
	advisor recommend --need exact-likelihood
	advisor recommend --need exact-likelihood --need fast-sampling
	advisor table

# Regenerate the shipped store (benchmarks/regenerate.py has the parts): table by table, smallest
# first (the three bundled tables, then the corpus's 30, which the `corpus` extra that `install`
# brings), every built-in family and the SDV peers (from a venv: SDV pins pandas<3; the core never
# imports it), 3 seeds, quick budget, then the quality metrics' calibration on the table; then every
# family on the 2-D and image sets, 10 seeds on ring8/grid25, and packing into one self-contained file.
# Every part resumes where it stopped: run `make results` again. Each part's time goes to
# $(RESULTS_DB).regenerate.jsonl.
RESULTS_DB ?= results.db
JOBS ?= 2
SDV_VENV := tmp/sdv-venv

results: install sdv-venv
	$(PYTHON) benchmarks/regenerate.py --db $(RESULTS_DB) --jobs $(JOBS) --sdv-python $(SDV_VENV)/bin/python

# Judge the advice on the store's measured tables (docs/judging-advice.md): the prior with each table left
# out, and the race replayed at 2, 4 and 10 minutes. A few minutes: both read the store only.
judge: install
	$(PYTHON) benchmarks/leave_one_table_out.py --db $(RESULTS_DB) --budget quick --markdown
	$(PYTHON) benchmarks/racing.py --db $(RESULTS_DB) --time-limit 120 --time-limit 240 --time-limit 600

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
