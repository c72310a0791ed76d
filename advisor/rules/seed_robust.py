"""Winners robust to one seed: three seeds tell little, so a lead that one seed makes or breaks is a tie.

The candidates first for the needs are read with every seed, then once with each seed left out, every
candidate losing the same seed (a jackknife over seeds; `engine.gather_for` reads these). The candidates
first in any of these readings are tied first: the answer ranks them all first (`engine.rank_evidence`,
saying which seed's absence puts each one ahead), and on one table they are its tie set, what the prior
counts as "first on a table" and what judging the advice counts as a hit. On the first 17 regenerated
tables, the best-quality winner of 7 was another candidate once the third seed was left out: a tie set
of one named there was a coin the third seed tossed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["first_without_a_seed", "tie_sets", "winners"]

TableScores = Mapping[str, Mapping[str, float]]  # table -> candidate label -> score for the needs


def winners(scores: Mapping[str, float]) -> set[str]:
    """The keys with the best score in one reading (several when level)."""
    return {key for key, score in scores.items() if score == max(scores.values())}


def first_without_a_seed(full: Mapping[str, float], reading: Mapping[str, float]) -> set[str]:
    """The keys first in `reading` (a seed left out) that every key ahead of them in `full` (every seed) is
    in `reading` too: a candidate whose only seed is left out does not make the next one first."""
    if not reading:
        return set()
    return {
        key for key in winners(reading) if key in full and all(k in reading for k, s in full.items() if s > full[key])
    }


def tie_sets(scores: TableScores, without_a_seed: Iterable[TableScores] = ()) -> dict[str, frozenset[str]]:
    """Table -> the candidates first on it with every seed (`scores`) or with a seed left out (`without_a_seed`,
    each read as `scores` was)."""
    ties = {table: winners(by_label) for table, by_label in scores.items() if by_label}
    for reading in without_a_seed:
        for table, by_label in reading.items():
            if table in ties:
                ties[table] |= first_without_a_seed(scores[table], by_label)
    return {table: frozenset(labels) for table, labels in ties.items()}
