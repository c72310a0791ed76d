"""Every read of the store, in SQL Core: the one read API rules, report, planning, CLI and serve use.

Nothing here imports the ORM, so answering a question costs SQL Core and the driver only. Functions
take a `Connection` from `Store.connect()`, so a caller that reads several things reads them in one
transaction (one consistent snapshot while a bench writes). Measurements are always those of the
latest COMPLETE run of each family, sampler, dataset, seed and budget (`schema.latest_complete_ids`):
a re-run replaces, never averages with, what it re-measured. Likewise a seed's outcome (COMPLETE or a
failure, for failure rates and caveats) is its latest final run (`schema.latest_final_ids`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, case, false, func, literal, null, or_, select

from advisor.errors import InputError, unknown_name
from advisor.store.schema import (
    calibration,
    datasets,
    families,
    latest_complete_ids,
    latest_final_ids,
    meta,
    metrics,
    runs,
    samples,
)
from advisor.store.secrets import masked_entry
from advisor.store.status import MetricFlag, RunStatus

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BENCH_LOG_KEY",
    "Scope",
    "MetricAggregate",
    "bench_log",
    "status_counts",
    "busiest_budget",
    "family_cards",
    "dataset_cards",
    "seeds_tried",
    "CostRecord",
    "run_counts",
    "trained_by_dataset",
    "complete_seeds",
    "devices",
    "latest_complete_metrics",
    "latest_complete_values",
    "latest_complete_runs",
    "cost_history",
    "has_complete_run",
    "complete_samplers",
    "list_runs",
    "get_run",
    "load_samples",
    "check_filters",
    "ReferenceReading",
    "calibration_readings",
]

BENCH_LOG_KEY = "bench_log"


@dataclass(frozen=True)
class Scope:
    """Which runs a question is about: a budget, some datasets (None: all of them), a device, some families
    (None: all of them), and optionally only each family's first seeds (`first_seeds`: (family, n) pairs, seeds
    0..n-1; families not named are left out), as a race that has run them would see the store, or every seed
    but one (`left_out_seed`: what the answer would be without it, `advisor.rules.seed_robust`)."""

    budget: str | None = None
    datasets: tuple[str, ...] | None = None
    device: str | None = None
    families: tuple[str, ...] | None = None
    first_seeds: tuple[tuple[str, int], ...] | None = None
    left_out_seed: int | None = None

    def where(self) -> list[Any]:
        """The scope as WHERE clauses on `runs`."""
        clauses: list[Any] = []
        if self.budget is not None:
            clauses.append(runs.c.budget == self.budget)
        if self.datasets is not None:
            clauses.append(runs.c.dataset.in_(sorted(self.datasets)))
        if self.device is not None:
            clauses.append(runs.c.device == self.device)
        if self.families is not None:
            clauses.append(runs.c.family.in_(sorted(self.families)))
        if self.first_seeds is not None:
            clauses.append(or_(false(), *(and_(runs.c.family == f, runs.c.seed < n) for f, n in self.first_seeds)))
        if self.left_out_seed is not None:
            clauses.append(runs.c.seed != self.left_out_seed)
        return clauses


@dataclass(frozen=True)
class MetricAggregate:
    """One metric of one candidate on one dataset, over the latest COMPLETE run of each seed."""

    family: str
    sampler: str
    dataset: str
    metric: str
    n: int
    mean: float
    mean_square: float
    #: mean and mean square over seeds of |value - reference|, for metrics compared by distance from one
    distance_mean: float | None = None
    distance_square: float | None = None

    @property
    def std(self) -> float:
        """Sample standard deviation over the seeds (0 with one seed)."""
        return _sample_std(self.n, self.mean, self.mean_square)

    @property
    def distance_std(self) -> float | None:
        """Sample standard deviation over the seeds of the distance from the reference."""
        if self.distance_mean is None or self.distance_square is None:
            return None
        return _sample_std(self.n, self.distance_mean, self.distance_square)


def _sample_std(n: int, mean: float, mean_square: float) -> float:
    if n < 2:
        return 0.0
    return math.sqrt(max(0.0, (mean_square - mean * mean) * n / (n - 1)))


def bench_log(conn: Connection) -> list[dict[str, Any]]:
    """Every recorded bench invocation, oldest first (how the store's runs were made).

    Passwords are masked as they are read too: a store written by an older advisor may hold one.
    """
    value = conn.execute(select(meta.c.value).where(meta.c.key == BENCH_LOG_KEY)).scalar()
    return [masked_entry(entry) for entry in json.loads(value)] if value else []


def status_counts(conn: Connection) -> dict[str, int]:
    """How many runs the store holds in each status."""
    rows = conn.execute(select(runs.c.status, func.count()).group_by(runs.c.status))
    return {str(status): n for status, n in rows}


def busiest_budget(conn: Connection) -> str | None:
    """The budget with the most COMPLETE runs: the default scope of every answer."""
    row = conn.execute(
        select(runs.c.budget, func.count())
        .where(runs.c.status == RunStatus.COMPLETE)
        .group_by(runs.c.budget)
        .order_by(func.count().desc(), runs.c.budget)
    ).first()
    return row[0] if row else None


def family_cards(conn: Connection) -> dict[str, dict]:
    """The card of every family the store has seen, as stored (JSON), by name."""
    return {name: card for name, card in conn.execute(select(families.c.name, families.c.card))}


def dataset_cards(conn: Connection) -> dict[str, dict]:
    """The card of every dataset the store has seen, as stored (JSON), by name."""
    return {name: card for name, card in conn.execute(select(datasets.c.name, datasets.c.card))}


def devices(conn: Connection, scope: Scope) -> list[str]:
    """The devices the COMPLETE runs in `scope` were measured on."""
    rows = conn.execute(select(runs.c.device).where(runs.c.status == RunStatus.COMPLETE, *scope.where()).distinct())
    return sorted(rows.scalars())


def complete_seeds(conn: Connection, scope: Scope) -> dict[str, tuple[int, ...]]:
    """Dataset -> the seeds of its COMPLETE runs in `scope`."""
    query = select(runs.c.dataset, runs.c.seed).where(runs.c.status == RunStatus.COMPLETE, *scope.where()).distinct()
    seeds: dict[str, list[int]] = {}
    for dataset, seed in conn.execute(query):
        seeds.setdefault(dataset, []).append(seed)
    return {dataset: tuple(sorted(found)) for dataset, found in sorted(seeds.items())}


def trained_by_dataset(conn: Connection, scope: Scope) -> dict[str, tuple[int, int, int, int]]:
    """Per dataset, the fewest and most optimizer steps and the smallest and largest batch that its latest
    COMPLETE runs in `scope` trained with, as their provenance records the budget (sized to each table's rows);
    datasets whose runs do not record it are left out."""
    latest = latest_complete_ids(*scope.where()).subquery()
    steps = runs.c.provenance[("budget", "train_steps")].as_integer()
    batch = runs.c.provenance[("budget", "batch_size")].as_integer()
    rows = conn.execute(
        select(runs.c.dataset, func.min(steps), func.max(steps), func.min(batch), func.max(batch))
        .select_from(latest)
        .join(runs, runs.c.id == latest.c.id)
        .group_by(runs.c.dataset)
    )
    return {dataset: (low, high, small, large) for dataset, low, high, small, large in rows if low is not None}


def run_counts(conn: Connection, scope: Scope) -> list[tuple[str, str, str, RunStatus, int]]:
    """(family, sampler, dataset, status, cells) in `scope`: each seed's outcome is its latest final run.

    Runs a re-run superseded (a TIMEOUT under load that then completed, or a `--rerun`) and runs that
    say nothing about the family (RUNNING, INTERRUPTED) are not counted.
    """
    latest = latest_final_ids(*scope.where()).subquery()
    rows = conn.execute(
        select(runs.c.family, runs.c.sampler, runs.c.dataset, runs.c.status, func.count())
        .join(latest, latest.c.id == runs.c.id)
        .group_by(runs.c.family, runs.c.sampler, runs.c.dataset, runs.c.status)
    )
    return [(family, sampler, dataset, RunStatus(status), n) for family, sampler, dataset, status, n in rows]


def seeds_tried(conn: Connection, dataset: str, budget: str) -> dict[str, int]:
    """Family -> how many seeds of it have a final outcome (COMPLETE or a failure) on `dataset` at `budget`:
    a family's sampler with the most counts (every sampler of a cell is measured by one fit)."""
    tried: dict[str, int] = {}
    per_sampler: dict[tuple[str, str], int] = {}
    for family, sampler, _dataset, status, n in run_counts(conn, Scope(budget=budget, datasets=(dataset,))):
        if status.is_final:
            per_sampler[family, sampler] = per_sampler.get((family, sampler), 0) + n
    for (family, _sampler), n in per_sampler.items():
        tried[family] = max(tried.get(family, 0), n)
    return tried


def latest_complete_metrics(
    conn: Connection, names: Iterable[str], scope: Scope, references: Mapping[str, float] | None = None
) -> list[MetricAggregate]:
    """Count, mean and mean square of each metric in `names`, per candidate and dataset, over seeds.

    Aggregated in SQL over the latest COMPLETE run of each seed, values flagged 'ok' only: one row per
    candidate, dataset and metric however many runs there are. For a metric in `references` (metric ->
    reference value) the distance from the reference is aggregated too, seed by seed, so that seeds on
    either side of it do not cancel.
    """
    latest = latest_complete_ids(*scope.where()).subquery()
    whens = [(metrics.c.name == name, literal(value)) for name, value in sorted((references or {}).items())]
    reference = case(*whens, else_=null()) if whens else null()
    distance = func.abs(metrics.c.value - reference)
    rows = conn.execute(
        select(
            runs.c.family,
            runs.c.sampler,
            runs.c.dataset,
            metrics.c.name,
            func.count(metrics.c.value),
            func.avg(metrics.c.value),
            func.avg(metrics.c.value * metrics.c.value),
            func.avg(distance),
            func.avg(distance * distance),
        )
        .select_from(latest)
        .join(runs, runs.c.id == latest.c.id)
        .join(metrics, metrics.c.run_id == latest.c.id)
        .where(metrics.c.flag == MetricFlag.OK.value, metrics.c.name.in_(sorted(set(names))))
        .group_by(runs.c.family, runs.c.sampler, runs.c.dataset, metrics.c.name)
    )
    return [
        MetricAggregate(
            family,
            sampler,
            dataset,
            name,
            int(n),
            float(mean),
            float(square),
            None if far is None else float(far),
            None if far_square is None else float(far_square),
        )
        for family, sampler, dataset, name, n, mean, square, far, far_square in rows
        if n
    ]


def latest_complete_values(conn: Connection, scope: Scope, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every 'ok' metric value (of `names`, or all) of the latest COMPLETE run of each seed in `scope`.

    Rows: run_id, family, sampler, dataset, seed, metric, value, kind; ordered by seed and run.
    """
    latest = latest_complete_ids(*scope.where()).subquery()
    wanted = [metrics.c.flag == MetricFlag.OK.value]
    if names is not None:
        wanted.append(metrics.c.name.in_(sorted(set(names))))
    rows = conn.execute(
        select(
            runs.c.id,
            runs.c.family,
            runs.c.sampler,
            runs.c.dataset,
            runs.c.seed,
            metrics.c.name,
            metrics.c.value,
            metrics.c.kind,
        )
        .select_from(latest)
        .join(runs, runs.c.id == latest.c.id)
        .join(metrics, metrics.c.run_id == latest.c.id)
        .where(*wanted)
        .order_by(runs.c.seed, runs.c.id)
    )
    keys = ("run_id", "family", "sampler", "dataset", "seed", "metric", "value", "kind")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def latest_complete_runs(conn: Connection, scope: Scope) -> list[tuple[int, str, str, str, int]]:
    """(run id, family, sampler, dataset, seed) of the latest COMPLETE run of each seed in `scope`."""
    latest = latest_complete_ids(*scope.where()).subquery()
    rows = conn.execute(
        select(runs.c.id, runs.c.family, runs.c.sampler, runs.c.dataset, runs.c.seed)
        .join(latest, latest.c.id == runs.c.id)
        .order_by(runs.c.id)
    )
    return [tuple(row) for row in rows]


@dataclass(frozen=True)
class CostRecord:
    """What one COMPLETE run cost, and on what shape of data (for planning within a time limit)."""

    family: str
    budget: str
    dataset: str
    seed: int
    kind: str | None  # the dataset's kind
    dims: int | None  # the dataset's (encoded) width
    size: int | None  # its rows; None for a generated dataset (the budget's data sizes)
    train_seconds: float
    cell_seconds: float | None  # the whole cell, started to finished (fit and evaluation); None if not recorded


def cost_history(conn: Connection, family_names: Sequence[str], budget: str | None = None) -> list[CostRecord]:
    """What every COMPLETE run of `family_names` at `budget` (None: any) cost, with its dataset's kind and shape."""
    cards = dataset_cards(conn)
    query = (
        select(
            runs.c.family,
            runs.c.budget,
            runs.c.dataset,
            runs.c.seed,
            metrics.c.value,
            runs.c.started_at,
            runs.c.finished_at,
        )
        .join(metrics, metrics.c.run_id == runs.c.id)
        .where(
            runs.c.status == RunStatus.COMPLETE,
            metrics.c.name == "train_seconds",
            metrics.c.value.is_not(None),
            runs.c.family.in_(list(family_names)),
        )
    )
    if budget is not None:
        query = query.where(runs.c.budget == budget)
    records = []
    for family, run_budget, dataset, seed, value, started, finished in conn.execute(query):
        card = cards.get(dataset) or {}
        cell = (finished - started).total_seconds() if started and finished else None
        shape = (card.get("kind"), card.get("dims"), card.get("size"))
        records.append(CostRecord(family, run_budget, dataset, seed, *shape, float(value), cell))
    return records


def has_complete_run(conn: Connection) -> bool:
    """Whether the store holds at least one COMPLETE run."""
    return conn.execute(select(runs.c.id).where(runs.c.status == RunStatus.COMPLETE).limit(1)).first() is not None


def complete_samplers(conn: Connection, family: str, dataset: str, seed: int, budget: str) -> set[str]:
    """The samplers of one cell that already have a COMPLETE run."""
    rows = conn.execute(
        select(runs.c.sampler).where(
            runs.c.family == family,
            runs.c.dataset == dataset,
            runs.c.seed == seed,
            runs.c.budget == budget,
            runs.c.status == RunStatus.COMPLETE,
        )
    )
    return set(rows.scalars())


def list_runs(
    conn: Connection,
    *,
    ids: Sequence[int] = (),
    families: Sequence[str] = (),
    datasets: Sequence[str] = (),
    budget: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    details: bool = False,
) -> list[dict[str, Any]]:
    """Runs matching the filters, newest first, as JSON-ready dicts with their metrics.

    `details` adds the fit report and provenance. `status` is a status name in any case.
    """
    query = select(runs).order_by(runs.c.id.desc())
    if ids:
        query = query.where(runs.c.id.in_(list(ids)))
    if families:
        query = query.where(runs.c.family.in_(list(families)))
    if datasets:
        query = query.where(runs.c.dataset.in_(list(datasets)))
    if budget:
        query = query.where(runs.c.budget == budget)
    if status:
        query = query.where(runs.c.status == _status(status))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    rows = [row._mapping for row in conn.execute(query)]
    by_run: dict[int, dict[str, dict[str, Any]]] = {row["id"]: {} for row in rows}
    for chunk in _chunks(list(by_run), 500):  # bounded IN lists on every database
        for row in conn.execute(select(metrics).where(metrics.c.run_id.in_(chunk)).order_by(metrics.c.name)):
            by_run[row.run_id][row.name] = _metric_dict(row._mapping)
    return [_run_dict(row, by_run[row["id"]], details) for row in rows]


def get_run(conn: Connection, run_id: int) -> dict[str, Any]:
    """The run with id `run_id` with every detail; InputError if there is none."""
    found = list_runs(conn, ids=[run_id], details=True)
    if not found:
        raise InputError(f"no run with id {run_id}; list runs with `advisor results list`")
    return found[0]


def load_samples(conn: Connection, run_id: int) -> np.ndarray | None:
    """The stored sample array of a run, or None when none was stored."""
    row = conn.execute(select(samples).where(samples.c.run_id == run_id)).first()
    if row is None:
        return None
    import numpy as np

    return np.frombuffer(row.data, dtype=row.dtype).reshape(row.rows, row.cols)


def check_filters(
    conn: Connection,
    where: str,
    *,
    budget: str | None = None,
    datasets: Iterable[str] = (),
    families: Iterable[str] = (),
) -> None:
    """Refuse a filter naming a budget, dataset or family the store `where` has no run of (a typo, usually)."""
    wanted = (("budget", runs.c.budget, [budget] if budget else []), ("dataset", runs.c.dataset, list(datasets)))
    wanted += (("family", runs.c.family, list(families)),)
    for kind, column, names in wanted:
        if not names:
            continue
        present = set(conn.execute(select(column).distinct()).scalars())
        for name in names:
            if name not in present:
                raise unknown_name(kind, name, present, where=f"the store {where}")


def _status(name: str) -> RunStatus:
    try:
        return RunStatus(name.upper())
    except ValueError:
        raise unknown_name("status", name, [s.value for s in RunStatus]) from None


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _metric_dict(row: Any) -> dict[str, Any]:
    data = {
        "value": row["value"],
        "unit": row["unit"],
        "higher_is_better": row["higher_is_better"],
        "kind": row["kind"],
        "flag": row["flag"],
    }
    if row["note"]:
        data["note"] = row["note"]
    return data


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _run_dict(row: Any, run_metrics: dict[str, dict[str, Any]], details: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row["id"],
        "family": row["family"],
        "sampler": row["sampler"],
        "dataset": row["dataset"],
        "seed": row["seed"],
        "budget": row["budget"],
        "status": str(row["status"]),
        "error": row["error"],
        "device": row["device"],
        "started_at": _iso(row["started_at"]),
        "finished_at": _iso(row["finished_at"]),
        "metrics": run_metrics,
    }
    if details:
        data.update(
            data_hash=row["data_hash"],
            host=row["host"],
            pid=row["pid"],
            fit=row["fit"],
            provenance=row["provenance"],
        )
    return data


@dataclass(frozen=True)
class ReferenceReading:
    """A metric's stored values on one reference set, one per seed; `ladder_step` 0 is the real rows,
    1.. the noise levels from mildest to strongest, None another probe."""

    reference_set: str
    ladder_step: int | None
    values: tuple[float, ...]


def calibration_readings(
    conn: Connection, budget: str, datasets: Iterable[str] = (), names: Iterable[str] = ()
) -> dict[str, dict[str, list[ReferenceReading]]]:
    """dataset -> metric -> readings on each reference set at `budget` (of `datasets` and metrics
    `names` when given), in ladder order then the probes."""
    query = select(
        calibration.c.dataset,
        calibration.c.metric,
        calibration.c.reference_set,
        calibration.c.ladder_step,
        calibration.c.value,
    ).where(calibration.c.budget == budget)
    if datasets := sorted(set(datasets)):
        query = query.where(calibration.c.dataset.in_(datasets))
    if names := sorted(set(names)):
        query = query.where(calibration.c.metric.in_(names))
    grouped: dict[tuple[str, str, str], tuple[int | None, list[float]]] = {}
    for dataset, metric, name, step, value in conn.execute(query.order_by(calibration.c.seed)):
        grouped.setdefault((dataset, metric, name), (step, []))[1].append(float(value))
    result: dict[str, dict[str, list[ReferenceReading]]] = {}
    for (dataset, metric, name), (step, values) in grouped.items():
        result.setdefault(dataset, {}).setdefault(metric, []).append(ReferenceReading(name, step, tuple(values)))
    for by_metric in result.values():
        for readings in by_metric.values():
            readings.sort(key=lambda r: (r.ladder_step is None, r.ladder_step or 0, r.reference_set))
    return result
