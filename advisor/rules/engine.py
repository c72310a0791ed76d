"""The rule engine: hard requirements filter families, measured objectives rank the survivors.

A survivor is ranked when it has every need's primary (first) objective and was not measured on
fewer than half the datasets of its best-measured rival (a store a bench is still filling). Each
objective is scored in [0, 1] on the datasets every ranked candidate was measured on (scoring.py:
1 = best or within seed noise of it, averaged over datasets); a metric that is only a secondary
objective is read within the datasets of the primaries it qualifies. A need's score is the mean of
its objective scores, and several needs combine by their mean, with the Pareto set shown when they
conflict.
Every other candidate gets, per objective, where it was worse, better or within seed noise of the
winner (compare.py); caveats say which datasets were left out and which runs failed. Every number
cited comes from the store, with the runs behind it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from advisor.cards import MetricSpec, Need
from advisor.errors import AdvisorError
from advisor.rules.claims import RULES_OF_THUMB, TEXTBOOK_FAMILIES
from advisor.rules.compare import ObjectiveEvidence, compare_sentence
from advisor.rules.evidence import Candidate, Evidence, candidate_label, gather
from advisor.rules.grades import calibrated_quality, legend
from advisor.rules.scope import evidence_scope, throughput_scaling
from advisor.rules.scoring import Scope, scope_of, score_objective
from advisor.rules.stability import wilson_interval
from advisor.store.engine import Store
from advisor.store.status import RunStatus

__all__ = ["NoMeasurements", "Recommendation", "recommend", "gather_for", "rank_evidence", "requirement_failures"]


class NoMeasurements(AdvisorError):
    """The store holds no measurements in the requested scope (exit code 1)."""


@dataclass
class Ranked:
    """A candidate (family, sampler) that meets every hard requirement, with its scores."""

    family: str
    sampler: str
    label: str
    score: float
    need_scores: dict[str, float]
    objectives: dict[str, ObjectiveEvidence]
    runs: int
    rank: int = 1  # candidates with equal scores share a rank: a tie is declared, not broken by name
    why_not_first: list[str] = field(default_factory=list)
    quality_grade: str | None = None  # C2ST on the calibrated scale (grades.py), where the store holds it
    quality_basis: str | None = None  # where it falls on each dataset


@dataclass
class Recommendation:
    """The answer: ranked candidates, evidence, eliminations and claim checks."""

    needs: list[str]
    budget: str | None
    datasets: list[str]
    ranked: list[Ranked]
    pareto: list[str]
    eliminated: list[dict[str, str]]
    unmeasured: list[dict[str, str]]
    claims: list[dict[str, Any]]
    tradeoffs: list[str]
    nearest: dict[str, Any] | None = None  # when nothing is left: the measured family failing fewest requirements
    caveats: list[str] = field(default_factory=list)  # datasets left out of a comparison, failed runs
    winners: list[str] = field(default_factory=list)  # every candidate tied at the top score
    instability: list[dict[str, Any]] = field(default_factory=list)  # counted outcomes, when a need asks
    scope: dict[str, Any] = field(default_factory=dict)  # what the evidence covers (kinds, dims, sizes, budget)
    scaling: list[dict[str, Any]] = field(default_factory=list)  # sampling cost against dims, per candidate
    peers: list[dict[str, Any]] = field(default_factory=list)  # where other libraries' families rank
    quality_scale: dict[str, str] | None = None  # the calibrated quality grades' legend, when any is given
    without_copying: dict[str, Any] | None = None  # when every winner memorizes: the best that does not

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (the same content the CLI prints)."""
        return asdict(self)


def requirement_failures(card: Mapping, needs: list[Need]) -> list[str]:
    """Why the family with `card` fails the hard requirements of `needs` (empty when it meets them)."""
    return [failure for need in needs for failure in need.unmet(card)]


def _objective_evidence(
    evidence: Evidence, candidate: Candidate, metric: str, score: float, scope: Scope
) -> ObjectiveEvidence:
    spec = evidence.specs[metric]
    per_dataset = {
        dataset: summary.as_dict() for dataset, summary in sorted(evidence.values[candidate][metric].items())
    }
    scored_on = sorted(d for d in per_dataset if d in scope.datasets)
    mean = statistics.fmean(per_dataset[d]["mean"] for d in scored_on)
    distances = [per_dataset[d]["distance_mean"] for d in scored_on if "distance_mean" in per_dataset[d]]
    return ObjectiveEvidence(
        metric,
        spec.unit,
        spec.higher_is_better,
        spec.scale,
        spec.reference,
        score,
        mean,
        per_dataset,
        scored_on,
        statistics.fmean(distances) if len(distances) == len(scored_on) and distances else None,
    )


