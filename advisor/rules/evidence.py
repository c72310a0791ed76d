"""Gather the measured evidence for recommendations from the store: pure Python, no numpy.

The store's read API (`advisor.store.read`) aggregates the objective metrics of the latest COMPLETE
run of each seed into count, mean and mean square in SQL, so the answer costs the same for ten runs
or ten thousand, and counts runs by status for the failure rate. Values are grouped as candidate
(family, sampler) -> metric -> dataset -> Summary over seeds. How each metric is compared comes from
its `MetricSpec` (registered metrics, and the derived objectives of derived.py), never from its name.
Where the store holds the calibration of C2ST (`advisor metrics calibrate --db`), its ladder per
dataset comes along, so that quality is graded on the calibrated scale (grades.py).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from advisor.cards import MetricSpec
from advisor.rules.derived import DERIVED_OBJECTIVES, DerivedObjective
from advisor.rules.grades import Ladder, ladder_from
from advisor.rules.stability import COLLAPSE_METRICS, Outcomes, count_outcomes
from advisor.seednoise import spread_standard_error
from advisor.store import read
from advisor.store.engine import Store
from advisor.store.status import RunStatus

__all__ = ["Candidate", "Summary", "Evidence", "gather", "candidate_label"]

Candidate = tuple[str, str]  # (family, sampler)


def candidate_label(candidate: Candidate) -> str:
    """How answers name a candidate: the family, with its sampler when it has several ("diffusion (ddim-50)")."""
    family, sampler = candidate
    return family if sampler == "default" else f"{family} ({sampler})"


@dataclass(frozen=True)
class Summary:
    """A metric on one dataset aggregated over seeds.

    For a metric compared by its distance from a reference value, `distance_mean` and `distance_std`
    aggregate that distance seed by seed (seeds on either side of the reference do not cancel).
    """

    mean: float
    std: float
    n: int
    distance_mean: float | None = None
    distance_std: float | None = None
    #: the standard error of `mean` where it is not std / sqrt(n) (a spread of a few seeds is itself uncertain)
    error: float | None = None

    def as_dict(self) -> dict[str, float]:
        """JSON-ready fields (the distance and the standard error only where there are)."""
        data = {"mean": self.mean, "std": self.std, "n": self.n}
        if self.distance_mean is not None:
            data.update(distance_mean=self.distance_mean, distance_std=self.distance_std)
        if self.error is not None:
            data.update(error=self.error)
        return data


@dataclass
class Evidence:
    """Everything measured that a recommendation may cite."""

    budget: str | None
    datasets: dict[str, dict]  # name -> card
    cards: dict[str, dict]  # family -> card as stored
    specs: dict[str, MetricSpec]  # metric -> how it is compared
    values: dict[Candidate, dict[str, dict[str, Summary]]] = field(default_factory=dict)  # -> metric -> dataset
    run_counts: dict[Candidate, dict[str, dict[RunStatus, int]]] = field(default_factory=dict)  # -> dataset -> n
    runs: dict[Candidate, int] = field(default_factory=dict)  # COMPLETE runs behind the evidence
    outcomes: dict[Candidate, dict[str, Outcomes]] = field(default_factory=dict)  # counted, when asked for
    devices: list[str] = field(default_factory=list)  # where the runs in scope were measured
    ladders: dict[str, Ladder] = field(default_factory=dict)  # dataset -> C2ST's calibrated scale, where stored
    #: dataset -> cond_accuracy of held-out real rows asked for their own labels, per seed (the calibrated ceiling)
    ceilings: dict[str, tuple[float, ...]] = field(default_factory=dict)
    #: dataset -> (fewest, most steps, smallest, largest batch) its runs trained with, from their provenance
    trained: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    seeds: dict[str, tuple[int, ...]] = field(default_factory=dict)  # dataset -> the seeds of its COMPLETE runs
    #: seed -> the same evidence read again without it (`engine.gather_for`, `seed_robust`); empty unless asked
    without_a_seed: dict[int, Evidence] = field(default_factory=dict)

    def restricted(self, datasets: Iterable[str]) -> Evidence:
        """The same evidence on `datasets` only (e.g. one kind of data), without reading the store again."""
        keep = set(datasets)

        def only(by_dataset: dict) -> dict:
            return {d: v for d, v in by_dataset.items() if d in keep}

        values = {
            c: kept
            for c, by_metric in self.values.items()
            if (kept := {m: only(by_d) for m, by_d in by_metric.items() if only(by_d)})
        }
        counts = {c: kept for c, by_d in self.run_counts.items() if (kept := only(by_d))}
        seeds = only(self.seeds)
        return Evidence(
            self.budget,
            only(self.datasets),
            self.cards,
            self.specs,
            values,
            counts,
            {c: max(sum(s.n for s in d.values()) for d in by_metric.values()) for c, by_metric in values.items()},
            {c: kept for c, by_d in self.outcomes.items() if (kept := only(by_d))},
            self.devices,
            only(self.ladders),
            only(self.ceilings),
            only(self.trained),
            seeds,
            {
                seed: resampled.restricted(keep)
                for seed, resampled in self.without_a_seed.items()
                if any(seed in kept for kept in seeds.values())
            },
        )

    @property
    def candidates(self) -> list[Candidate]:
        """Every (family, sampler) with at least one run in scope."""
        return sorted(set(self.values) | set(self.run_counts))


def gather(
    store: Store,
    objectives: Iterable[str],
    specs: Mapping[str, MetricSpec],
    *,
    budget: str | None = None,
    datasets: Iterable[str] = (),
    data_kind: str | None = None,
    device: str | None = None,
    families: Iterable[str] | None = None,
    first_seeds: Mapping[str, int] | None = None,
    left_out_seed: int | None = None,
) -> Evidence:
    """Read the evidence for `objectives` within the filters; `budget` defaults to the most-measured one;
    `families` reads only those families' runs (those a user can run);
    `first_seeds` (family -> n) reads only each named family's seeds 0..n-1 (a race replayed on a store);
    `left_out_seed` reads every seed but that one (`advisor.rules.seed_robust`).

    `specs` are the registered metrics' specs; the derived objectives bring their own.
    """
    wanted = set(objectives)
    derived = {name: DERIVED_OBJECTIVES[name] for name in wanted if name in DERIVED_OBJECTIVES}
    stored = (wanted - set(derived)) | {d.source for d in derived.values() if d.source}
    all_specs = {**specs, **{name: d.spec for name, d in DERIVED_OBJECTIVES.items()}}
    with store.connect() as conn:  # one snapshot, Core rows only
        budget = budget or read.busiest_budget(conn)
        dataset_cards = read.dataset_cards(conn)
        names = set(datasets) or set(dataset_cards)
        if data_kind:
            names = {n for n in names if dataset_cards.get(n, {}).get("kind") == data_kind}
        seeds = tuple(sorted(first_seeds.items())) if first_seeds is not None else None
        scope = read.Scope(
            budget=budget,
            datasets=tuple(sorted(names)),
            device=device,
            families=tuple(sorted(families)) if families is not None else None,
            first_seeds=seeds,
            left_out_seed=left_out_seed,
        )
        evidence = Evidence(
            budget,
            {n: dataset_cards[n] for n in names if n in dataset_cards},
            read.family_cards(conn),
            {name: spec for name, spec in all_specs.items() if name in wanted | stored},
        )
        evidence.devices = read.devices(conn, scope)
        evidence.seeds = read.complete_seeds(conn, scope)
        evidence.trained = read.trained_by_dataset(conn, scope)
        for family, sampler, dataset, status, n in read.run_counts(conn, scope):
            evidence.run_counts.setdefault((family, sampler), {}).setdefault(dataset, {})[status] = n
        references = {name: spec.reference for name, spec in all_specs.items() if spec.reference is not None}
        for row in read.latest_complete_metrics(conn, stored, scope, references):
            summary = Summary(row.mean, row.std, row.n, row.distance_mean, row.distance_std)
            evidence.values.setdefault((row.family, row.sampler), {}).setdefault(row.metric, {})[row.dataset] = summary
        if budget is not None and {"c2st", "cond_accuracy"} & stored:
            readings = read.calibration_readings(conn, budget, names, ["c2st", "cond_accuracy"])
            if "c2st" in all_specs:
                evidence.ladders = {
                    dataset: ladder
                    for dataset, by_metric in readings.items()
                    if (ladder := ladder_from(by_metric.get("c2st", []), all_specs["c2st"]))
                }
            evidence.ceilings = {
                dataset: reading.values
                for dataset, by_metric in readings.items()
                for reading in by_metric.get("cond_accuracy", [])
                if reading.ladder_step == 0
            }
        if "unstable_rate" in derived:
            latest = read.latest_complete_runs(conn, scope)
            _count_outcomes(evidence, latest, read.latest_complete_values(conn, scope, COLLAPSE_METRICS))
    for candidate, by_metric in evidence.values.items():
        evidence.runs[candidate] = max(sum(s.n for s in d.values()) for d in by_metric.values())
    measured = {d for by_metric in evidence.values.values() for by_dataset in by_metric.values() for d in by_dataset}
    evidence.datasets = {name: card for name, card in evidence.datasets.items() if name in measured}
    _single_seed_noise(evidence)
    _derive(evidence, derived)
    return evidence


def _single_seed_noise(evidence: Evidence) -> None:
    """Give each metric read from one seed the median seed spread of that metric among the candidates measured
    with several seeds on the same dataset, as its standard error: ranked as exact, one lucky seed would beat
    three consistent ones (a race leaves candidates at one seed). Read on that dataset alone, so the answer
    does not depend on which other datasets are asked about. With no such candidate the seed stays
    unqualified (its `error` None), and the answer says so."""
    from advisor.rules.scoring import seed_spread

    for metric, spec in evidence.specs.items():
        by_dataset: dict[str, list[float]] = {}
        for by_metric in evidence.values.values():
            for dataset, summary in by_metric.get(metric, {}).items():
                if summary.n > 1:
                    by_dataset.setdefault(dataset, []).append(seed_spread(spec, summary))
        for by_metric in evidence.values.values():
            summaries = by_metric.get(metric, {})
            for dataset, summary in summaries.items():
                if summary.n == 1 and summary.error is None and by_dataset.get(dataset):
                    summaries[dataset] = replace(summary, error=statistics.median(by_dataset[dataset]))


def _count_outcomes(evidence: Evidence, latest: list[tuple], values: list[dict]) -> None:
    """Count failed and collapsed outcomes per candidate and dataset (the latest COMPLETE run per seed)."""
    by_run: dict[int, dict[str, float]] = {}
    for row in values:
        by_run.setdefault(row["run_id"], {})[row["metric"]] = row["value"]
    runs: dict[tuple[Candidate, str], dict[int, dict[str, float]]] = {}
    for run_id, family, sampler, dataset, _seed in latest:
        runs.setdefault(((family, sampler), dataset), {})[run_id] = by_run.get(run_id, {})
    for candidate, by_dataset in evidence.run_counts.items():
        for dataset, statuses in by_dataset.items():
            completed = list(runs.get((candidate, dataset), {}).values())
            failed = sum(n for status, n in statuses.items() if status.is_failure)
            if not completed and not failed:
                continue
            modes = (evidence.datasets.get(dataset) or {}).get("modes")
            evidence.outcomes.setdefault(candidate, {})[dataset] = count_outcomes(completed, failed, modes)


def _derive(evidence: Evidence, derived: Mapping[str, DerivedObjective]) -> None:
    """Add the derived objectives asked for: failure rate per dataset, a metric's spread across seeds."""
    if "failure_rate" in derived:
        for candidate, by_dataset in evidence.run_counts.items():
            for dataset, statuses in by_dataset.items():
                final = {status: n for status, n in statuses.items() if status.is_final}
                if total := sum(final.values()):
                    rate = sum(n for status, n in final.items() if status.is_failure) / total
                    evidence.values.setdefault(candidate, {}).setdefault("failure_rate", {})[dataset] = Summary(
                        rate, 0.0, total
                    )
    if "unstable_rate" in derived:
        for candidate, by_dataset in evidence.outcomes.items():
            for dataset, counted in by_dataset.items():
                # per-seed Bernoulli spread, smoothed (k+1)/(n+2) so that 0 of 3 and 1 of 3 are within noise
                smoothed = (counted.unstable + 1) / (counted.runs + 2)
                spread = math.sqrt(smoothed * (1 - smoothed))  # a model's spread: the mean's error at any n, one too
                evidence.values.setdefault(candidate, {}).setdefault("unstable_rate", {})[dataset] = Summary(
                    counted.rate, spread, counted.runs, error=spread / math.sqrt(counted.runs)
                )
    if "seed_spread" in derived:
        source = derived["seed_spread"].source
        for by_metric in evidence.values.values():
            for dataset, summary in dict(by_metric.get(source, {})).items():
                if summary.n > 1:  # a spread of n seeds is known to about 1 / sqrt(2(n - 1)) of itself
                    error = spread_standard_error(summary.std, summary.n)
                    by_metric.setdefault("seed_spread", {})[dataset] = Summary(summary.std, 0.0, summary.n, error=error)
