"""The rule engine: hard requirements filter families, measured objectives rank the survivors.

A survivor is ranked when it has every need's primary (first) objective and was not measured on
fewer than half the datasets of its best-measured rival (a store a bench is still filling). Each
objective is scored in [0, 1] on the datasets every ranked candidate was measured on (scoring.py:
1 = best or within seed noise of it, averaged over datasets); a metric that is only a secondary
objective is read within the datasets of the primaries it qualifies. A need's score is the mean of
its objective scores, and several needs combine by their mean. Equal scores share a rank, and rank 1
reaches down to any candidate that would be first with one seed's runs left out of every candidate's
(seed_robust.py).

This module is the ranking core: it returns a typed `Answer` (answer.py) with the ranking, the
eliminations and why each other candidate is not first. The annotators add the rest: caveats
(caveats.py), claims (claim_checks.py), memorization (memorization.py), instability (stability.py),
scaling (scope.py) and trade-offs (tradeoffs.py). Nothing here writes English: `advisor.wording` does.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

from advisor.cards import MetricSpec, Need
from advisor.errors import AdvisorError
from advisor.rules import caveats, memorization
from advisor.rules.across import across_tables, table_scores
from advisor.rules.answer import (
    AcrossTables,
    Answer,
    DatasetSummary,
    Elimination,
    Nearest,
    NotRanked,
    NotRankedCode,
    ObjectiveEvidence,
    Peer,
    RankedCandidate,
)
from advisor.rules.claim_checks import check_claims
from advisor.rules.compare import compare
from advisor.rules.derived import DERIVED_OBJECTIVES
from advisor.rules.evidence import Candidate, Evidence, candidate_label, gather
from advisor.rules.grades import calibrated_quality, legend
from advisor.rules.scope import evidence_scope, scaling_records
from advisor.rules.scoring import Scope, mean_scores, scope_of, scores_by_dataset
from advisor.rules.seed_robust import tie_sets, winners
from advisor.rules.stability import instability_records
from advisor.rules.tradeoffs import tradeoffs
from advisor.store.engine import Store

ObjectiveScores = dict[str, dict[str, dict[Candidate, float]]]  # objective -> dataset -> candidate -> score
SeedReading = tuple[list[Candidate], ObjectiveScores]  # scored without a seed: the candidates ranked, their scores

__all__ = [
    "NoMeasurements",
    "gather_for",
    "no_measurements",
    "rank_evidence",
    "recommend",
    "requirement_failures",
    "scores_by_table",
]


class NoMeasurements(AdvisorError):
    """The store holds no measurements in the requested scope (exit code 1)."""


def no_measurements(location: str, **scope: str | None) -> NoMeasurements:
    """The error for a store with nothing measured in `scope` (budget, data kind, device)."""
    named = ", ".join(f"{key.replace('_', ' ')}={value}" for key, value in scope.items() if value)
    return NoMeasurements(f"no measurements in {location}{' for ' + named if named else ''}; run `advisor bench` first")


def requirement_failures(card: Mapping, needs: list[Need]) -> list[str]:
    """Why the family with `card` fails the hard requirements of `needs` (empty when it meets them)."""
    return [failure for need in needs for failure in need.unmet(card)]


def recommend(
    store: Store,
    needs: list[Need],
    family_cards: dict[str, dict],
    metric_specs: Mapping[str, MetricSpec],
    *,
    budget: str | None = None,
    datasets: tuple[str, ...] = (),
    data_kind: str | None = None,
    device: str | None = None,
) -> Answer:
    """Rank the measured candidates for `needs`.

    `family_cards` are the registered cards (by family), `metric_specs` the registered metrics' specs:
    how each objective is compared. A need without objectives only filters; when no need has one,
    every measured survivor is listed level with the first, and a caveat says nothing ranked them.
    """
    evidence = gather_for(
        store, needs, metric_specs, budget=budget, datasets=datasets, data_kind=data_kind, device=device
    )
    if not evidence.candidates:
        raise no_measurements(store.location, budget=budget, data_kind=data_kind, device=device)
    return rank_evidence(evidence, needs, family_cards)


def gather_for(store: Store, needs: list[Need], metric_specs: Mapping[str, MetricSpec], **scope: Any) -> Evidence:
    """The evidence `needs` rank by, within `scope` (budget, datasets, data_kind, device, first_seeds), with the
    same read again once per seed left out (`seed_robust`), where a dataset has several seeds and a need ranks
    on a mean over seeds."""
    objectives = list(dict.fromkeys(m for need in needs for m in need.objectives))
    over_seeds = [m for m in objectives if m not in DERIVED_OBJECTIVES]  # not spreads and rates across seeds
    if any(metric_specs.get(m) and metric_specs[m].category == "quality" for m in objectives):
        objectives.append(memorization.MEMORIZATION)  # not ranked: said beside quality where it is high
    evidence = gather(store, objectives, metric_specs, **scope)
    if over_seeds and any(len(seeds) > 1 for seeds in evidence.seeds.values()):
        same = {**scope, "budget": evidence.budget}
        for seed in sorted(set().union(*evidence.seeds.values())):
            resampled = gather(store, objectives, metric_specs, left_out_seed=seed, **same)
            evidence.without_a_seed[seed] = _reading_without_a_seed(resampled, evidence, over_seeds)
    return evidence


def _reading_without_a_seed(resampled: Evidence, evidence: Evidence, ranked_on: list[str]) -> Evidence:
    """`resampled` (`evidence` read with a seed left out) as the jackknife compares it: the objectives computed
    across seeds (the derived ones: failure and unstable rates, the seed spread) as every seed gave them, for
    two seeds' spread is no estimate of three's; and each candidate's measurement of a metric in `ranked_on`
    kept where the seed left out was its only one there, for leaving it out would take the candidate out of
    the comparison (change what is compared), not show how its numbers vary."""
    resampled.datasets = dict(evidence.datasets)
    for candidate, by_metric in evidence.values.items():
        kept = resampled.values.setdefault(candidate, {})
        for metric, by_dataset in by_metric.items():
            if metric in DERIVED_OBJECTIVES:
                kept[metric] = dict(by_dataset)
            elif metric in ranked_on:
                for dataset, summary in by_dataset.items():
                    kept.setdefault(metric, {}).setdefault(dataset, summary)
    return resampled


def rank_evidence(evidence: Evidence, needs: list[Need], family_cards: dict[str, dict]) -> Answer:
    """Rank the candidates of gathered `evidence` for `needs` (see `recommend`), with every annotation."""
    cards = {**family_cards, **evidence.cards}
    eliminated, survivors = [], []
    for family in sorted(cards):
        if failures := requirement_failures(cards[family], needs):
            eliminated.append(Elimination(family=family, reasons=failures))
        else:
            survivors += [c for c in evidence.candidates if c[0] == family]
    measured_families = {c[0] for c in evidence.candidates}
    unmeasured = [
        NotRanked(family=f, code=NotRankedCode.NOT_MEASURED)
        for f in sorted(cards)
        if f not in measured_families and not requirement_failures(cards[f], needs)
    ]
    rankable, not_ranked, scopes, by_dataset = _scored(evidence, survivors, needs)
    scores = {m: mean_scores(per_dataset) for m, per_dataset in by_dataset.items()}
    readings = _scored_without_a_seed(evidence, rankable, needs)
    ranked = [_rank(evidence, candidate, needs, scores, scopes) for candidate in rankable]
    ranked = _ranked(ranked, _seed_firsts(readings, needs))
    for r in ranked:
        if graded := calibrated_quality(evidence, (r.family, r.sampler)):
            r.quality_grade, r.quality_basis = graded
    copying = memorization.copying(evidence, ranked)
    return Answer(
        needs=[n.name for n in needs],
        budget=evidence.budget,
        datasets=sorted(evidence.datasets),
        ranked=ranked,
        winners=[r.label for r in ranked if r.rank == 1],
        pareto=_pareto(ranked) if len(needs) > 1 else [],
        eliminated=eliminated,
        unmeasured=unmeasured + not_ranked,
        claims=check_claims(needs, ranked, memorization.copying_by_need(evidence, needs, copying)),
        tradeoffs=tradeoffs(needs, ranked) if len(needs) > 1 else [],
        nearest=[] if ranked else _nearest(cards, measured_families, needs),
        caveats=caveats.of_ranking(evidence, needs, ranked, scopes) + memorization.caveats(evidence, ranked),
        instability=instability_records(evidence, ranked, scopes.get("unstable_rate")),
        scope=evidence_scope(evidence, cards),
        scaling=scaling_records(evidence, ranked, cards) if "sample_throughput" in scopes else [],
        peers=[
            Peer(candidate=r.label, library=library, rank=r.rank, of=len(ranked))
            for r in ranked
            if (library := cards.get(r.family, {}).get("peer_of"))
        ],
        quality_scale=legend(list(evidence.ladders.values())) if any(r.quality_grade for r in ranked) else None,
        without_copying=memorization.best_without_copying(ranked, copying),
        across_tables=_across(evidence, needs, by_dataset, readings),
    )


def _across(
    evidence: Evidence, needs: list[Need], by_dataset: ObjectiveScores, readings: Mapping[int, SeedReading]
) -> AcrossTables | None:
    """The ranks across tables (`across.across_tables`), each candidate's wins counted on the tables' tie sets
    robust to one seed (`seed_robust.tie_sets`, from the `readings` without a seed)."""
    across = across_tables(evidence, needs, by_dataset)
    if across is not None and readings:
        without = [table_scores(needs, scored) for _, scored in readings.values()]
        ties = tie_sets(table_scores(needs, by_dataset), without)
        across.wins = {c: sum(c in ties.get(t, ()) for t in across.tables) for c in across.wins}
    return across


def scores_by_table(
    evidence: Evidence, needs: list[Need], family_cards: dict[str, dict]
) -> dict[str, dict[str, float]]:
    """Table -> candidate label -> its score for `needs` on that table alone (1 = best or tied with the best),
    for the candidates `rank_evidence` would rank: what the prior and the across-tables ranking read."""
    cards = {**family_cards, **evidence.cards}
    survivors = [c for c in evidence.candidates if c[0] in cards and not requirement_failures(cards[c[0]], needs)]
    return table_scores(needs, _scored(evidence, survivors, needs)[3])


def tie_sets_by_table(
    evidence: Evidence, needs: list[Need], family_cards: dict[str, dict], scores: dict[str, dict[str, float]]
) -> dict[str, frozenset[str]]:
    """Table -> its tie set for `needs` (`seed_robust.tie_sets`): the candidates first with every seed (`scores`,
    from `scores_by_table` on `evidence`) or with any one seed left out (`evidence.without_a_seed`)."""
    return tie_sets(scores, [scores_by_table(r, needs, family_cards) for r in evidence.without_a_seed.values()])


def _scored(
    evidence: Evidence, survivors: list[Candidate], needs: list[Need]
) -> tuple[list[Candidate], list[NotRanked], dict[str, Scope], dict[str, dict[str, dict[Candidate, float]]]]:
    """The candidates to rank (and why the others are not), each objective's scope, and each objective's
    score per dataset for them: what the ranking and the per-table scores both start from."""
    rankable, not_ranked = _rankable(evidence, survivors, needs)
    scopes = _scopes(evidence, rankable, needs)
    return rankable, not_ranked, scopes, {m: scores_by_dataset(evidence, rankable, m, s) for m, s in scopes.items()}


def _scored_without_a_seed(evidence: Evidence, rankable: list[Candidate], needs: list[Need]) -> dict[int, SeedReading]:
    """Seed -> `rankable` scored as `_scored` does on the evidence read without that seed (`without_a_seed`):
    the candidates it ranks and each objective's score per dataset for them."""
    readings = {}
    for seed, resampled in sorted(evidence.without_a_seed.items()):
        kept, _, _, by_dataset = _scored(resampled, rankable, needs)
        readings[seed] = (kept, by_dataset)
    return readings