def _pareto(ranked: list[Ranked]) -> list[str]:
    front = []
    for a in ranked:
        dominated = any(
            all(b.need_scores[n] >= a.need_scores[n] for n in a.need_scores)
            and any(b.need_scores[n] > a.need_scores[n] for n in a.need_scores)
            for b in ranked
            if b is not a
        )
        if not dominated:
            front.append(a.label)
    return front


def _claim_checks(needs: list[Need], ranked: list[Ranked], copying: Mapping[str, set[str]]) -> list[dict[str, Any]]:
    """Each need's rule of thumb judged among the families the textbook compares (not baselines).

    When several of them tie at the top, the claim is judged against all of them: it agrees when a
    claimed family is among them, and the tie is named. When the best all memorize (`copying`: need ->
    labels of memorizing candidates, for needs ranked on quality), the verdict stands and a note names
    the best that does not copy.
    """
    checks = []
    for need in needs:
        if need.name not in RULES_OF_THUMB:
            continue
        claim, claimed = RULES_OF_THUMB[need.name]
        measured = [r for r in ranked if need.name in r.need_scores]
        textbook = [r for r in measured if r.family in TEXTBOOK_FAMILIES]
        if not textbook:
            continue
        top = max(r.need_scores[need.name] for r in textbook)
        best = [r for r in textbook if r.need_scores[need.name] == top]
        overall = max(r.need_scores[need.name] for r in measured)
        present = [f for f in claimed if f in {r.family for r in textbook}]
        notes = [] if present else ["none of the claimed families is among the candidates ranked here"]
        if len(best) > 1:
            notes.append(f"{len(best)} candidates tie within seed noise")
        if overall > top:
            above = [r.label for r in measured if r.need_scores[need.name] > top and r.family not in TEXTBOOK_FAMILIES]
            verb = "rank" if len(above) > 1 else "ranks"
            notes.append(f"{', '.join(above)}, which the textbook does not compare, {verb} above them all")
        copiers = copying.get(need.name, set())
        clean = [r for r in textbook if r.label not in copiers]
        if clean and all(r.label in copiers for r in best):
            first = max(clean, key=lambda r: r.need_scores[need.name])
            named = "which the claim names" if first.family in claimed else "which the claim does not name either"
            verb = "memorize" if len(best) > 1 else "memorizes"
            notes.append(
                f"{', '.join(r.label for r in best)} {verb}; "
                f"the best of the textbook's families that does not is {first.label}, {named}"
            )
        checks.append(
            {
                "need": need.name,
                "claim": claim,
                "measured_best": ", ".join(r.label for r in best),
                "agrees": any(r.family in claimed for r in best) if present else None,
                "note": "; ".join(notes),
            }
        )
    return checks


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
) -> Recommendation:
    """Rank the measured candidates for `needs`.

    `family_cards` are the registered cards (by family), `metric_specs` the registered metrics' specs:
    how each objective is compared. A need without objectives only filters; when no need has one,
    every measured survivor is listed level with the first, and a caveat says nothing ranked them.
    """
    evidence = gather_for(
        store, needs, metric_specs, budget=budget, datasets=datasets, data_kind=data_kind, device=device
    )
    if not evidence.candidates:
        scope = ", ".join(
            f"{k}={v}" for k, v in (("budget", budget), ("data kind", data_kind), ("device", device)) if v
        )
        raise NoMeasurements(
            f"no measurements in {store.location}{' for ' + scope if scope else ''}; run `advisor bench` first"
        )
    return rank_evidence(evidence, needs, family_cards)


def gather_for(store: Store, needs: list[Need], metric_specs: Mapping[str, MetricSpec], **scope: Any) -> Evidence:
    """The evidence `needs` rank by, within `scope` (budget, datasets, data_kind, device)."""
    objectives = list(dict.fromkeys(m for need in needs for m in need.objectives))
    if any(metric_specs.get(m) and metric_specs[m].category == "quality" for m in objectives):
        objectives.append(MEMORIZATION)  # not ranked: said beside quality where it is high
    return gather(store, objectives, metric_specs, **scope)


