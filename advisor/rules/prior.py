"""A prior for tables like yours: before measuring, how each candidate did on the measured tables nearest
to the user's in meta-features (`advisor.data.meta_features`).

The tables are compared on their standardized meta-features (each feature's mean and spread over the
measured tables), by root-mean-square distance; the `NEIGHBOURS` nearest are the evidence. On each, a
candidate is "first" when it is in the table's tie set for the needs (`seed_robust.tie_sets`: first with
every seed or with any one left out, or scoring between; a tie counts for every tied candidate), and it
gets its rank there. Candidates are ranked by the share of the neighbours on which they were first
(or, with `RANK_BY` = "score", by their mean score there), weighted by nearness, then by mean rank; the
picks are every candidate level with the top (never one chosen by name). The answer says how near the
neighbours are against the typical distance between two measured tables, and how far to trust the
prior: its `track_record`, each measured table left out and predicted from the others, beside the same
for the overall best (`overall_best`), which ignores which table it is. The same record says which
families a race on the user's table needs (`shortlist`): the fewest of the prior's, in its order, that
held one of a table's winners on `SHORTLIST_COVERAGE` of the measured tables. The idea is auto-sklearn's
meta-learned warm start (Feurer et al. 2015) and TabRepo's zero-shot portfolios (Salinas & Erickson
2024), on this project's evidence.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace

from advisor.cards import Need
from advisor.data.meta_features import META_FEATURES
from advisor.rules.answer import Neighbour, Prior, PriorCandidate, Shortlist, ShortlistCode, TrackRecord
from advisor.rules.engine import scores_by_table, tie_sets_by_table
from advisor.rules.evidence import Evidence, candidate_label
from advisor.stats.friedman import table_ranks

__all__ = [
    "CRITERIA",
    "NEAR_SHARE",
    "RANK_BY",
    "SMOOTHING",
    "NEIGHBOURS",
    "SHORTLIST_COVERAGE",
    "SHORTLIST_TABLES",
    "PriorEvidence",
    "every_candidate_asked",
    "families_in_order",
    "hit",
    "judged_prior",
    "prior_evidence",
    "overall_best",
    "prior_from",
    "regret",
    "shortlist",
    "track_record",
]

#: how many of the nearest measured tables the prior reads
NEIGHBOURS = 10
#: a table at distance d weighs 1 / (d + SMOOTHING x the typical distance): a copy of yours outweighs the rest
SMOOTHING = 0.05
#: the nearest table is "near" within this share of the typical distance between two measured tables
NEAR_SHARE = 0.5
#: what ranks the candidates on the neighbours: "wins" (the weighted share of tables where a candidate was first
#: or tied first, then its weighted mean rank) or "score" (its weighted mean score there: the least regret)
RANK_BY = "wins"
CRITERIA = ("wins", "score")
#: a race measures the fewest of the prior's families that held one of a table's winners on this share of the
#: measured tables, each left out and predicted from the others
SHORTLIST_COVERAGE = 0.95
#: the fewest measured tables a shortlist is judged on (on fewer, every candidate is raced)
SHORTLIST_TABLES = 10


@dataclass(frozen=True)
class PriorEvidence:
    """What a prior reads: each measured table's scores for the needs (label -> score, 1 = best or tied with
    it; `engine.scores_by_table`), tie set (`seed_robust.tie_sets`) and meta-features, and each candidate
    label's family."""

    needs: list[str]
    scores: Mapping[str, Mapping[str, float]]
    tie_sets: Mapping[str, frozenset[str]]
    metas: Mapping[str, Mapping[str, float]]
    families: Mapping[str, str]

    def without(self, tables: Iterable[str]) -> PriorEvidence:
        """The same evidence with `tables` left out, without scoring the others again. Nearly what
        `prior_evidence` gives without them: a table's scores read its own runs, but which candidates are
        ranked (those measured on enough tables) and each objective's scope are decided over every table."""
        out = set(tables)
        return replace(
            self,
            scores={t: s for t, s in self.scores.items() if t not in out},
            tie_sets={t: s for t, s in self.tie_sets.items() if t not in out},
            metas={t: m for t, m in self.metas.items() if t not in out},
        )


def prior_evidence(
    evidence: Evidence, needs: list[Need], family_cards: dict[str, dict], *, exclude: Iterable[str] = ()
) -> PriorEvidence:
    """The tables of `evidence` whose cards carry meta-features and that score candidates for `needs`
    (`exclude`: tables not to read, e.g. the user's own when it is also measured)."""
    excluded = set(exclude)
    metas = {
        name: card["meta"]
        for name, card in evidence.datasets.items()
        if name not in excluded and isinstance(card.get("meta"), dict)
    }
    measured = evidence.restricted(metas)
    scores = {t: s for t, s in scores_by_table(measured, needs, family_cards).items() if s}
    return PriorEvidence(
        needs=[n.name for n in needs],
        scores=scores,
        tie_sets=tie_sets_by_table(measured, needs, family_cards, scores),
        metas={t: m for t, m in metas.items() if t in scores},
        families={candidate_label(c): c[0] for c in evidence.candidates},
    )


