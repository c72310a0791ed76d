"""Gather the measured evidence for recommendations from the store: pure Python, no numpy.

One query aggregates the objective metrics of COMPLETE runs (the latest run per family, sampler,
dataset and seed) into mean, standard deviation and count in SQL, so the answer costs the same for
ten runs or ten thousand; one counts runs by status for the failure rate. Values are grouped as
candidate (family, sampler) -> metric -> dataset -> Summary over seeds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from advisor.store.engine import Store
from advisor.store.models import DatasetRow, FamilyRow, MetricRow, Run

__all__ = ["Candidate", "Summary", "Evidence", "gather", "busiest_budget", "candidate_label", "DERIVED_OBJECTIVES"]

#: Objectives the engine derives from runs rather than reading a stored metric: name -> (unit,
#: higher is better). failure_rate: share of finished runs that did not complete; seed_spread:
#: standard deviation of C2ST across seeds.
DERIVED_OBJECTIVES = {"failure_rate": ("", False), "seed_spread": ("", False)}

Candidate = tuple[str, str]  # (family, sampler)


def candidate_label(candidate: Candidate) -> str:
    """How answers name a candidate: the family, with its sampler when it has several ("diffusion (ddim-50)")."""
    family, sampler = candidate
    return family if sampler == "default" else f"{family} ({sampler})"


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
    values: dict[Candidate, dict[str, dict[str, Summary]]] = field(default_factory=dict)  # -> metric -> dataset
    units: dict[str, tuple[str, bool]] = field(default_factory=dict)  # metric -> (unit, higher_is_better)
    run_counts: dict[Candidate, dict[str, dict[str, int]]] = field(default_factory=dict)  # -> dataset -> status -> n
    runs: dict[Candidate, int] = field(default_factory=dict)  # COMPLETE runs behind the evidence

    @property
    def candidates(self) -> list[Candidate]:
        """Every (family, sampler) with at least one run in scope."""
        return sorted(set(self.values) | set(self.run_counts))


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

        # the latest COMPLETE run of each (family, sampler, dataset, seed); reruns replace earlier runs
        latest = (
            select(func.max(Run.id).label("id"))
            .where(*scope, Run.status == "COMPLETE")
            .group_by(Run.family, Run.sampler, Run.dataset, Run.seed)
            .subquery()
        )
        names = sorted(wanted | {"c2st"})
        # aggregated in SQL: one row per candidate, dataset and metric however many runs there are
        rows = session.execute(
            select(
                Run.family,
                Run.sampler,
                Run.dataset,
                MetricRow.name,
                func.count(MetricRow.value),
                func.avg(MetricRow.value),
                func.avg(MetricRow.value * MetricRow.value),
            )
            .join(MetricRow, MetricRow.run_id == Run.id)
            .join(latest, latest.c.id == Run.id)
            .where(MetricRow.flag == "ok", MetricRow.name.in_(names))
            .group_by(Run.family, Run.sampler, Run.dataset, MetricRow.name)
        )
        for family, sampler, dataset, name, n, mean, mean_square in rows:
            variance = max(0.0, (mean_square - mean * mean) * n / (n - 1)) if n > 1 else 0.0
            summary = Summary(float(mean), math.sqrt(variance), int(n))
            evidence.values.setdefault((family, sampler), {}).setdefault(name, {})[dataset] = summary
        units = select(MetricRow.name, MetricRow.unit, MetricRow.higher_is_better).where(MetricRow.name.in_(names))
        for name, unit, higher in session.execute(units.distinct()):
            evidence.units[name] = (unit, bool(higher))
    for candidate, by_metric in evidence.values.items():
        evidence.runs[candidate] = max(sum(s.n for s in d.values()) for d in by_metric.values())
    measured = {d for by_metric in evidence.values.values() for by_dataset in by_metric.values() for d in by_dataset}
    evidence.datasets = {name: card for name, card in evidence.datasets.items() if name in measured}
    _derive(evidence)
    return evidence


def _derive(evidence: Evidence) -> None:
    """Add the derived objectives: failure rate per dataset, C2ST spread across seeds per dataset."""
    for candidate, by_dataset in evidence.run_counts.items():
        metrics = evidence.values.setdefault(candidate, {})
        for dataset, statuses in by_dataset.items():
            # runs still going, or stopped because the bench itself was interrupted, say nothing about the family
            total = sum(n for status, n in statuses.items() if status not in ("RUNNING", "PENDING", "INTERRUPTED"))
            if total:
                rate = 1.0 - statuses.get("COMPLETE", 0) / total
                metrics.setdefault("failure_rate", {})[dataset] = Summary(rate, 0.0, total)
        for dataset, summary in metrics.get("c2st", {}).items():
            if summary.n > 1:
                metrics.setdefault("seed_spread", {})[dataset] = Summary(summary.std, 0.0, summary.n)
    for name, (unit, higher) in DERIVED_OBJECTIVES.items():
        evidence.units[name] = (unit, higher)
