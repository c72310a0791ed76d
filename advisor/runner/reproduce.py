"""Re-measuring stored cells, and judging each headline metric against the stored seed spread.

A number deserves trust when it reproduces. `reproduce` re-runs the cells of chosen stored runs into
a scratch store (never the one being checked) through the bench service, then compares, metric by
metric, the re-measured value with the stored run's value and with the stored seed spread of that
family, sampler, dataset and budget: within the spread when it lies in the seed mean ± two standard
deviations (with one stored seed, only an equal value is within). Headline metrics are the quality
and likelihood metrics (by their `MetricSpec.category`); costs depend on the machine by nature and
are not judged. Where the machines differ, the facts that explain a difference (CPU model, torch's
CPU capability, threads, deterministic algorithms) are set side by side.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError
from advisor.seednoise import reproduces_within_spread
from advisor.store import read
from advisor.store.cells import Cell
from advisor.store.status import MetricFlag, RunStatus
from advisor.variants import parse_variant

if TYPE_CHECKING:
    from advisor.plugins import Registry
    from advisor.runner.local import CellResult
    from advisor.store.engine import Store

__all__ = ["Draw", "MetricCheck", "Reproduction", "choose_runs", "reproduce"]

_EQUAL = 1e-9  # relative tolerance for "identical" (the same machine reproduces bit for bit)
HEADLINE_CATEGORIES = ("quality", "likelihood")


@dataclass(frozen=True)
class MetricCheck:
    """One metric of one reproduced run: stored, seed spread, re-measured, verdict."""

    metric: str
    stored: float
    seed_mean: float
    seed_std: float
    seeds: int
    remeasured: float | None
    verdict: str  # identical | within spread | outside spread | not re-measured

    @property
    def outside(self) -> bool:
        """The re-measured value does not look like another seed of the stored ones."""
        return self.verdict in ("outside spread", "not re-measured")


@dataclass
class Reproduction:
    """A stored run, the run that re-measured it, and how each headline metric compares."""

    run_id: int
    family: str
    sampler: str
    dataset: str
    seed: int
    budget: str
    remeasured_run_id: int | None
    status: str
    checks: list[MetricCheck] = field(default_factory=list)
    machine: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {"stored", "remeasured"}

    @property
    def reproduces(self) -> bool:
        """Every headline metric is identical or within the stored seed spread."""
        return self.status == RunStatus.COMPLETE and not any(check.outside for check in self.checks)


@dataclass(frozen=True)
class Draw:
    """The runs a `--sample` drew, and why the runs left out of the draw could not be re-run here."""

    run_ids: list[int]
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> number of runs


def choose_runs(
    conn: Any,
    *,
    sample: int,
    families: Sequence[str] = (),
    datasets: Sequence[str] = (),
    seed: int = 0,
    installed: Collection[str] | None = None,
    bundled: Collection[str] | None = None,
) -> Draw:
    """`sample` runs drawn at random (reproducibly, by `seed`) within the filters, among the runs the
    store answers with: the latest COMPLETE run of each cell and sampler (a run a re-run superseded is
    history, checked only when asked for by id). Runs this machine cannot re-run are left out of the
    draw and counted by reason: a family not in `installed` (a plugin of another environment; a
    variant counts by its base family) or a dataset not in `bundled` (a user's file, which the store
    does not keep, or a dataset plugin not installed); `None` allows every one."""
    latest = read.latest_complete_runs(conn, read.Scope(datasets=tuple(datasets) or None))
    candidates: list[int] = []
    left_out: Counter[str] = Counter()
    for run_id, family, _sampler, dataset, _seed in latest:
        if families and family not in families:
            continue
        if installed is not None and parse_variant(family)[0] not in installed:
            left_out[f"family {family!r} is not installed here"] += 1
        elif bundled is not None and dataset not in bundled:
            left_out[f"dataset {dataset!r} is not available here (a user's file, or a plugin's not installed)"] += 1
        else:
            candidates.append(run_id)
    if not candidates:
        reasons = "".join(f"; {count} left out: {reason}" for reason, count in left_out.items())
        raise InputError(f"no COMPLETE run matches that can be re-run here{reasons}; see `advisor results list`")
    return Draw(sorted(random.Random(seed).sample(candidates, min(sample, len(candidates)))), dict(left_out))


def _verdict(stored: float, mean: float, std: float, seeds: int, value: float | None) -> str:
    if value is None:
        return "not re-measured"
    if math.isclose(value, stored, rel_tol=_EQUAL, abs_tol=_EQUAL):
        return "identical"
    if reproduces_within_spread(value, mean, std, seeds):
        return "within spread"
    return "outside spread"


def reproduce(
    store: Store,
    scratch: Store,
    registry: Registry,
    run_ids: Sequence[int],
    *,
    jobs: int = 1,
    on_start: Callable[[Cell], None] = lambda cell: None,
    on_done: Callable[[CellResult], None] = lambda result: None,
) -> list[Reproduction]:
    """Re-run the cells of `run_ids` (runs of `store`) into `scratch` and compare their headline metrics."""
    from advisor.budgets import get_budget
    from advisor.evaluate.provenance import MACHINE_KEYS, resolve_device
    from advisor.runner.cells import resolve_datasets
    from advisor.runner.service import BenchSettings, run_bench

    specs = registry.metric_specs()
    headline = {name for name, spec in specs.items() if spec.category in HEADLINE_CATEGORIES}
    with store.connect() as conn:
        stored = read.list_runs(conn, ids=run_ids, details=True)
        missing = sorted(set(run_ids) - {run["id"] for run in stored})
        if missing:
            raise InputError(f"no run with id {', '.join(map(str, missing))}; see `advisor results list`")
        spreads = {
            (run["family"], run["sampler"], run["dataset"], run["budget"]): {
                row.metric: row
                for row in read.latest_complete_metrics(
                    conn, headline, read.Scope(budget=run["budget"], datasets=(run["dataset"],))
                )
                if (row.family, row.sampler) == (run["family"], run["sampler"])
            }
            for run in stored
        }
    for run in stored:
        if run["status"] != RunStatus.COMPLETE:
            raise InputError(f"run {run['id']} is {run['status']}: only COMPLETE runs have numbers to reproduce")
        if run["dataset"] not in registry.datasets:
            raise InputError(
                f"run {run['id']} measured {run['dataset']!r}, a user's file the store does not keep; re-run it "
                "with `advisor bench --data FILE --rerun`"
            )
        registry.family(run["family"])  # refuses a family no longer installed
    cells = sorted({Cell(r["family"], r["dataset"], r["seed"], r["budget"]) for r in stored}, key=repr)
    datasets = resolve_datasets(registry, sorted({c.dataset for c in cells}))
    by_budget: dict[str, list[Cell]] = {}
    for cell in cells:
        by_budget.setdefault(cell.budget, []).append(cell)
    device = resolve_device("cuda" if any(r["device"] == "cuda" for r in stored) else "cpu")
    results: dict[tuple[Cell, str], Any] = {}
    for budget, budget_cells in by_budget.items():
        settings = BenchSettings(budget=get_budget(budget), device=device, jobs=jobs, rerun=True)
        report = run_bench(
            scratch,
            registry,
            budget_cells,
            datasets,
            settings,
            command=f"advisor results reproduce (runs of {store.location})",
            on_start=on_start,
            on_done=on_done,
        )
        for result in report.results:
            for run_id, outcome in zip(result.run_ids, result.outcomes, strict=True):
                results[(result.cell, outcome.sampler)] = (run_id, outcome)
    reproductions = []
    for run in sorted(stored, key=lambda r: r["id"]):
        cell = Cell(run["family"], run["dataset"], run["seed"], run["budget"])
        new_id, outcome = results.get((cell, run["sampler"]), (None, None))
        values = {m.name: m.value for m in outcome.metrics if m.flag == MetricFlag.OK} if outcome else {}
        spread = spreads[(run["family"], run["sampler"], run["dataset"], run["budget"])]
        checks = []
        for name in sorted(headline & set(run["metrics"])):
            value = run["metrics"][name]
            if value["flag"] != MetricFlag.OK or name not in spread:
                continue
            row = spread[name]
            remeasured = values.get(name)
            verdict = _verdict(value["value"], row.mean, row.std, row.n, remeasured)
            checks.append(MetricCheck(name, value["value"], row.mean, row.std, row.n, remeasured, verdict))
        old = run["provenance"] or {}
        new = outcome.provenance if outcome else {}
        reproductions.append(
            Reproduction(
                run_id=run["id"],
                family=run["family"],
                sampler=run["sampler"],
                dataset=run["dataset"],
                seed=run["seed"],
                budget=run["budget"],
                remeasured_run_id=new_id,
                status=str(outcome.status) if outcome else "not run",
                checks=checks,
                machine={
                    key: {"stored": old.get(key), "remeasured": new.get(key)}
                    for key in MACHINE_KEYS
                    if old.get(key) != new.get(key)
                },
            )
        )
    return reproductions
