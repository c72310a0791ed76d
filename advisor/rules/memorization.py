"""Memorization beside quality: candidates whose samples sit on their training rows.

Copying training rows buys quality numbers, not speed or likelihood, so this concerns the needs
ranked on a quality metric. A candidate is said to memorize where the `memorization` metric (share
of samples closer to a training row than held-out rows are; fresh data reads about 0.05, copies 1)
reaches `MEMORIZATION_WARNING` on some dataset; when every winner does, the answer also names the
best-ranked candidate that does not.
"""

from __future__ import annotations

from advisor.cards import Need
from advisor.rules.answer import Caveat, CaveatCode, RankedCandidate, WithoutCopying
from advisor.rules.evidence import Evidence

__all__ = ["MEMORIZATION", "MEMORIZATION_WARNING", "best_without_copying", "caveats", "copying", "copying_by_need"]

#: the metric that says a family copies its training rows, and the share of samples past which it is said
MEMORIZATION = "memorization"
MEMORIZATION_WARNING = 0.25  # held-out real rows score about 0.05, copies of training rows 1


def _shares(evidence: Evidence, r: RankedCandidate) -> dict[str, float]:
    """Dataset -> share of `r`'s samples sitting on training rows, where it is past the warning."""
    by_dataset = evidence.values.get((r.family, r.sampler), {}).get(MEMORIZATION, {})
    return {d: s.mean for d, s in sorted(by_dataset.items()) if s.mean >= MEMORIZATION_WARNING}


def copying(evidence: Evidence, ranked: list[RankedCandidate]) -> set[str]:
    """The labels of the ranked candidates that memorize somewhere."""
    return {r.label for r in ranked if _shares(evidence, r)}


def caveats(evidence: Evidence, ranked: list[RankedCandidate]) -> list[Caveat]:
    """One caveat per memorizing candidate, with its share per dataset."""
    return [
        Caveat(code=CaveatCode.MEMORIZES, subjects=[r.label], datasets=list(high), numbers=high)
        for r in ranked
        if (high := _shares(evidence, r))
    ]


def copying_by_need(evidence: Evidence, needs: list[Need], copiers: set[str]) -> dict[str, set[str]]:
    """Need -> the memorizing candidates' labels, for the needs ranked on a quality metric."""
    return {
        need.name: copiers
        for need in needs
        if any(spec.category == "quality" for m in need.objectives if (spec := evidence.specs.get(m)))
    }


def best_without_copying(ranked: list[RankedCandidate], copiers: set[str]) -> WithoutCopying | None:
    """When every winner memorizes: the best-ranked candidates that do not, tied ones together (else None)."""
    if not ranked or not all(r.label in copiers for r in ranked if r.rank == 1):
        return None
    clean = [r for r in ranked if r.label not in copiers]
    if not clean:
        return None
    best = [r.label for r in clean if r.rank == clean[0].rank]
    return WithoutCopying(candidates=best, rank=clean[0].rank, score=clean[0].score)