def _seed_firsts(readings: Mapping[int, SeedReading], needs: list[Need]) -> dict[str, int]:
    """Label -> the first seed whose absence puts that candidate first (`readings`: `_scored_without_a_seed`)."""
    firsts: dict[str, int] = {}
    for seed, (kept, by_dataset) in readings.items():
        scores = {m: mean_scores(per_dataset) for m, per_dataset in by_dataset.items()}
        for label in sorted(winners({candidate_label(c): _need_scores(c, needs, scores)[1] for c in kept})):
            firsts.setdefault(label, seed)
    return firsts


def _ranked(ranked: list[RankedCandidate], seed_firsts: Mapping[str, int]) -> list[RankedCandidate]:
    """Order by score and share ranks on equal scores, rank 1 reaching down to every candidate first with a seed
    left out (`seed_robust`, `seed_firsts`: label -> that seed); say how each other candidate compares with the
    first, objective by objective."""
    ranked.sort(key=lambda r: (-r.score, r.family, r.sampler))  # the name orders a tie's listing only
    top = ranked[0].score if ranked else None
    for r in ranked:
        if r.score != top and r.label in seed_firsts:
            r.first_without_seed = seed_firsts[r.label]
    floor = min((r.score for r in ranked if r.score == top or r.first_without_seed is not None), default=None)
    for position, r in enumerate(ranked):
        level = position and r.score == ranked[position - 1].score
        r.rank = 1 if r.score >= floor else ranked[position - 1].rank if level else position + 1
    if ranked:
        first = ranked[0]
        for other in ranked[1:]:
            other.why_not_first = [
                comparison
                for metric, objective in other.objectives.items()
                if metric in first.objectives
                and (comparison := compare(objective, first.objectives[metric], first.label))
            ]
    return ranked