def rank_evidence(evidence: Evidence, needs: list[Need], family_cards: dict[str, dict]) -> Recommendation:
    """Rank the candidates of gathered `evidence` for `needs` (see `recommend`)."""
    cards = {**family_cards, **evidence.cards}
    eliminated, survivors = [], []
    for family in sorted(cards):
        failures = requirement_failures(cards[family], needs)
        if failures:
            eliminated.append({"family": family, "reason": "; ".join(failures)})
        else:
            survivors += [c for c in evidence.candidates if c[0] == family]
    measured_families = {c[0] for c in evidence.candidates}
    unmeasured = [
        {"family": f, "reason": "meets the requirements but has no measurements in this scope"}
        for f in sorted(cards)
        if f not in measured_families and not requirement_failures(cards[f], needs)
    ]
    rankable, not_ranked = _rankable(evidence, survivors, needs)
    unmeasured += not_ranked
    scopes = _scopes(evidence, rankable, needs)
    scores = {m: score_objective(evidence, rankable, m, scope) for m, scope in scopes.items()}
    ranked = [_rank(evidence, candidate, needs, scores, scopes) for candidate in rankable]
    ranked.sort(key=lambda r: (-r.score, r.family, r.sampler))  # the name orders a tie's listing only
    for r in ranked:
        if graded := calibrated_quality(evidence, (r.family, r.sampler)):
            r.quality_grade, r.quality_basis = graded
    for position, r in enumerate(ranked):
        r.rank = ranked[position - 1].rank if position and r.score == ranked[position - 1].score else position + 1
    winners = [r.label for r in ranked if r.rank == 1]
    if ranked:
        first = ranked[0]
        for other in ranked[1:]:
            other.why_not_first = [
                sentence
                for metric, objective in other.objectives.items()
                if metric in first.objectives
                and (sentence := compare_sentence(objective, first.objectives[metric], first.label))
            ]
    copying = {r.label for r in ranked if _memorized_shares(evidence, r)}  # candidates that memorize
    nearest = None
    if not ranked:
        misses = {f: requirement_failures(cards[f], needs) for f in sorted(measured_families) if f in cards}
        misses = {f: m for f, m in misses.items() if m}  # measured families that meet everything are not "near"
        if misses:
            family = min(misses, key=lambda f: (len(misses[f]), f))
            nearest = {"family": family, "fails": misses[family]}
    return Recommendation(
        needs=[n.name for n in needs],
        budget=evidence.budget,
        datasets=sorted(evidence.datasets),
        ranked=ranked,
        pareto=_pareto(ranked) if len(needs) > 1 else [],
        eliminated=eliminated,
        unmeasured=unmeasured,
        claims=_claim_checks(needs, ranked, _copying_by_need(evidence, needs, copying)),
        tradeoffs=_tradeoffs(needs, ranked) if len(needs) > 1 else [],
        nearest=nearest,
        caveats=(
            _unranked_caveats(needs, ranked)
            + _scope_caveats(scopes)
            + _missing_objective_caveats(needs, ranked)
            + _single_seed_caveats(ranked)
            + _failure_caveats(evidence, ranked)
            + _memorization_caveats(evidence, ranked)
        ),
        winners=winners,
        instability=_instability(evidence, ranked, scopes.get("unstable_rate")),
        scope=evidence_scope(evidence, cards),
        scaling=_scaling(evidence, ranked, cards) if "sample_throughput" in scopes else [],
        peers=[
            {"candidate": r.label, "library": library, "rank": r.rank, "of": len(ranked)}
            for r in ranked
            if (library := cards.get(r.family, {}).get("peer_of"))
        ],
        quality_scale=legend(list(evidence.ladders.values())) if any(r.quality_grade for r in ranked) else None,
        without_copying=_best_without_copying(ranked, copying),
    )


def _rankable(
    evidence: Evidence, survivors: list[Candidate], needs: list[Need]
) -> tuple[list[Candidate], list[dict[str, str]]]:
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
            reason = f"no measurements of {', '.join(dict.fromkeys(missing))}"
            not_ranked.append({"family": candidate_label(candidate), "reason": reason})
        else:
            rankable.append(candidate)
    thin: dict[Candidate, str] = {}
    for metric in primaries:
        most = max((len(evidence.values[c][metric]) for c in rankable), default=0)
        for c in rankable:
            have = len(evidence.values[c][metric])
            if 2 * have < most and c not in thin:
                thin[c] = (
                    f"{metric} measured on {have} of the {most} datasets its rivals have; "
                    "not ranked until the bench completes it"
                )
    not_ranked += [{"family": candidate_label(c), "reason": reason} for c, reason in thin.items()]
    return [c for c in rankable if c not in thin], not_ranked


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


