"""The limits of a ranking's evidence, as `Caveat` records: what was left out, thin or failed.

Each builder returns records with a code, the candidates and datasets concerned and the numbers;
several records of one code are merged into one line when they are said (`advisor.wording`).
"""

from __future__ import annotations

import statistics

from advisor.cards import Need
from advisor.rules.answer import Caveat, CaveatCode, RankedCandidate
from advisor.rules.evidence import Evidence
from advisor.rules.scoring import Scope
from advisor.store.status import RunStatus

__all__ = ["of_ranking"]


def of_ranking(
    evidence: Evidence, needs: list[Need], ranked: list[RankedCandidate], scopes: dict[str, Scope]
) -> list[Caveat]:
    """Every caveat of a ranking: nothing ranked, datasets left out, missing objectives, single seeds, failures."""
    return (
        _filters_only(needs, ranked)
        + _left_out(scopes)
        + _missing_objectives(needs, ranked)
        + _single_seeds(ranked)
        + _failures(evidence, ranked)
        + _none_good(evidence, ranked)
    )


def _filters_only(needs: list[Need], ranked: list[RankedCandidate]) -> list[Caveat]:
    """When no need has a measured objective, the candidates are listed level."""
    if ranked and not any(n.objectives for n in needs):
        return [Caveat(code=CaveatCode.FILTERS_ONLY, needs=[n.name for n in needs])]
    return []


def _left_out(scopes: dict[str, Scope]) -> list[Caveat]:
    """Which datasets each comparison left out, and which candidates lack them."""
    caveats = []
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for metric, scope in scopes.items():
        if not scope.shared:
            caveats.append(Caveat(code=CaveatCode.NO_SHARED_DATASET, metrics=[metric]))
        for dataset, missing in scope.left_out.items():
            grouped.setdefault((dataset, tuple(missing)), []).append(metric)
    caveats += [
        Caveat(code=CaveatCode.LEFT_OUT, subjects=list(missing), datasets=[dataset], metrics=metrics)
        for (dataset, missing), metrics in grouped.items()
    ]
    return caveats


def _missing_objectives(needs: list[Need], ranked: list[RankedCandidate]) -> list[Caveat]:
    """Each ranked candidate whose need score lacks a secondary objective its rivals have.

    An objective no candidate has here (a table's column metrics on images) concerns no one.
    """
    measured = {m for r in ranked for m in r.objectives}
    return [
        Caveat(code=CaveatCode.MISSING_OBJECTIVE, subjects=[r.label], needs=[need.name], metrics=missing)
        for r in ranked
        for need in needs
        if (missing := [m for m in need.objectives[1:] if m not in r.objectives and m in measured])
    ]


def _single_seeds(ranked: list[RankedCandidate]) -> list[Caveat]:
    """One caveat per dataset and code where some candidate has one seed only: its noise borrowed from the other
    candidates' seeds there (`evidence._single_seed_noise`), or unqualified where there were none."""
    single: dict[tuple[str, CaveatCode], set[str]] = {}
    for r in ranked:
        for objective in r.objectives.values():
            for dataset in objective.scored_on:
                summary = objective.per_dataset[dataset]
                if summary.n == 1:
                    code = CaveatCode.SINGLE_SEED_BORROWED if summary.error is not None else CaveatCode.SINGLE_SEED
                    single.setdefault((dataset, code), set()).add(r.label)
    return [
        Caveat(code=code, subjects=sorted(labels), datasets=[dataset])
        for (dataset, code), labels in sorted(single.items())
    ]


def _failures(evidence: Evidence, ranked: list[RankedCandidate]) -> list[Caveat]:
    """Each ranked candidate whose runs failed on a dataset, with the counts by status and the completed runs."""
    caveats = []
    for r in ranked:
        for dataset, statuses in sorted(evidence.run_counts.get((r.family, r.sampler), {}).items()):
            failed = {str(s): float(statuses[s]) for s in RunStatus.failures() if statuses.get(s)}
            if failed:
                numbers = {**failed, RunStatus.COMPLETE.value: float(statuses.get(RunStatus.COMPLETE, 0))}
                caveats.append(
                    Caveat(code=CaveatCode.FAILED_RUNS, subjects=[r.label], datasets=[dataset], numbers=numbers)
                )
    return caveats


def _none_good(evidence: Evidence, ranked: list[RankedCandidate]) -> list[Caveat]:
    """When every candidate graded on the calibrated scale is "low": the winner is the best of poor models,
    with each one's mean C2ST."""
    graded = [r for r in ranked if r.quality_grade]
    if not graded or any(r.quality_grade != "low" for r in graded):
        return []
    c2st = {
        r.label: statistics.fmean(s.mean for s in evidence.values[(r.family, r.sampler)]["c2st"].values())
        for r in graded
    }
    return [Caveat(code=CaveatCode.NONE_GOOD, subjects=[r.label for r in graded], numbers=c2st)]
