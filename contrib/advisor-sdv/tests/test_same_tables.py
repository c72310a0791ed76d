"""The peers train on the very rows the built-ins train on: this venv (SDV pins pandas<3) reads, types and
splits every table as the core's interpreter (pandas 3) does, or the peers would be measured on other data."""

import json
import subprocess
import sys

import pytest

SPLITS = """
import hashlib, json
from advisor.budgets import get_budget
from advisor.plugins import load_registry
registry = load_registry()
digests = {}
for name, entry in sorted(registry.datasets.items()):
    if entry.obj.card.kind != "tabular":
        continue
    split = registry.dataset(name)().split(get_budget("quick"), 0)
    digests[name] = hashlib.sha256(split.train.tobytes() + split.test.tobytes()).hexdigest()
print(json.dumps(digests))
"""


def test_every_table_splits_to_the_same_rows_here_and_in_the_core_interpreter():
    core = sys._base_executable  # the interpreter this venv was made from (--system-site-packages)
    if core == sys.executable:
        pytest.skip("not in a venv: nothing to compare with")
    here = json.loads(subprocess.run([sys.executable, "-c", SPLITS], capture_output=True, text=True, check=True).stdout)
    there = json.loads(subprocess.run([core, "-c", SPLITS], capture_output=True, text=True, check=True).stdout)
    assert {"wine", "penguins", "breast-cancer"} <= set(here)
    differ = sorted(name for name in set(here) | set(there) if here.get(name) != there.get(name))
    assert not differ, f"read differently here and in {core}: {differ}"
