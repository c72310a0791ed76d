"""Trade-offs between needs: what the best for one need gives up on another need's primary objective.

The best for a need is its tie set (every candidate at the top need score), never one picked by
name; each of them is compared with each best of the other need. When the two tie sets share a
candidate there is no trade-off between those needs.
"""

from __future__ import annotations

from advisor.cards import Need
from advisor.rules.answer import RankedCandidate, Tradeoff
from advisor.rules.compare import compare

__all__ = ["tradeoffs"]


def _best(ranked: list[RankedCandidate], need: str) -> list[RankedCandidate]:
    top = max(r.need_scores[need] for r in ranked)
    return [r for r in ranked if r.need_scores[need] == top]


def tradeoffs(needs: list[Need], ranked: list[RankedCandidate]) -> list[Tradeoff]:
    """For each ordered pair of needs whose best candidates differ: how the first's best fare on the second's
    primary objective against the second's best."""
    if not ranked:
        return []
    bests = {need.name: _best(ranked, need.name) for need in needs}
    records = []
    for need in needs:
        for other in needs:
            mine, theirs = bests[need.name], bests[other.name]
            if other is need or not other.objectives or {r.label for r in mine} & {r.label for r in theirs}:
                continue
            primary = other.objectives[0]
            comparisons = [
                comparison
                for a in mine
                for b in theirs
                if primary in a.objectives
                and primary in b.objectives
                and (comparison := compare(a.objectives[primary], b.objectives[primary], b.label))
            ]
            if comparisons:
                records.append(
                    Tradeoff(
                        need=need.name,
                        best=[r.label for r in mine],
                        other_need=other.name,
                        other_best=[r.label for r in theirs],
                        comparisons=comparisons,
                    )
                )
    return records