def _nearest(cards: dict[str, dict], measured: set[str], needs: list[Need]) -> list[Nearest]:
    """The measured families failing the fewest requirements (all of them when several fail as few)."""
    misses = {
        f: failures for f in sorted(measured) if f in cards and (failures := requirement_failures(cards[f], needs))
    }
    fewest = min((len(m) for m in misses.values()), default=0)
    return [Nearest(family=f, fails=m) for f, m in misses.items() if len(m) == fewest]


def _rankable(
    evidence: Evidence, survivors: list[Candidate], needs: list[Need]
) -> tuple[list[Candidate], list[NotRanked]]:
    """The candidates to rank, and why the others are not ranked.

    A candidate needs every need's primary objective; and one measured on fewer than half the
    datasets the best-measured candidate has for it (a store a bench is still filling) is set aside
    rather than shrinking everyone's comparison to the few datasets it has.
    """
    primaries = _primaries(needs)
    rankable, not_ranked = [], []
    for candidate in survivors:
        missing = [m for m in primaries if not evidence.values.get(candidate, {}).get(m)]
        if missing:
            not_ranked.append(
                NotRanked(family=candidate_label(candidate), code=NotRankedCode.MISSING_OBJECTIVE, metrics=missing)
            )
        else:
            rankable.append(candidate)
    thin: dict[Candidate, NotRanked] = {}
    for metric in primaries:
        most = max((len(evidence.values[c][metric]) for c in rankable), default=0)
        for c in rankable:
            have = len(evidence.values[c][metric])
            if 2 * have < most and c not in thin:
                label = candidate_label(c)
                thin[c] = NotRanked(family=label, code=NotRankedCode.THIN, metrics=[metric], have=have, most=most)
    return [c for c in rankable if c not in thin], not_ranked + list(thin.values())


