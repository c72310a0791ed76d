"""How two candidates compare on one objective, dataset by dataset: the records behind "why it lost".

A ranking averages normalized scores, which can hide where a candidate actually lost; a comparison
keeps each dataset's seed means and a verdict (`Verdict`), judged by `advisor.seednoise`: behind the
other beyond noise with the means apart is "worse"; behind only because its seeds scatter is "less
consistent across seeds" (both spreads are kept, so the reader sees it); behind only by the noise a
single seed is assumed to carry is "behind until measured on more seeds"; otherwise "within seed
noise". `advisor.wording` says it in words.
"""

from __future__ import annotations

from advisor.rules.answer import Comparison, DatasetComparison, DatasetSummary, ObjectiveEvidence, Verdict
from advisor.rules.evidence import Summary
from advisor.rules.scoring import reading
from advisor.seednoise import behind_leader, mean_gap_beyond_noise

__all__ = ["compare", "dataset_verdict"]


def _summary(record: DatasetSummary) -> Summary:
    return Summary(record.mean, record.std, record.n, record.distance_mean, record.distance_std, record.error)


def dataset_verdict(objective: ObjectiveEvidence, rival: ObjectiveEvidence, dataset: str) -> Verdict:
    """`objective` against `rival` on `dataset`."""
    mine, theirs = objective.per_dataset[dataset], rival.per_dataset[dataset]
    a, b = reading(objective, _summary(mine)), reading(objective, _summary(theirs))
    means_apart = mean_gap_beyond_noise(a, b)
    apart = behind_leader(a, b) > 0 or behind_leader(b, a) > 0
    borrowed = any(s.n == 1 and s.error is not None for s in (mine, theirs))  # a single seed's noise, not seen
    if apart and not means_apart and borrowed:
        return Verdict.ONE_SEED
    if behind_leader(a, b) > 0:
        return Verdict.WORSE if means_apart and a[0] < b[0] else Verdict.LESS_CONSISTENT
    if behind_leader(b, a) > 0:
        return Verdict.BETTER if means_apart and a[0] > b[0] else Verdict.MORE_CONSISTENT
    return Verdict.TIED


def compare(objective: ObjectiveEvidence, rival: ObjectiveEvidence, rival_label: str) -> Comparison | None:
    """`objective` against `rival` on every dataset both were scored on (None: no shared dataset)."""
    shared = sorted(set(objective.scored_on) & set(rival.scored_on))
    if not shared:
        return None
    return Comparison(
        metric=objective.metric,
        unit=objective.unit,
        higher_is_better=objective.higher_is_better,
        scale=objective.scale,
        reference=objective.reference,
        rival=rival_label,
        datasets=[
            DatasetComparison(
                dataset=dataset,
                verdict=dataset_verdict(objective, rival, dataset),
                mine=objective.per_dataset[dataset],
                theirs=rival.per_dataset[dataset],
            )
            for dataset in shared
        ],
    )
