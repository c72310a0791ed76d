"""Candidates compared across the tables (datasets) of one kind by their ranks: Friedman, Nemenyi, Holm.

On each dataset a candidate's score for the needs is the mean of its objective scores there (1 =
best or within seed noise of the best, so a tie is a tie of ranks); `advisor.stats` ranks them per
table and says, across tables, which candidates cannot be told apart from the best (Holm's
step-down against the best, alpha 0.05; Demšar 2006). Only for an answer whose datasets are all of
one kind and number at least `MIN_TABLES`: pooling images with tables would rank unlike with unlike.
"""

from __future__ import annotations

import statistics

from advisor.cards import Need
from advisor.rules.answer import AcrossTables
from advisor.rules.evidence import Candidate, Evidence, candidate_label
from advisor.stats.friedman import compare_across_tables

__all__ = ["MIN_TABLES", "across_tables", "table_scores"]

#: fewer tables than this say nothing across tables (with 2, every rank difference is within the CD)
MIN_TABLES = 3


def table_scores(
    needs: list[Need], by_dataset: dict[str, dict[str, dict[Candidate, float]]]
) -> dict[str, dict[str, float]]:
    """Table -> candidate label -> its score for `needs` there: the mean of its objective scores on that table
    (`by_dataset`: objective -> table -> candidate -> score, as `scoring.scores_by_dataset` gives)."""
    gathered: dict[str, dict[str, list[float]]] = {}
    for metric in dict.fromkeys(m for need in needs for m in need.objectives if m in by_dataset):
        for dataset, by_candidate in by_dataset[metric].items():
            for candidate, score in by_candidate.items():
                gathered.setdefault(dataset, {}).setdefault(candidate_label(candidate), []).append(score)
    return {t: {c: statistics.fmean(s) for c, s in by_c.items()} for t, by_c in gathered.items()}


def across_tables(
    evidence: Evidence, needs: list[Need], by_dataset: dict[str, dict[str, dict[Candidate, float]]]
) -> AcrossTables | None:
    """The candidates' ranks across the datasets of `evidence` (None: mixed kinds, too few tables or candidates)."""
    kinds = {card.get("kind") for card in evidence.datasets.values()}
    scores = table_scores(needs, by_dataset)
    if len(kinds) != 1 or len(evidence.datasets) < MIN_TABLES or not scores:
        return None
    try:
        result = compare_across_tables(scores)
    except ValueError:  # fewer than two candidates, or than two tables with every candidate
        return None
    if len(result.tables) < MIN_TABLES:
        return None
    return AcrossTables(
        tables=list(result.tables),
        left_out={t: list(c) for t, c in result.left_out.items()},
        average_ranks=dict(sorted(result.average_ranks.items(), key=lambda item: (item[1], item[0]))),
        wins=result.wins,
        friedman_p=result.friedman_p,
        iman_davenport_p=result.iman_davenport_p,
        alpha=result.alpha,
        best=[c for c in result.candidates if result.average_ranks[c] == result.average_ranks[result.best]],
        indistinguishable=list(result.holm_indistinguishable),
        differ=result.differ,
    )
