"""Gather the measured evidence for recommendations from the store: pure Python, no numpy.

One query reads the objective metrics of COMPLETE runs (the latest run per family, sampler,
dataset, seed and budget), one counts runs by status for the failure rate. Values are grouped as
candidate (family, sampler) -> metric -> dataset -> per-seed values.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from advisor.store.engine import Store
from advisor.store.models import DatasetRow, FamilyRow, MetricRow, Run

__all__ = ["Candidate", "Summary", "Evidence", "gather", "summarize", "busiest_budget", "DERIVED_OBJECTIVES"]

#: Objectives the engine derives from runs rather than reading a stored metric.
DERIVED_OBJECTIVES = {
    "failure_rate": ("Failure rate", "", False),
    "seed_spread": ("C2ST spread across seeds", "", False),
}

Candidate = tuple[str, str]  # (family, sampler)


@dataclass(frozen=True)
class Summary:
    """A metric on one dataset aggregated over seeds."""

    mean: float
    std: float
    n: int


@dataclass
class Evidence:
    """Everything measured that a recommendation may cite."""

    budget: str | None
    datasets: dict[str, dict]  # name -> card
    cards: dict[str, dict]  # family -> card as stored
    values: dict[Candidate, dict[str, dict[str, list[float]]]] = field(default_factory=dict)
    units: dict[str, tuple[str, bool]] = field(default_factory=dict)  # metric -> (unit, higher_is_better)
    run_counts: dict[Candidate, dict[str, dict[str, int]]] = field(default_factory=dict)  # -> dataset -> status -> n
    run_ids: dict[Candidate, list[int]] = field(default_factory=dict)

    @property
    def candidates(self) -> list[Candidate]:
        """Every (family, sampler) with at least one run in scope."""
        return sorted(set(self.values) | set(self.run_counts))


def summarize(values: Iterable[float]) -> Summary:
    """Mean, sample standard deviation (0 for one value) and count."""
    values = list(values)
    return Summary(statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0, len(values))


def busiest_budget(store: Store) -> str | None:
    """The budget with the most COMPLETE runs: the default scope of every answer."""
    with store.engine.connect() as session:
        row = session.execute(
            select(Run.budget, func.count())
            .where(Run.status == "COMPLETE")
            .group_by(Run.budget)
            .order_by(func.count().desc(), Run.budget)
        ).first()
    return row[0] if row else None


def gather(
    store: Store,
    metrics: Iterable[str],
    *,
    budget: str | None = None,
    datasets: Iterable[str] = (),
    data_kind: str | None = None,
    device: str | None = None,
) -> Evidence:
    """Read the evidence for `metrics` within the filters; `budget` defaults to the most-measured one."""
    budget = budget or busiest_budget(store)
    wanted = set(metrics)
    with store.engine.connect() as session:  # Core rows: no ORM bookkeeping on large stores
        dataset_cards = {name: card for name, card in session.execute(select(DatasetRow.name, DatasetRow.card))}
        cards = {name: card for name, card in session.execute(select(FamilyRow.name, FamilyRow.card))}
        scope = [Run.budget == budget]
        names = set(datasets) or set(dataset_cards)
        if data_kind:
            names = {n for n in names if dataset_cards.get(n, {}).get("kind") == data_kind}
        scope.append(Run.dataset.in_(sorted(names)))
        if device:
            scope.append(Run.device == device)
        evidence = Evidence(budget, {n: dataset_cards[n] for n in names if n in dataset_cards}, cards)

        counts = session.execute(
            select(Run.family, Run.sampler, Run.dataset, Run.status, func.count())
            .where(*scope)
            .group_by(Run.family, Run.sampler, Run.dataset, Run.status)
        )
        for family, sampler, dataset, status, n in counts:
            evidence.run_counts.setdefault((family, sampler), {}).setdefault(dataset, {})[status] = n

        rows = session.execute(
            select(
                Run.id,
                Run.family,
                Run.sampler,
                Run.dataset,
                Run.seed,
                MetricRow.name,
                MetricRow.value,
                MetricRow.unit,
                MetricRow.higher_is_better,
            )
            .join(MetricRow, MetricRow.run_id == Run.id)
            .where(
                *scope, Run.status == "COMPLETE", MetricRow.flag == "ok", MetricRow.name.in_(sorted(wanted | {"c2st"}))
            )
            .order_by(Run.id)
        )
        latest: dict[tuple, float] = {}  # later runs of the same seed replace earlier ones
        for run_id, family, sampler, dataset, seed, name, value, unit, higher in rows:
            latest[(family, sampler, dataset, seed, name)] = value
            evidence.units[name] = (unit, higher)
            evidence.run_ids.setdefault((family, sampler), []).append(run_id)
    grouped: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for (family, sampler, dataset, _seed, name), value in latest.items():
        grouped[(family, sampler)][name][dataset].append(value)
    evidence.values = {c: {m: dict(d) for m, d in by_metric.items()} for c, by_metric in grouped.items()}
    for candidate in evidence.run_ids:
        evidence.run_ids[candidate] = sorted(set(evidence.run_ids[candidate]))
    _derive(evidence)
    return evidence


def _derive(evidence: Evidence) -> None:
    """Add the derived objectives: failure rate per dataset, C2ST spread across seeds per dataset."""
    for candidate, by_dataset in evidence.run_counts.items():
        metrics = evidence.values.setdefault(candidate, {})
        for dataset, statuses in by_dataset.items():
            total = sum(statuses.values()) - statuses.get("RUNNING", 0) - statuses.get("PENDING", 0)
            if total:
                metrics.setdefault("failure_rate", {})[dataset] = [1.0 - statuses.get("COMPLETE", 0) / total]
        for dataset, values in metrics.get("c2st", {}).items():
            if len(values) > 1:
                metrics.setdefault("seed_spread", {})[dataset] = [statistics.stdev(values)]
    for name, (_title, unit, higher) in DERIVED_OBJECTIVES.items():
        evidence.units[name] = (unit, higher)