def _rank(
    evidence: Evidence,
    candidate: Candidate,
    needs: list[Need],
    scores: dict[str, dict[Candidate, float]],
    scopes: dict[str, Scope],
) -> Ranked:
    """`candidate`'s need scores (mean of its objective scores) and the evidence behind them."""
    need_scores, cited = {}, {}
    for need in needs:
        have = [m for m in need.objectives if candidate in scores[m]]  # the primary always is
        # a need without objectives only filters: every survivor meets it equally
        need_scores[need.name] = statistics.fmean(scores[m][candidate] for m in have) if have else 1.0
        for m in have:
            cited[m] = _objective_evidence(evidence, candidate, m, scores[m][candidate], scopes[m])
    return Ranked(
        family=candidate[0],
        sampler=candidate[1],
        label=candidate_label(candidate),
        score=statistics.fmean(need_scores.values()),
        need_scores=need_scores,
        objectives=cited,
        runs=evidence.runs.get(candidate, 0),
    )


def _scaling(evidence: Evidence, ranked: list[Ranked], cards: dict[str, dict]) -> list[dict[str, Any]]:
    """How each ranked candidate's sampling throughput grows or falls with dimension, where it can be fitted."""
    rows = []
    for r in ranked:
        fitted = throughput_scaling(evidence, (r.family, r.sampler))
        if fitted is not None:
            rows.append({"candidate": r.label, "sampling": cards.get(r.family, {}).get("sampling"), **fitted})
    return rows


def _instability(evidence: Evidence, ranked: list[Ranked], scope: Scope | None) -> list[dict[str, Any]]:
    """Per ranked candidate: outcomes counted over the compared datasets, with a 95% Wilson interval."""
    if scope is None:
        return []
    rows = []
    for r in ranked:
        counted = [c for d, c in evidence.outcomes.get((r.family, r.sampler), {}).items() if d in scope.datasets]
        runs, failed, collapsed = (sum(getattr(c, f) for c in counted) for f in ("runs", "failed", "collapsed"))
        low, high = wilson_interval(failed + collapsed, runs)
        rows.append(
            {
                "candidate": r.label,
                "runs": runs,
                "failed": failed,
                "collapsed": collapsed,
                "rate": (failed + collapsed) / runs if runs else 0.0,
                "interval": [low, high],
                "collapses": {
                    d: list(c.reasons)
                    for d, c in evidence.outcomes.get((r.family, r.sampler), {}).items()
                    if c.reasons and d in scope.datasets
                },
            }
        )
    return rows


#: the metric that says a family copies its training rows, and the share of samples past which it is said
MEMORIZATION = "memorization"
MEMORIZATION_WARNING = 0.25  # held-out real rows score about 0.05, copies of training rows 1


def _memorized_shares(evidence: Evidence, r: Ranked) -> dict[str, float]:
    """Dataset -> share of `r`'s samples sitting on training rows, where it is past the warning."""
    by_dataset = evidence.values.get((r.family, r.sampler), {}).get(MEMORIZATION, {})
    return {d: s.mean for d, s in sorted(by_dataset.items()) if s.mean >= MEMORIZATION_WARNING}


def _memorization_caveats(evidence: Evidence, ranked: list[Ranked]) -> list[str]:
    """Where a ranked candidate's samples sit on its training rows: good quality numbers by copying."""
    caveats = []
    for r in ranked:
        if high := _memorized_shares(evidence, r):
            where = ", ".join(f"{d} {share:.0%}" for d, share in high.items())
            caveats.append(
                f"{r.label} memorizes: share of samples closer to a training row than held-out data is "
                f"({where}; fresh data ~5%); its quality numbers there may reward copying"
            )
    return caveats


def _copying_by_need(evidence: Evidence, needs: list[Need], copying: set[str]) -> dict[str, set[str]]:
    """Need -> the memorizing candidates' labels (`copying`), for the needs ranked on a quality metric
    (copying buys quality numbers, not speed or likelihood)."""
    return {
        need.name: copying
        for need in needs
        if any(spec.category == "quality" for m in need.objectives if (spec := evidence.specs.get(m)))
    }


def _best_without_copying(ranked: list[Ranked], copying: set[str]) -> dict[str, Any] | None:
    """When every winner memorizes (its label in `copying`): the best-ranked candidate that does not, so
    the answer names a model whose quality was not bought by copying training rows (else None)."""
    if not ranked or not all(r.label in copying for r in ranked if r.rank == 1):
        return None
    first = next((r for r in ranked if r.label not in copying), None)
    return {"candidate": first.label, "rank": first.rank, "score": first.score} if first else None