def judged_prior(
    evidence: Evidence,
    needs: list[Need],
    family_cards: dict[str, dict],
    meta: Mapping[str, float],
    *,
    exclude: Iterable[str] = (),
) -> Prior | None:
    """The prior for a table with meta-features `meta` from the tables of `evidence` whose cards carry theirs
    (`exclude`: tables not to read, e.g. the table itself when it is left out), with the shipped settings, its
    track record on those tables and the shortlist a race measures: what `recommend --data` starts from. None
    without two such tables."""
    found = prior_evidence(evidence, needs, family_cards, exclude=exclude)
    prior = prior_from(found, meta)
    if prior is not None:
        prior.track_record = track_record(found)
        prior.shortlist = shortlist(prior)
    return prior


def prior_from(
    evidence: PriorEvidence,
    meta: Mapping[str, float],
    *,
    neighbours: int = NEIGHBOURS,
    smoothing: float = SMOOTHING,
    rank_by: str = RANK_BY,
) -> Prior | None:
    """The prior for a table with meta-features `meta` from `evidence`'s tables; None without two. `rank_by`
    is one of `CRITERIA`."""
    if rank_by not in CRITERIA:
        raise ValueError(f"rank_by must be one of {CRITERIA}, not {rank_by!r}")
    metas, scores = evidence.metas, evidence.scores
    if len(metas) < 2:
        return None
    scale = _scales(metas.values())
    nearest = sorted(((_distance(meta, m, scale), t) for t, m in metas.items()), key=lambda pair: pair[0])
    chosen = nearest[:neighbours]
    pairwise = [_distance(a, b, scale) for i, a in enumerate(metas.values()) for b in list(metas.values())[i + 1 :]]
    typical = statistics.median(pairwise)
    firsts: dict[str, int] = {}
    ranks: dict[str, list[float]] = {}
    weighted: dict[str, list[tuple[float, float, float, float]]] = {}  # label -> (weight, first, rank, score)
    for distance, table in chosen:
        # a nearer table counts more, a copy of yours most (tables all alike: equal weights, never 1 / 0)
        weight = 1.0 / (distance + smoothing * typical) if distance + smoothing * typical > 0 else 1.0
        by_candidate = scores[table]
        for label, rank in table_ranks(by_candidate).items():
            first = float(label in evidence.tie_sets[table])
            ranks.setdefault(label, []).append(rank)
            firsts[label] = firsts.get(label, 0) + int(first)
            weighted.setdefault(label, []).append((weight, first, rank, by_candidate[label]))
    standing = {label: _weighted(rows, rank_by) for label, rows in weighted.items()}
    candidates = sorted(
        (
            PriorCandidate(
                label=label,
                family=evidence.families[label],
                first=firsts[label],
                of=len(r),
                mean_rank=statistics.fmean(r),
            )
            for label, r in ranks.items()
        ),
        key=lambda c: (standing[c.label], c.label),  # the label only orders a tie's listing
    )
    picks = [c.label for c in candidates if standing[c.label] == standing[candidates[0].label]]
    return Prior(
        needs=evidence.needs,
        neighbours=[Neighbour(table=t, distance=d) for d, t in chosen],
        candidates=candidates,
        picks=picks,
        typical_distance=typical,
        near=min(d for d, _ in chosen) <= NEAR_SHARE * typical,
    )


def hit(picks: Sequence[str], tie_set: Set[str]) -> float:
    """The share of `picks` in `tie_set` (a tie of picks counts fractionally; 0 without picks)."""
    return sum(p in tie_set for p in picks) / len(picks) if picks else 0.0


def overall_best(evidence: PriorEvidence) -> list[str]:
    """The labels with the best average rank over the tables each was scored on, among those scored on at least
    half of `evidence`'s tables (as the prior reads every candidate where it was measured): the pick that
    ignores which table it is."""
    ranks = [table_ranks(scores) for scores in evidence.scores.values()]
    seen: dict[str, list[float]] = {}
    for by_label in ranks:
        for label, rank in by_label.items():
            seen.setdefault(label, []).append(rank)
    average = {label: statistics.fmean(r) for label, r in seen.items() if 2 * len(r) >= len(ranks)}
    least = min(average.values(), default=None)
    return sorted(label for label, rank in average.items() if rank == least)


def regret(picks: Sequence[str], scores: Mapping[str, float]) -> float:
    """How far the picks' score on a table falls short of the best there (0: a pick is best; scores run 0-1)."""
    if not picks:
        return 1.0
    return statistics.fmean(max(scores.values()) - scores.get(p, 0.0) for p in picks)


