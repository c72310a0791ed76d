"""Measuring the candidate families on the user's own data for `advisor recommend --data`."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import click

from advisor.errors import InputError

__all__ = ["Duration", "Measurement", "measure_user_data"]


class Duration(click.ParamType):
    """A duration such as 90, 90s, 10m or 1.5h, in seconds."""

    name = "duration"
    _UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        """Parse `value` into seconds, failing with a usage error."""
        if isinstance(value, (int, float)):
            return float(value)
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", str(value))
        if not match:
            self.fail(f"{value!r} is not a duration; use e.g. 90s, 10m or 1h", param, ctx)
        if float(match.group(1)) <= 0:
            self.fail(f"{value!r}: the time limit must be longer than zero", param, ctx)
        return float(match.group(1)) * self._UNITS[match.group(2)]


@dataclass
class Measurement:
    """What was measured on the user's data, and what was not."""

    dataset: str
    kind: str
    store: str
    cells_planned: int
    cells_run: int
    not_measured: list[dict[str, str]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


def measure_user_data(
    registry: Any,
    needs: list,
    data_file: str,
    label_column: str | None,
    budget_name: str,
    seconds: float | None,
    jobs: int,
    db: str,
    store_samples: bool,
    plugins_dir: str | None,
    reference: Any,
) -> Measurement:
    """Validate the data, plan the cells that can answer, run what fits in `seconds`, into `db`."""
    from advisor.budgets import get_budget
    from advisor.evaluate.provenance import resolve_device
    from advisor.rules.engine import requirement_failures
    from advisor.runner import LocalExecutor, plan_cells, resolve_datasets
    from advisor.runner.planning import estimate_costs, fit_to_time
    from advisor.store import open_store
    from advisor.store.queries import cell_is_complete, sync_catalog

    datasets = resolve_datasets(registry, (), (data_file,), label_column)
    ((name, dataset),) = datasets.items()
    candidates = [
        f
        for f, entry in sorted(registry.families.items())
        if not requirement_failures(entry.obj.card.model_dump(mode="json"), needs)
        and dataset.card.kind in entry.obj.card.data_kinds
    ]
    if not candidates:
        raise InputError(f"no registered family meets {', '.join(n.name for n in needs)} on {dataset.card.kind} data")
    cells, _ = plan_cells(registry, candidates, datasets, range(3), budget_name)
    budget = get_budget(budget_name)
    if not store_samples:
        budget = budget.model_copy(update={"n_stored_samples": 0})  # the user's data never leaves as samples
    with open_store(db, create=True) as store:
        sync_catalog(store, registry, candidates, datasets)
        costs = estimate_costs([store, *([reference] if reference else [])], candidates, dataset.card.kind, budget_name)
        plan = fit_to_time(cells, costs, seconds, jobs)
        if seconds is not None:
            budget = budget.model_copy(update={"time_limit_s": min(budget.time_limit_s, seconds)})
        deadline = time.monotonic() + seconds if seconds is not None else None
        executor = LocalExecutor(registry, plugins_dir, jobs)
        results = executor.run(store, plan.cells, datasets, budget, resolve_device("auto"), deadline=deadline)
        seeds = {
            f: sum(1 for c in cells if c.family == f and cell_is_complete(store, c, registry.family(f).card.samplers))
            for f in candidates
        }
        location = store.location
    not_measured = [
        {
            "family": f,
            "reason": f"not measured: it did not fit the time limit (about {costs[f]:.0f} s per seed); "
            "raise --time-limit",
        }
        for f in candidates
        if seeds[f] == 0
    ]
    caveats = [f"{f}: only {n} of 3 seeds measured within the time limit" for f, n in seeds.items() if 0 < n < 3]
    return Measurement(name, dataset.card.kind, location, len(cells), len(results), not_measured, caveats)


def ranking_differences(mine: list[dict], reference: list[dict]) -> list[str]:
    """Sentences on where the ranking on the user's data differs from the reference datasets'."""

    def order(ranked: list[dict]) -> list[str]:
        return [r["label"] for r in ranked]

    a, b = order(mine), order(reference)
    if not a or not b:
        return []
    sentences = []
    if a[0] != b[0]:
        sentences.append(f"on your data the best is {a[0]}; on the reference datasets it is {b[0]}")
    else:
        sentences.append(f"both agree on the best: {a[0]}")
    shared = [c for c in a if c in b]
    moved = [f"{c} ({b.index(c) + 1} -> {a.index(c) + 1})" for c in shared if a.index(c) != b.index(c)]
    if moved:
        sentences.append("rank changes, reference -> your data: " + ", ".join(moved))
    return sentences
