# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
# The CPU build on local disk. Installing it first keeps pip from pulling a multi-GB CUDA build
# to satisfy pyproject's torch range.
TORCH_VERSION := 2.13.0
DEMO_DB ?= demo.db

.PHONY: install demo test lint

install:
	@$(PYTHON) -c "import torch" 2>/dev/null || $(PIP) install --quiet "torch==$(TORCH_VERSION)"
	$(PIP) install --quiet -e ".[test]"

demo: install
	advisor plugins list
	advisor bench --family gmm --family kde --dataset ring8 --dataset grid25 --seeds 1 --budget smoke --db $(DEMO_DB)
	advisor results list --db $(DEMO_DB)

test: install
	$(PYTHON) -m pytest -q

lint: install
	$(PYTHON) -m ruff check advisor plugins tests benchmarks
	$(PYTHON) -m ruff format --check advisor plugins tests benchmarks
