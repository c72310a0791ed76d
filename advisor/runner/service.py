"""The one bench service: record the catalog and the bench, recover, skip what is done, run, record.

`advisor bench`, `advisor recommend --data` and any later caller (a service, a notebook) measure
through `run_bench`, so every bench is logged in the store (`advisor db info`), runs left RUNNING by
a bench that died are marked INTERRUPTED and run again, cells already COMPLETE are skipped unless
re-run, and each cell's outcomes land in one transaction. Callers only choose the cells and show
progress.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from advisor.runner.cells import pending_cells
from advisor.runner.local import STALE_AFTER_S, CellResult, DaskExecutor, LocalExecutor
from advisor.store.cells import Cell, record_bench, recover_interrupted, sync_catalog

if TYPE_CHECKING:
    from advisor.budgets import Budget
    from advisor.data.base import Dataset
    from advisor.plugins import Registry
    from advisor.store.engine import Store

__all__ = ["BenchSettings", "BenchReport", "run_bench"]


@dataclass(frozen=True)
class BenchSettings:
    """How to run a bench: the budget every cell gets, where, how many at once, and what to redo.

    `jobs` None means one local process, or every worker thread of a dask cluster. `deadline` is a
    `time.monotonic()` instant after which no further cell starts.
    """

    budget: Budget
    device: str
    jobs: int | None = None
    scheduler: str | None = None  # a dask scheduler address: run on that cluster instead of locally
    rerun: bool = False
    deadline: float | None = None
    plugins_dir: str | None = None


@dataclass
class BenchReport:
    """What a bench did: the cells it ran, and what it skipped or recovered first."""

    results: list[CellResult]
    already_complete: int
    recovered: int
    run_ids: list[int] = field(default_factory=list)


def run_bench(
    store: Store,
    registry: Registry,
    cells: Sequence[Cell],
    datasets: Mapping[str, Dataset],
    settings: BenchSettings,
    *,
    command: str,
    on_ready: Callable[[BenchReport], None] = lambda report: None,
    admit: Callable[[Cell], bool] = lambda cell: True,
    on_start: Callable[[Cell], None] = lambda cell: None,
    on_done: Callable[[CellResult], None] = lambda result: None,
    log: bool = True,
) -> BenchReport:
    """Run `cells` into `store` through the whole bench procedure; `command` is logged with the bench.

    `on_ready` sees the report before any cell starts (how many were already complete or recovered);
    a cell `admit` refuses when its turn comes is not started. `log` False leaves the bench out of the
    store's log (a later round of a measurement already logged).
    """
    from advisor.evaluate.provenance import git_revision

    sync_catalog(store, registry, sorted({c.family for c in cells}), datasets)
    if log:  # a caller running one measurement in rounds (a race) logs it once
        record_bench(
            store,
            {
                "command": command,
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "host": socket.gethostname(),
                "git_revision": git_revision(),
                "cells": len(cells),
                "budget": settings.budget.name,
            },
        )
    todo = list(cells) if settings.rerun else pending_cells(store, registry, cells)
    report = BenchReport([], len(cells) - len(todo), recover_interrupted(store, STALE_AFTER_S))
    on_ready(report)
    if settings.scheduler:
        pool = DaskExecutor(registry, settings.plugins_dir, settings.scheduler, settings.jobs)
    else:
        pool = LocalExecutor(registry, settings.plugins_dir, settings.jobs or 1)
    report.results = pool.run(
        store,
        todo,
        datasets,
        settings.budget,
        settings.device,
        rerun=settings.rerun,
        deadline=settings.deadline,
        admit=admit,
        on_start=on_start,
        on_done=on_done,
    )
    report.run_ids = [run_id for result in report.results for run_id in result.run_ids]
    return report
