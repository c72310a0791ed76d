"""Winners robust to one seed: three seeds tell little, so a lead that one seed makes or breaks is a tie.

The candidates first for the needs are read with every seed, then once with each seed left out, every
candidate losing the same seed (a jackknife over seeds; `engine.gather_for` reads these, keeping a
candidate's measurement where the seed left out is its only one there, and the spreads and rates across
seeds as every seed gave them). A candidate first in any of these readings is
tied first, and so is every candidate scoring between it and the top with every seed: the answer ranks
them all first (`engine.rank_evidence`, saying which seed's absence puts a candidate ahead), and on one
table they are its tie set, what the prior counts as "first on a table" and what judging the advice
counts as a hit. On the regenerated tables, the best-quality winner with three seeds is often another
candidate once one seed is left out: a tie set of one named there would be a coin that seed tossed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["tie_sets", "winners"]

TableScores = Mapping[str, Mapping[str, float]]  # table -> candidate label -> score for the needs


def winners(scores: Mapping[str, float]) -> set[str]:
    """The keys with the best score in one reading (several when level; none in an empty one)."""
    best = max(scores.values(), default=None)
    return {key for key, score in scores.items() if score == best}


def tie_sets(scores: TableScores, without_a_seed: Iterable[TableScores] = ()) -> dict[str, frozenset[str]]:
    """Table -> the candidates first on it with every seed (`scores`) or with a seed left out (`without_a_seed`,
    each read as `scores` was), and every candidate scoring between those and the top with every seed."""
    firsts = {table: winners(by_label) for table, by_label in scores.items() if by_label}
    for reading in without_a_seed:
        for table, by_label in reading.items():
            if table in firsts:
                firsts[table] |= winners(by_label) & set(scores[table])
    ties = {}
    for table, labels in firsts.items():
        floor = min(scores[table][label] for label in labels)
        ties[table] = frozenset(label for label, score in scores[table].items() if score >= floor)
    return ties