def _scopes(evidence: Evidence, candidates: list[Candidate], needs: list[Need]) -> dict[str, Scope]:
    """The datasets each objective is compared on: a primary objective's common datasets; a metric that
    is only ever secondary is read within the datasets of the primaries it qualifies."""
    scopes = {m: scope_of(evidence, candidates, m) for m in _primaries(needs)}
    for need in needs:
        for m in need.objectives[1:]:
            if m in scopes:
                continue
            within = frozenset().union(*(scopes[n.objectives[0]].datasets for n in needs if m in n.objectives[1:]))
            scopes[m] = scope_of(evidence, candidates, m, within)
    return scopes


def _objective_evidence(
    evidence: Evidence, candidate: Candidate, metric: str, score: float, scope: Scope
) -> ObjectiveEvidence:
    spec = evidence.specs[metric]
    per_dataset = {
        dataset: DatasetSummary(**summary.as_dict())
        for dataset, summary in sorted(evidence.values[candidate][metric].items())
    }
    scored_on = sorted(d for d in per_dataset if d in scope.datasets)
    distances = [per_dataset[d].distance_mean for d in scored_on if per_dataset[d].distance_mean is not None]
    return ObjectiveEvidence(
        metric=metric,
        unit=spec.unit,
        higher_is_better=spec.higher_is_better,
        scale=spec.scale,
        reference=spec.reference,
        score=score,
        mean=statistics.fmean(per_dataset[d].mean for d in scored_on),
        per_dataset=per_dataset,
        scored_on=scored_on,
        distance=statistics.fmean(distances) if distances and len(distances) == len(scored_on) else None,
    )


