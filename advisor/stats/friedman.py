"""Comparing candidates across many tables by their ranks (Demšar 2006, JMLR 7:1-30), in pure Python.

On every table each candidate gets a rank (1 = best; tied scores share the average of the ranks
they span). Across the N tables every candidate was measured on, the average ranks R_j of the k
candidates are compared:

- the Friedman statistic chi2_F = 12N / (k(k+1)) * (sum_j R_j^2 - k(k+1)^2 / 4), chi-square with
  k - 1 degrees of freedom, and Iman and Davenport's less conservative F_F = (N-1) chi2_F /
  (N(k-1) - chi2_F), F-distributed with (k-1, (k-1)(N-1)) degrees of freedom: whether the
  candidates differ at all;
- the Nemenyi critical difference CD = q_alpha sqrt(k(k+1) / (6N)): two candidates whose average
  ranks differ by less cannot be told apart (all pairs, so it is conservative);
- Holm's step-down procedure against a control, by default the best (the candidate with the lowest
  average rank): z_i = (R_i - R_control) / sqrt(k(k+1) / (6N)), two-sided p_i; with p_(1) <= ...
  <= p_(k-1), the i-th is rejected (told apart from the control) while p_(i) < alpha / (k - i);
  from the first that is not, every remaining candidate cannot be told apart from the control.

A table on which some candidate was not measured is left out (the test needs every candidate on
every table), and the result names it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.stats.distributions import chi2_sf, f_sf, nemenyi_q, normal_sf

__all__ = [
    "AcrossTables",
    "HolmStep",
    "average_ranks_of",
    "compare_across_tables",
    "critical_difference",
    "nemenyi_groups",
    "table_ranks",
]


@dataclass(frozen=True)
class HolmStep:
    """One candidate's comparison with the control in Holm's procedure (in the order the procedure takes them)."""

    candidate: str
    z: float
    p: float
    threshold: float  # alpha / (k - i) for the i-th smallest p
    rejected: bool  # True: told apart from the control


@dataclass(frozen=True)
class AcrossTables:
    """Candidates compared across tables: average ranks, the Friedman test and both post-hoc answers."""

    candidates: tuple[str, ...]  # by average rank, best first (ties by name)
    tables: tuple[str, ...]  # the tables compared (every candidate measured on each)
    left_out: dict[str, tuple[str, ...]]  # a table left out -> the candidates without a score on it
    average_ranks: dict[str, float]
    wins: dict[str, int]  # tables on which the candidate has rank 1 or shares it
    friedman_chi2: float
    friedman_p: float
    iman_davenport_f: float
    iman_davenport_p: float
    alpha: float
    control: str  # what Holm's procedure compares with: the best unless asked otherwise
    holm: tuple[HolmStep, ...]

    @functools.cached_property
    def critical_difference(self) -> float:
        """Nemenyi's critical difference at `alpha` (computed when asked: its quantile takes a while)."""
        return critical_difference(len(self.candidates), len(self.tables), self.alpha)

    @property
    def best(self) -> str:
        """The candidate with the lowest average rank."""
        return self.candidates[0]

    @property
    def differ(self) -> bool:
        """Whether the Friedman test (Iman-Davenport's F) finds any difference at `alpha`."""
        return self.iman_davenport_p < self.alpha

    @property
    def nemenyi_indistinguishable(self) -> tuple[str, ...]:
        """The best and every candidate whose average rank lies within the critical difference of it."""
        best = self.average_ranks[self.best]
        return tuple(c for c in self.candidates if self.average_ranks[c] - best < self.critical_difference)

    @property
    def holm_indistinguishable(self) -> tuple[str, ...]:
        """The control and every candidate Holm's procedure does not tell apart from it, by average rank."""
        kept = {step.candidate for step in self.holm if not step.rejected}
        return tuple(c for c in self.candidates if c == self.control or c in kept)

    def nemenyi_groups(self) -> list[tuple[str, ...]]:
        """The groups of candidates that cannot be told apart from each other (`nemenyi_groups`)."""
        return nemenyi_groups(self.candidates, self.average_ranks, self.critical_difference)


def critical_difference(candidates: int, tables: int, alpha: float) -> float:
    """Nemenyi's critical difference in average ranks: q_alpha sqrt(k(k+1) / (6N))."""
    return nemenyi_q(candidates, alpha) * math.sqrt(candidates * (candidates + 1) / (6.0 * tables))


