"""Planning bench cells and running one cell into the store.

A cell is fit once and evaluated for every sampler its family declares; each sampler is a run. The
runs are inserted as RUNNING before training starts (so a killed bench leaves a trace) and their
status, metrics and samples are written in one transaction when the cell ends.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.data.user import load_user_data
from advisor.evaluate.protocol import FAILED, RunOutcome, evaluate_cell
from advisor.store.queries import Cell, cell_is_complete, finish_runs, start_runs

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from advisor.budgets import Budget
    from advisor.data.base import Dataset
    from advisor.plugins import Registry
    from advisor.store.engine import Store

__all__ = ["Cell", "CellResult", "pending_cells", "plan_cells", "resolve_datasets", "run_cell"]


@dataclass(frozen=True)
class CellResult:
    """What running one cell produced: its run ids and outcomes, and how long it took."""

    cell: Cell
    run_ids: list[int]
    outcomes: list[RunOutcome]
    seconds: float


def resolve_datasets(
    registry: Registry, names: Sequence[str], data_files: Sequence[str] = (), label_column: str | None = None
) -> dict[str, Dataset]:
    """Dataset instances by name: registered datasets `names` plus the user's `data_files` (validated)."""
    datasets = {name: registry.dataset(name)() for name in names}
    for path in data_files:
        dataset = load_user_data(path, label_column)
        datasets[dataset.card.name] = dataset
    return datasets


def plan_cells(
    registry: Registry, families: Sequence[str], datasets: Mapping[str, Dataset], seeds: Sequence[int], budget: str
) -> tuple[list[Cell], list[str]]:
    """Every applicable (family, dataset, seed) cell, and a note for each combination skipped."""
    cells, skipped = [], []
    for family in families:
        card = registry.family(family).card
        for name, dataset in datasets.items():
            kind = dataset.card.kind
            if kind not in card.data_kinds:
                skipped.append(f"{family} x {name}: the family does not support {kind!r} data")
                continue
            cells.extend(Cell(family, name, seed, budget) for seed in seeds)
    return cells, skipped


def pending_cells(store: Store, registry: Registry, cells: Sequence[Cell]) -> list[Cell]:
    """The cells of `cells` that do not yet have a COMPLETE run for every sampler."""
    return [c for c in cells if not cell_is_complete(store, c, registry.family(c.family).card.samplers)]


def run_cell(store: Store, registry: Registry, cell: Cell, dataset: Dataset, budget: Budget, device: str) -> CellResult:
    """Evaluate `cell` on `dataset` in this process and record its runs in `store`."""
    samplers = registry.family(cell.family).card.samplers
    start = time.perf_counter()
    run_ids = start_runs(store, cell, samplers, device)
    try:
        outcomes = evaluate_cell(registry, cell.family, dataset, budget, cell.seed, device)
    except Exception as exc:  # noqa: BLE001 - a harness-side failure (e.g. a dataset plugin) fails the cell
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"evaluation raised {type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})"
        outcomes = [RunOutcome(s, FAILED, reason) for s in samplers]
    except BaseException:
        finish_runs(store, run_ids, [RunOutcome(s, "INTERRUPTED", "the bench was interrupted") for s in samplers])
        raise
    finish_runs(store, run_ids, outcomes)
    return CellResult(cell, run_ids, outcomes, time.perf_counter() - start)
