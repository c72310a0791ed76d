"""Objective scores: each candidate's measured values put on one [0, 1] scale, like with like.

A metric is scored only on the datasets that every candidate measured on it was measured on (when
that set is empty, on all of them, with a caveat), so a candidate is never averaged over easier or
harder data than its rivals. On each dataset the leader has the best pessimistic bound, a candidate
within its noise (`advisor.seednoise.behind_leader`: scatter counts against a candidate, never for
it) scores 1 (a tie: several winners, whatever their names), and the others score by how far beyond it
they fall, relative to the candidate that falls furthest (0); the per-dataset scores are averaged.
A dataset on which every candidate ties therefore ranks no one, instead of stretching a 0.001
difference over the whole scale. Costs that span orders of magnitude (throughput, seconds, sizes)
are compared on a log scale, and a metric with a reference value by its distance from it, seed by
seed: a two-sample classifier's accuracy from chance (0.48 is as far from indistinguishable as
0.52; below-chance accuracy is test noise, not a better model, and seeds on either side of 0.5 do
not cancel). Both come from the metric's `MetricSpec`: a plugin's metric is compared exactly as a
built-in is.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Protocol

from advisor.rules.evidence import Candidate, Evidence, Summary, candidate_label
from advisor.seednoise import Reading, behind_leader, pessimistic_bound, standard_error

__all__ = [
    "Comparison",
    "Scope",
    "comparable",
    "reading",
    "scope_of",
    "mean_scores",
    "scores_by_dataset",
    "seed_spread",
]

LOG_FLOOR = 1e-9


class Comparison(Protocol):
    """How a metric is compared: what a `MetricSpec` declares (and an objective's evidence repeats)."""

    higher_is_better: bool
    scale: str
    reference: float | None


def comparable(how: Comparison, value: float) -> float:
    """`value` on the scale candidates are compared on: log10 on a log scale, distance from a reference."""
    if how.reference is not None:
        return how.reference + abs(value - how.reference)
    if how.scale == "log":
        return math.log10(max(value, LOG_FLOOR))  # a zero (e.g. no memory growth) stays below every positive value
    return value


def reading(how: Comparison, summary: Summary) -> Reading:
    """A seed mean on the comparable scale, oriented so that higher is better, with its standard error.

    A metric with a reference value is placed by its mean distance from it taken seed by seed; the
    log scale's standard error comes from the delta method; a summary that carries its own standard
    error (a spread of a few seeds, or one seed's borrowed from the other candidates' seeds) uses it; one seed
    with none has a standard error of 0.
    """
    if how.reference is not None and summary.distance_mean is not None:
        value = how.reference + summary.distance_mean
    else:
        value = comparable(how, summary.mean)
    error = summary.error if summary.error is not None else standard_error(seed_spread(how, summary), summary.n)
    return (value if how.higher_is_better else -value), error


def seed_spread(how: Comparison, summary: Summary) -> float:
    """The seeds' standard deviation on the comparable scale (the per-seed distance's, with a reference)."""
    if how.reference is not None and summary.distance_mean is not None:
        return summary.distance_std or 0.0
    if how.reference is None and how.scale == "log":
        return summary.std / (summary.mean * math.log(10)) if summary.mean > 0 else 0.0
    return summary.std


@dataclass(frozen=True)
class Scope:
    """The datasets one metric is scored on, and those left out because some candidate lacks them."""

    datasets: frozenset[str]
    left_out: dict[str, list[str]]  # dataset -> labels of the candidates without a measurement there
    shared: bool  # False when no dataset is common to every candidate and all of them were used


def scope_of(
    evidence: Evidence, candidates: list[Candidate], metric: str, within: frozenset[str] | None = None
) -> Scope:
    """The datasets `metric` is compared on: those every candidate measured on it has a value for.

    `within` restricts the candidates' datasets first (a need's secondary objectives are read on the
    datasets of its primary one: recall qualifies conditional accuracy on the labelled data only).
    """
    covered = {
        c: set(evidence.values[c][metric]) & (within if within is not None else set(evidence.values[c][metric]))
        for c in candidates
        if evidence.values.get(c, {}).get(metric)
    }
    covered = {c: datasets for c, datasets in covered.items() if datasets}
    if not covered:
        return Scope(frozenset(), {}, True)
    union = set().union(*covered.values())
    common = set.intersection(*covered.values())
    if not common:
        return Scope(frozenset(union), {}, False)
    left_out = {
        dataset: sorted(candidate_label(c) for c, have in covered.items() if dataset not in have)
        for dataset in sorted(union - common)
    }
    return Scope(frozenset(common), left_out, True)


def mean_scores(by_dataset: dict[str, dict[Candidate, float]]) -> dict[Candidate, float]:
    """Each candidate's objective score: the mean of its scores on the datasets it was scored on."""
    scores: dict[Candidate, list[float]] = {}
    for by_candidate in by_dataset.values():
        for candidate, score in by_candidate.items():
            scores.setdefault(candidate, []).append(score)
    return {c: statistics.fmean(s) for c, s in scores.items()}


def scores_by_dataset(
    evidence: Evidence, candidates: list[Candidate], metric: str, scope: Scope
) -> dict[str, dict[Candidate, float]]:
    """Dataset -> candidate -> score in [0, 1] for `metric` on that dataset: 1 - excess over noise / largest excess."""
    spec = evidence.specs[metric]
    per_dataset: dict[str, dict[Candidate, Summary]] = {}
    for candidate in candidates:
        for dataset, summary in evidence.values.get(candidate, {}).get(metric, {}).items():
            if dataset in scope.datasets:
                per_dataset.setdefault(dataset, {})[candidate] = summary
    scores: dict[str, dict[Candidate, float]] = {}
    for dataset, by_candidate in sorted(per_dataset.items()):
        readings = {c: reading(spec, s) for c, s in by_candidate.items()}
        leader = readings[max(readings, key=lambda c: pessimistic_bound(readings[c]))]
        excess = {c: behind_leader(r, leader) for c, r in readings.items()}
        largest = max(excess.values())
        scores[dataset] = {c: 1.0 if largest == 0 else 1.0 - behind / largest for c, behind in excess.items()}
    return scores