def track_record(
    evidence: PriorEvidence, *, neighbours: int = NEIGHBOURS, smoothing: float = SMOOTHING, rank_by: str = RANK_BY
) -> TrackRecord | None:
    """How the prior has done: leave each table of `evidence` out, and score the prior from the others by
    whether its picks are in the table's tie set, and by how far their score there falls short of the best
    (`regret`); beside it, the same for the overall best of the other tables (`overall_best`), which ignores
    which table it is; and where the table's first winning family came in the prior's order of families (None
    where the prior ranked none of them: a miss for any shortlist), with how far the table lay from the others
    (what `shortlist` is judged on). None without three tables."""
    hits, ties, regrets, overall_hits, overall_regrets, family_ranks, nearest = [], [], [], [], [], [], []
    for table in evidence.scores:
        rest = evidence.without([table])
        prior = prior_from(
            rest,
            evidence.metas[table],
            neighbours=neighbours,
            smoothing=smoothing,
            rank_by=rank_by,
        )
        if prior is not None:
            tie_set = evidence.tie_sets[table]
            hits.append(hit(prior.picks, tie_set))
            ties.append(len(tie_set))
            regrets.append(regret(prior.picks, evidence.scores[table]))
            overall = overall_best(rest)
            overall_hits.append(hit(overall, tie_set))
            overall_regrets.append(regret(overall, evidence.scores[table]))
            winning = {evidence.families[label] for label in tie_set}
            order = families_in_order(prior)
            family_ranks.append(next((i for i, f in enumerate(order, 1) if f in winning), None))
            nearest.append(_nearest_share(prior))
    if len(hits) < 2:
        return None
    return TrackRecord(
        tables=len(hits),
        hits=math.fsum(hits),
        mean_tie_set=statistics.fmean(ties),
        mean_regret=statistics.fmean(regrets),
        overall_hits=math.fsum(overall_hits),
        overall_mean_regret=statistics.fmean(overall_regrets),
        family_ranks=family_ranks,
        farthest=max(nearest),
    )


def families_in_order(prior: Prior) -> list[str]:
    """The prior's families, each at its best-placed candidate (a family stands at its best sampler)."""
    return list(dict.fromkeys(c.family for c in prior.candidates))


def shortlist(prior: Prior, coverage: float = SHORTLIST_COVERAGE) -> Shortlist | None:
    """Which families a race on the user's table needs: the fewest of the prior's, in its order, whose first
    family of each measured table's tie set (that table left out, predicted from the others: the track record)
    was among them on at least `coverage` of the tables. Every candidate is raced instead (the code says why)
    when fewer than `SHORTLIST_TABLES` tables judge it, when only every family would do, or when the user's table
    lies farther from its nearest measured table than any measured table lay from the rest: the record says
    nothing about a table so unlike them. None without a track record."""
    record = prior.track_record
    if record is None or not record.family_ranks:
        return None
    order = families_in_order(prior)
    nearest = _nearest_share(prior)

    def held(k: int) -> int:  # tables whose first winning family is among the prior's first k
        return sum(r is not None and r <= k for r in record.family_ranks)

    size = next((k for k in range(1, len(order)) if held(k) >= coverage * record.tables), len(order))
    if record.tables < SHORTLIST_TABLES:
        code = ShortlistCode.FEW_TABLES
    elif nearest > record.farthest:
        code = ShortlistCode.FAR
    elif size >= len(order):
        code = ShortlistCode.EVERY_FAMILY
    else:
        code = ShortlistCode.SHORTLIST
    return Shortlist(
        code=code,
        families=order[:size] if code == ShortlistCode.SHORTLIST else [],
        held=held(size),
        tables=record.tables,
        fewest_tables=SHORTLIST_TABLES,
        coverage=coverage,
        nearest=nearest,
        farthest=record.farthest,
    )


def every_candidate_asked(prior: Prior | None) -> Prior | None:
    """`prior` for a race the user asked to run on every candidate: its shortlist says so (code ASKED)."""
    if prior is None or prior.shortlist is None:
        return prior
    asked = prior.shortlist.model_copy(update={"code": ShortlistCode.ASKED, "families": [], "left_out": []})
    return prior.model_copy(update={"shortlist": asked})


def _nearest_share(prior: Prior) -> float:
    """How far the table lies from its nearest measured table, in typical distances between two measured tables."""
    nearest = prior.neighbours[0].distance if prior.neighbours else 0.0
    return nearest / prior.typical_distance if prior.typical_distance > 0 else 0.0


def _weighted(rows: list[tuple[float, float, float, float]], rank_by: str) -> tuple[float, float]:
    """A candidate's standing (lower is better): minus its weighted share of tables won ("wins") or its weighted
    mean score ("score"), then its weighted mean rank."""
    total = math.fsum(w for w, *_ in rows)
    primary = math.fsum(w * (first if rank_by == "wins" else score) for w, first, _, score in rows) / total
    return -primary, math.fsum(w * rank for w, _, rank, _ in rows) / total


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
