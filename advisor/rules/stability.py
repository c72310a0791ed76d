"""Instability counted over seeds: when a run collapsed, and the interval around a rate of k in n.

A recipe is judged by how often it goes wrong, not by its best run. An outcome is unstable when the
run failed (FAILED, INVALID, TIMEOUT, CRASHED) or completed but collapsed. The collapse rule lives
here and nowhere else: a run collapsed when

- on a mixture with known modes, it covers fewer than all but one of them, or
- its high-quality rate or its recall is under half the median of its own seeds (the same family,
  sampler, dataset and budget): one seed far below what the recipe usually reaches.

Rates come with a 95% Wilson score interval, which stays inside [0, 1] and is honest for the small
counts a bench has (0 of 10 is not "never": the interval reaches 0.28).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.rules.answer import Instability, RankedCandidate

if TYPE_CHECKING:
    from advisor.rules.evidence import Evidence
    from advisor.rules.scoring import Scope

__all__ = [
    "COLLAPSE_METRICS",
    "Outcomes",
    "RELATIVE_FLOOR",
    "collapse_reason",
    "count_outcomes",
    "instability_records",
    "wilson_interval",
]

#: a seed below this fraction of its seeds' median high-quality rate or recall collapsed
RELATIVE_FLOOR = 0.5
#: the metrics judged against their own seeds' median (a seed far below what the recipe usually reaches)
_RELATIVE_METRICS = ("hq_rate", "recall")
#: every metric the collapse rule reads: what the evidence must load to count outcomes
COLLAPSE_METRICS = ("modes_covered", *_RELATIVE_METRICS)
_Z95 = 1.959963984540054


def wilson_interval(k: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials (95% by default); (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def collapse_reason(run: Mapping[str, float], medians: Mapping[str, float], modes: int | None) -> str | None:
    """Why a COMPLETE run with metric values `run` collapsed, or None when it did not.

    `medians` are the medians of the same metrics over its seeds; `modes` the dataset's known modes.
    """
    covered = run.get("modes_covered")
    if modes and covered is not None and covered < modes - 1:
        return f"{covered:.0f} of {modes} modes"
    for metric in _RELATIVE_METRICS:
        value, median = run.get(metric), medians.get(metric)
        if value is not None and median and value < RELATIVE_FLOOR * median:
            return f"{metric} {value:.2f}, under half its seeds' median {median:.2f}"
    return None


@dataclass(frozen=True)
class Outcomes:
    """Counted outcomes of one candidate on one dataset: runs, failures, collapses (and why)."""

    runs: int
    failed: int
    collapsed: int
    reasons: tuple[str, ...] = ()

    @property
    def unstable(self) -> int:
        """Failed or collapsed outcomes."""
        return self.failed + self.collapsed

    @property
    def rate(self) -> float:
        """Share of unstable outcomes (0 when nothing ran)."""
        return self.unstable / self.runs if self.runs else 0.0


def count_outcomes(completed: Sequence[Mapping[str, float]], failed: int, modes: int | None) -> Outcomes:
    """Count the outcomes of one candidate on one dataset.

    `completed` holds the metric values of the latest COMPLETE run of each seed; `failed` the number
    of runs that failed there.
    """
    medians = {
        metric: statistics.median(values)
        for metric in _RELATIVE_METRICS
        if (values := [run[metric] for run in completed if run.get(metric) is not None])
    }
    reasons = tuple(r for run in completed if (r := collapse_reason(run, medians, modes)))
    return Outcomes(len(completed) + failed, failed, len(reasons), reasons)


def instability_records(evidence: Evidence, ranked: list[RankedCandidate], scope: Scope | None) -> list[Instability]:
    """Per ranked candidate: outcomes counted over the datasets `scope` compares (none without a scope)."""
    if scope is None:
        return []
    records = []
    for r in ranked:
        counted = {d: c for d, c in evidence.outcomes.get((r.family, r.sampler), {}).items() if d in scope.datasets}
        runs, failed, collapsed = (
            sum(getattr(c, f) for c in counted.values()) for f in ("runs", "failed", "collapsed")
        )
        records.append(
            Instability(
                candidate=r.label,
                runs=runs,
                failed=failed,
                collapsed=collapsed,
                rate=(failed + collapsed) / runs if runs else 0.0,
                interval=wilson_interval(failed + collapsed, runs),
                collapses={d: list(c.reasons) for d, c in counted.items() if c.reasons},
            )
        )
    return records
