"""A prior for tables like yours: before measuring, how each candidate did on the measured tables nearest
to the user's in meta-features (`advisor.data.meta_features`).

The tables are compared on their standardized meta-features (each feature's mean and spread over the
measured tables), by root-mean-square distance; the `NEIGHBOURS` nearest are the evidence. On each, a
candidate is "first" when its score for the needs is the best or within seed noise of it (a tie
counts for every tied candidate), and it gets its rank there. Candidates are ranked by the share of
the neighbours on which they were first, then by mean rank; the picks are every candidate level with
the top (never one chosen by name). The answer says how near the neighbours are against the typical
distance between two measured tables. The idea is auto-sklearn's meta-learned warm start (Feurer et
al. 2015) and TabRepo's zero-shot portfolios (Salinas & Erickson 2024), on this project's evidence.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping

from advisor.cards import Need
from advisor.data.meta_features import META_FEATURES
from advisor.rules.answer import Neighbour, Prior, PriorCandidate
from advisor.rules.engine import scores_by_table
from advisor.rules.evidence import Evidence, candidate_label
from advisor.stats.friedman import table_ranks

__all__ = ["NEAR", "NEIGHBOURS", "prior_for", "prior_from_scores"]

#: how many of the nearest measured tables the prior reads
NEIGHBOURS = 10
#: a table at distance d weighs 1 / (d + NEAR x the typical distance): a copy of yours outweighs the rest
NEAR = 0.05


def prior_for(
    evidence: Evidence,
    needs: list[Need],
    family_cards: dict[str, dict],
    meta: Mapping[str, float],
    *,
    exclude: Iterable[str] = (),
    neighbours: int = NEIGHBOURS,
    near: float = NEAR,
) -> Prior | None:
    """The prior for a table with meta-features `meta` from the tables of `evidence` whose cards carry theirs
    (`exclude`: tables not to read, e.g. the table itself when it is left out). None without two such tables."""
    excluded = set(exclude)
    metas = {
        name: card["meta"]
        for name, card in evidence.datasets.items()
        if name not in excluded and isinstance(card.get("meta"), dict)
    }
    scores = scores_by_table(evidence.restricted(metas), needs, family_cards)
    families = {candidate_label(c): c[0] for c in evidence.candidates}
    return prior_from_scores(scores, metas, meta, families, [n.name for n in needs], neighbours=neighbours, near=near)


def prior_from_scores(
    scores: Mapping[str, Mapping[str, float]],
    metas: Mapping[str, Mapping[str, float]],
    meta: Mapping[str, float],
    families: Mapping[str, str],
    needs: list[str],
    *,
    neighbours: int = NEIGHBOURS,
    near: float = NEAR,
) -> Prior | None:
    """The prior from per-table scores (`engine.scores_by_table`: table -> label -> score) and the tables'
    meta-features (`metas`; tables without scores are skipped); `families`: label -> family. None without two
    tables. What `prior_for` computes once the scores are known (a benchmark reuses them across folds)."""
    metas = {t: m for t, m in metas.items() if scores.get(t)}
    if len(metas) < 2:
        return None
    scale = _scales(metas.values())
    nearest = sorted(((_distance(meta, m, scale), t) for t, m in metas.items()), key=lambda pair: pair[0])
    chosen = nearest[:neighbours]
    pairwise = [_distance(a, b, scale) for i, a in enumerate(metas.values()) for b in list(metas.values())[i + 1 :]]
    typical = statistics.median(pairwise)
    firsts: dict[str, int] = {}
    ranks: dict[str, list[float]] = {}
    weighted: dict[str, list[tuple[float, float, float]]] = {}  # label -> (weight, first, rank) per table
    for distance, table in chosen:
        weight = 1.0 / (distance + near * typical)  # a nearer table counts more; a copy of yours counts most
        by_candidate = scores[table]
        best = max(by_candidate.values())
        for label, rank in table_ranks(by_candidate).items():
            first = float(by_candidate[label] == best)
            ranks.setdefault(label, []).append(rank)
            firsts[label] = firsts.get(label, 0) + int(first)
            weighted.setdefault(label, []).append((weight, first, rank))
    standing = {label: _weighted(rows) for label, rows in weighted.items()}
    candidates = sorted(
        (
            PriorCandidate(
                label=label, family=families[label], first=firsts[label], of=len(r), mean_rank=statistics.fmean(r)
            )
            for label, r in ranks.items()
        ),
        key=lambda c: (standing[c.label], c.label),  # the label only orders a tie's listing
    )
    picks = [c.label for c in candidates if standing[c.label] == standing[candidates[0].label]]
    return Prior(
        needs=needs,
        neighbours=[Neighbour(table=t, distance=d) for d, t in chosen],
        candidates=candidates,
        picks=picks,
        typical_distance=typical,
    )


def _weighted(rows: list[tuple[float, float, float]]) -> tuple[float, float]:
    """A candidate's standing (lower is better): minus its weighted share of tables won, then its weighted mean rank."""
    total = math.fsum(w for w, _, _ in rows)
    return -math.fsum(w * first for w, first, _ in rows) / total, math.fsum(w * rank for w, _, rank in rows) / total


def _scales(metas: Iterable[Mapping[str, float]]) -> dict[str, tuple[float, float]]:
    """Each meta-feature's mean and standard deviation over the measured tables (1 where it does not vary)."""
    values = list(metas)
    scales = {}
    for feature in META_FEATURES:
        column = [m.get(feature, 0.0) for m in values]
        spread = statistics.pstdev(column)
        scales[feature] = (statistics.fmean(column), spread if spread > 0 else 1.0)
    return scales


def _distance(a: Mapping[str, float], b: Mapping[str, float], scale: Mapping[str, tuple[float, float]]) -> float:
    """Root-mean-square difference of standardized meta-features."""
    squares = [((a.get(f, 0.0) - b.get(f, 0.0)) / scale[f][1]) ** 2 for f in META_FEATURES]
    return math.sqrt(statistics.fmean(squares))
