"""How a ranking on the user's data differs from the ranking on the reference datasets."""

from __future__ import annotations

from advisor.rules.answer import Answer, RankingDifference

__all__ = ["ranking_difference"]


def ranking_difference(mine: Answer, reference: Answer) -> RankingDifference | None:
    """The winners on each side and each shared candidate's rank on both (None when either ranks no one)."""
    if not mine.ranked or not reference.ranked:
        return None
    theirs = {r.label: r.rank for r in reference.ranked}
    return RankingDifference(
        best_mine=mine.winners,
        best_reference=reference.winners,
        moved=[
            (r.label, theirs[r.label], r.rank) for r in mine.ranked if r.label in theirs and theirs[r.label] != r.rank
        ],
    )