def _primaries(needs: list[Need]) -> list[str]:
    """Each need's first objective (needs without objectives only filter)."""
    return list(dict.fromkeys(n.objectives[0] for n in needs if n.objectives))


def _unranked_caveats(needs: list[Need], ranked: list[Ranked]) -> list[str]:
    """Say so when nothing ranked the candidates: every need only filters."""
    if ranked and not any(n.objectives for n in needs):
        return [
            f"{', '.join(n.name for n in needs)} only {'filters' if len(needs) == 1 else 'filter'} by card; "
            "no measured objective ranks the candidates, so they are listed level, by name"
        ]
    return []


def _missing_objective_caveats(needs: list[Need], ranked: list[Ranked]) -> list[str]:
    """A sentence for each ranked candidate whose need score lacks an objective its rivals have.

    An objective no candidate has here (a table's column metrics on images) concerns no one.
    """
    caveats = []
    measured = {m for r in ranked for m in r.objectives}
    for r in ranked:
        for need in needs:
            missing = [m for m in need.objectives[1:] if m not in r.objectives and m in measured]
            if missing:
                caveats.append(
                    f"{r.label} has no {', '.join(missing)} on the datasets compared: its {need.name} score "
                    f"rests on {', '.join(m for m in need.objectives if m in r.objectives)}"
                )
    return caveats


def _scope_caveats(scopes: dict[str, Scope]) -> list[str]:
    """Which datasets each comparison left out, and why (partial stores, families that failed there)."""
    left_out: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    caveats = []
    for metric, scope in scopes.items():
        if not scope.shared:
            caveats.append(
                f"no dataset has {metric} for every candidate: each candidate's {metric} score averages "
                "over the datasets it was measured on, which differ"
            )
        for dataset, missing in scope.left_out.items():
            left_out.setdefault((dataset, tuple(missing)), []).append(metric)
    for (dataset, missing), metrics in left_out.items():
        caveats.append(
            f"{dataset} is left out of the comparison on {', '.join(metrics)}: "
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no measurements there"
        )
    return caveats


def _single_seed_caveats(ranked: list[Ranked]) -> list[str]:
    """Datasets where some candidate has one seed only: its gaps there cannot be told from seed noise."""
    single: dict[str, set[str]] = {}
    for r in ranked:
        for objective in r.objectives.values():
            for dataset in objective.scored_on:
                if objective.per_dataset[dataset]["n"] == 1:
                    single.setdefault(dataset, set()).add(r.label)
    return [
        f"{dataset}: one seed only for {', '.join(sorted(labels))}; gaps there are not tested against seed noise"
        for dataset, labels in sorted(single.items())
    ]


def _failure_caveats(evidence: Evidence, ranked: list[Ranked]) -> list[str]:
    """A sentence for each ranked candidate whose runs failed on a dataset: its numbers there are partial."""
    caveats = []
    for r in ranked:
        for dataset, statuses in sorted(evidence.run_counts.get((r.family, r.sampler), {}).items()):
            failed = {s: statuses[s] for s in RunStatus.failures() if statuses.get(s)}
            if not failed:
                continue
            done = statuses.get(RunStatus.COMPLETE, 0)
            how = ", ".join(f"{n} {status}" for status, n in failed.items())
            rest = (
                f"its numbers there come from {done} completed run{'s' if done != 1 else ''}"
                if done
                else "it has no numbers there"
            )
            caveats.append(f"{r.label}: {how} on {dataset}; {rest}")
    return caveats


def _tradeoffs(needs: list[Need], ranked: list[Ranked]) -> list[str]:
    """For the best candidate of each need, how it compares with the others' bests on their objectives."""
    bests = {}
    for need in needs:
        if ranked:
            bests[need.name] = max(ranked, key=lambda r: r.need_scores[need.name])
    sentences = []
    for need_a, a in bests.items():
        for need_b, b in bests.items():
            if need_a == need_b or a is b:
                continue
            objectives = next(n for n in needs if n.name == need_b).objectives
            primary = objectives[0] if objectives else None
            if primary in a.objectives and primary in b.objectives:
                sentence = compare_sentence(a.objectives[primary], b.objectives[primary], b.label)
                if sentence:
                    sentences.append(f"{a.label} (best for {need_a}): {sentence}")
    return sentences