def nemenyi_groups(
    candidates: Sequence[str], average_ranks: Mapping[str, float], critical_difference: float
) -> list[tuple[str, ...]]:
    """Maximal runs of `candidates` (ordered by average rank) spanning less than the critical difference.

    Candidates in one group cannot be told apart from each other; a run inside a longer one is
    not listed, nor is a single candidate (the bars of a critical-difference diagram).
    """
    ranks = [average_ranks[c] for c in candidates]
    groups, reach = [], 0
    for start in range(len(ranks)):
        end = start
        while end + 1 < len(ranks) and ranks[end + 1] - ranks[start] < critical_difference:
            end += 1
        if end > start and end > reach:
            groups.append(tuple(candidates[start : end + 1]))
            reach = end
    return groups


def table_ranks(scores: Mapping[str, float], *, higher_is_better: bool = True) -> dict[str, float]:
    """Each candidate's rank on one table (1 = best); equal scores share the average of their ranks."""
    if any(math.isnan(v) for v in scores.values()):
        raise ValueError("a score is NaN; leave the candidate out of that table instead")
    ordered = sorted(scores, key=lambda c: -scores[c] if higher_is_better else scores[c])
    ranks: dict[str, float] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and scores[ordered[end + 1]] == scores[ordered[start]]:
            end += 1
        for candidate in ordered[start : end + 1]:
            ranks[candidate] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def average_ranks_of(ranks: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """The mean rank of each candidate over the tables of `ranks` (table -> candidate -> rank)."""
    candidates = sorted({c for by_candidate in ranks.values() for c in by_candidate})
    return {c: math.fsum(by_candidate[c] for by_candidate in ranks.values()) / len(ranks) for c in candidates}


def compare_across_tables(
    scores: Mapping[str, Mapping[str, float]],
    *,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    control: str | None = None,
) -> AcrossTables:
    """Rank the candidates of `scores` (table -> candidate -> score) on each table and compare them across tables.

    Only the tables on which every candidate has a score are compared. To count two candidates as
    tied on a table (e.g. within seed noise), give them the same score there. Holm's procedure
    compares with `control` (default: the best). ValueError when fewer than two candidates or two
    complete tables remain, or `control` is not a candidate.
    """
    candidates = sorted({c for by_candidate in scores.values() for c in by_candidate})
    complete = {t: s for t, s in scores.items() if set(s) == set(candidates)}
    left_out = {t: tuple(sorted(set(candidates) - set(s))) for t, s in scores.items() if t not in complete}
    k, n = len(candidates), len(complete)
    if k < 2 or n < 2:
        raise ValueError(
            f"comparing across tables needs at least 2 candidates and 2 tables with a score for each; "
            f"got {k} candidates and {n} complete tables"
        )
    if control is not None and control not in candidates:
        raise ValueError(f"control {control!r} is not a candidate; candidates are {', '.join(candidates)}")
    ranks = {t: table_ranks(s, higher_is_better=higher_is_better) for t, s in complete.items()}
    average = average_ranks_of(ranks)
    order = tuple(sorted(candidates, key=lambda c: (average[c], c)))
    chi2 = 12.0 * n / (k * (k + 1)) * (math.fsum(r * r for r in average.values()) - k * (k + 1) ** 2 / 4.0)
    chi2 = max(0.0, chi2)  # rounding: all ranks equal gives -1e-15
    denominator = n * (k - 1) - chi2
    f = (n - 1) * chi2 / denominator if denominator > 0 else math.inf
    standard_error = math.sqrt(k * (k + 1) / (6.0 * n))
    return AcrossTables(
        candidates=order,
        tables=tuple(sorted(complete)),
        left_out=left_out,
        average_ranks=average,
        wins={c: sum(1 for r in ranks.values() if r[c] == min(r.values())) for c in candidates},
        friedman_chi2=chi2,
        friedman_p=chi2_sf(chi2, k - 1),
        iman_davenport_f=f,
        iman_davenport_p=f_sf(f, k - 1, (k - 1) * (n - 1)),
        alpha=alpha,
        control=control or order[0],
        holm=_holm(control or order[0], order, average, standard_error, alpha),
    )


def _holm(
    control: str, order: tuple[str, ...], average: Mapping[str, float], standard_error: float, alpha: float
) -> tuple[HolmStep, ...]:
    """Holm's step-down comparisons of every other candidate with `control`."""
    tests = sorted(
        ((c, (average[c] - average[control]) / standard_error) for c in order if c != control),
        key=lambda item: (-abs(item[1]), item[0]),
    )
    steps, still_rejecting = [], True
    for i, (candidate, z) in enumerate(tests, start=1):
        p = min(1.0, 2.0 * normal_sf(abs(z)))
        threshold = alpha / (len(order) - i)
        still_rejecting = still_rejecting and p < threshold
        steps.append(HolmStep(candidate, z, p, threshold, still_rejecting))
    return tuple(steps)