def _rank(
    evidence: Evidence,
    candidate: Candidate,
    needs: list[Need],
    scores: dict[str, dict[Candidate, float]],
    scopes: dict[str, Scope],
) -> RankedCandidate:
    """`candidate`'s need scores (mean of its objective scores) and the evidence behind them."""
    need_scores, score = _need_scores(candidate, needs, scores)
    cited = {
        m: _objective_evidence(evidence, candidate, m, scores[m][candidate], scopes[m])
        for need in needs
        for m in need.objectives
        if candidate in scores.get(m, {})
    }
    return RankedCandidate(
        family=candidate[0],
        sampler=candidate[1],
        label=candidate_label(candidate),
        rank=1,
        score=score,
        need_scores=need_scores,
        objectives=cited,
        runs=evidence.runs.get(candidate, 0),
    )


def _need_scores(
    candidate: Candidate, needs: list[Need], scores: Mapping[str, Mapping[Candidate, float]]
) -> tuple[dict[str, float], float]:
    """`candidate`'s score per need (the mean of its objective scores) and overall (their mean)."""
    need_scores = {}
    for need in needs:
        have = [m for m in need.objectives if candidate in scores.get(m, {})]  # the primary always is, when ranked
        # a need without objectives only filters: every survivor meets it equally
        need_scores[need.name] = statistics.fmean(scores[m][candidate] for m in have) if have else 1.0
    return need_scores, statistics.fmean(need_scores.values())


def _pareto(ranked: list[RankedCandidate]) -> list[str]:
    """The candidates no other is at least as good as on every need and better on one."""
    return [
        a.label
        for a in ranked
        if not any(
            all(b.need_scores[n] >= a.need_scores[n] for n in a.need_scores)
            and any(b.need_scores[n] > a.need_scores[n] for n in a.need_scores)
            for b in ranked
            if b is not a
        )
    ]


def _primaries(needs: list[Need]) -> list[str]:
    """Each need's first objective (needs without objectives only filter)."""
    return list(dict.fromkeys(n.objectives[0] for n in needs if n.objectives))
