"""The rule engine: hard requirements filter families, measured objectives rank the survivors.

For each objective and dataset the candidates' seed-averaged values are min-max normalized to [0, 1]
(1 = best; costs spanning orders of magnitude such as throughput, seconds and parameters are
compared on a log scale), then averaged over datasets into an objective score; a need's score is
the mean of its objective scores, and several needs combine by their mean, with the Pareto set shown
when they conflict. Every number cited comes from the store, with the runs behind it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from advisor.cards import Need
from advisor.errors import AdvisorError
from advisor.rules.claims import RULES_OF_THUMB
from advisor.rules.evidence import Candidate, Evidence, gather

__all__ = ["NoMeasurements", "Recommendation", "recommend", "requirement_failures", "LOG_SCALE_UNITS"]

LOG_SCALE_UNITS = frozenset({"samples/s", "s", "ms", "params", "MB", "evals"})


class NoMeasurements(AdvisorError):
    """The store holds no measurements in the requested scope (exit code 1)."""


@dataclass
class ObjectiveEvidence:
    """One objective of one candidate: the per-dataset numbers and its normalized score."""

    metric: str
    unit: str
    higher_is_better: bool
    score: float
    mean: float  # mean over datasets of the seed means
    per_dataset: dict[str, dict[str, float]]  # dataset -> {mean, std, n}


@dataclass
class Ranked:
    """A candidate (family, sampler) that meets every hard requirement, with its scores."""

    family: str
    sampler: str
    score: float
    need_scores: dict[str, float]
    objectives: dict[str, ObjectiveEvidence]
    runs: int
    why_not_first: list[str] = field(default_factory=list)


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
    caveats: list[str] = field(default_factory=list)  # e.g. candidates measured on fewer datasets than others

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (the same content the CLI prints)."""
        return asdict(self)


def _label(candidate: Candidate) -> str:
    family, sampler = candidate
    return family if sampler == "default" else f"{family} ({sampler})"


def _card_value_ok(card: dict, field_name: str, accepted: tuple[str, ...]) -> bool:
    return str(card.get(field_name)) in accepted


def requirement_failures(card: dict, needs: list[Need]) -> list[str]:
    """Why the family with `card` fails the hard requirements of `needs` (empty when it meets them)."""
    failures = []
    for need in needs:
        for field_name, accepted in need.requires.items():
            if not _card_value_ok(card, field_name, accepted):
                failures.append(f"{field_name} is {card.get(field_name)!r}; {need.name} needs {' or '.join(accepted)}")
    return failures


def _transform(value: float, unit: str) -> float:
    return math.log10(value) if unit in LOG_SCALE_UNITS and value > 0 else value


def _score_objective(evidence: Evidence, candidates: list[Candidate], metric: str) -> dict[Candidate, float]:
    """Per-candidate score in [0, 1] for `metric`: per-dataset min-max, averaged over datasets."""
    unit, higher = evidence.units.get(metric, ("", True))
    per_dataset: dict[str, dict[Candidate, float]] = {}
    for candidate in candidates:
        for dataset, summary in evidence.values.get(candidate, {}).get(metric, {}).items():
            per_dataset.setdefault(dataset, {})[candidate] = _transform(summary.mean, unit)
    scores: dict[Candidate, list[float]] = {}
    for by_candidate in per_dataset.values():
        best, worst = (max, min) if higher else (min, max)
        top, bottom = best(by_candidate.values()), worst(by_candidate.values())
        for candidate, value in by_candidate.items():
            span = top - bottom
            scores.setdefault(candidate, []).append(1.0 if span == 0 else (value - bottom) / span)
    return {c: statistics.fmean(s) for c, s in scores.items()}


def _objective_evidence(evidence: Evidence, candidate: Candidate, metric: str, score: float) -> ObjectiveEvidence:
    unit, higher = evidence.units.get(metric, ("", True))
    per_dataset = {}
    for dataset, summary in sorted(evidence.values[candidate][metric].items()):
        per_dataset[dataset] = {"mean": summary.mean, "std": summary.std, "n": summary.n}
    mean = statistics.fmean(d["mean"] for d in per_dataset.values())
    return ObjectiveEvidence(metric, unit, higher, score, mean, per_dataset)


def _compare(loser: ObjectiveEvidence, winner: ObjectiveEvidence, winner_label: str) -> str | None:
    """One sentence on how `loser` compares with `winner` on the datasets both were measured on."""
    shared = sorted(set(loser.per_dataset) & set(winner.per_dataset))
    if not shared:
        return None
    a = [loser.per_dataset[d]["mean"] for d in shared]
    b = [winner.per_dataset[d]["mean"] for d in shared]
    where = f"over {len(shared)} dataset{'s' if len(shared) > 1 else ''}"
    unit = f" {loser.unit}" if loser.unit else ""
    if loser.unit in LOG_SCALE_UNITS and all(x > 0 for x in a + b):
        ratio = math.exp(statistics.fmean(math.log(x / y) for x, y in zip(a, b, strict=True)))
        if abs(math.log(ratio)) < 1e-9:
            return None
        bigger = ratio > 1
        worse = bigger != loser.higher_is_better
        factor = ratio if bigger else 1 / ratio
        adjective = "higher" if bigger else "lower"
        verdict = "worse" if worse else "better"
        return f"{loser.metric} {factor:.3g}x {adjective} than {winner_label} ({verdict}; geometric mean {where})"
    gap = statistics.fmean(x - y for x, y in zip(a, b, strict=True))
    if gap == 0:
        return None
    worse = (gap < 0) == loser.higher_is_better
    return (
        f"{loser.metric} {statistics.fmean(a):.4g}{unit} vs {statistics.fmean(b):.4g} for {winner_label} "
        f"({'worse' if worse else 'better'} by {abs(gap):.3g}{unit}, mean {where})"
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
            front.append(_label((a.family, a.sampler)))
    return front


def _claim_checks(needs: list[Need], ranked: list[Ranked]) -> list[dict[str, Any]]:
    checks = []
    for need in needs:
        if need.name not in RULES_OF_THUMB:
            continue
        claim, claimed = RULES_OF_THUMB[need.name]
        measured = [r for r in ranked if need.name in r.need_scores]
        if not measured:
            continue
        best = max(measured, key=lambda r: r.need_scores[need.name])
        measured_families = {r.family for r in measured}
        present = [f for f in claimed if f in measured_families]
        checks.append(
            {
                "need": need.name,
                "claim": claim,
                "measured_best": _label((best.family, best.sampler)),
                "agrees": best.family in claimed if present else None,
                "note": "" if present else "none of the claimed families were measured here",
            }
        )
    return checks


def recommend(
    store: Any,
    needs: list[Need],
    family_cards: dict[str, dict],
    *,
    budget: str | None = None,
    datasets: tuple[str, ...] = (),
    data_kind: str | None = None,
    device: str | None = None,
) -> Recommendation:
    """Rank the measured candidates for `needs`; `family_cards` are the registered cards (by family)."""
    objectives = list(dict.fromkeys(m for need in needs for m in need.objectives))
    evidence = gather(store, objectives, budget=budget, datasets=datasets, data_kind=data_kind, device=device)
    if not evidence.candidates:
        scope = ", ".join(
            f"{k}={v}" for k, v in (("budget", budget), ("data kind", data_kind), ("device", device)) if v
        )
        raise NoMeasurements(
            f"no measurements in {store.location}{' for ' + scope if scope else ''}; run `advisor bench` first"
        )
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
    scores = {m: _score_objective(evidence, survivors, m) for m in objectives}
    ranked = []
    for candidate in survivors:
        need_scores, cited = {}, {}
        for need in needs:
            have = [m for m in need.objectives if candidate in scores[m]]
            if not have:
                continue
            need_scores[need.name] = statistics.fmean(scores[m][candidate] for m in have)
            for m in have:
                cited[m] = _objective_evidence(evidence, candidate, m, scores[m][candidate])
        if len(need_scores) < len(needs):
            missing = [n.name for n in needs if n.name not in need_scores]
            unmeasured.append({"family": _label(candidate), "reason": f"no measurements for {', '.join(missing)}"})
            continue
        runs = evidence.runs.get(candidate, 0)
        ranked.append(
            Ranked(candidate[0], candidate[1], statistics.fmean(need_scores.values()), need_scores, cited, runs)
        )
    ranked.sort(key=lambda r: (-r.score, r.family, r.sampler))
    if ranked:
        winner = ranked[0]
        winner_label = _label((winner.family, winner.sampler))
        for other in ranked[1:]:
            other.why_not_first = [
                sentence
                for metric, objective in other.objectives.items()
                if metric in winner.objectives
                and (sentence := _compare(objective, winner.objectives[metric], winner_label))
            ]
    nearest = None
    if not ranked:
        misses = {f: requirement_failures(cards[f], needs) for f in sorted(measured_families) if f in cards}
        misses = {f: m for f, m in misses.items() if m}  # measured families that meet everything are not "near"
        if misses:
            family = min(misses, key=lambda f: (len(misses[f]), f))
            nearest = {"family": family, "fails": misses[family]}
    pareto = _pareto(ranked) if len(needs) > 1 else []
    caveats = _coverage_caveats(ranked)
    tradeoffs = _tradeoffs(needs, ranked) if len(needs) > 1 else []
    return Recommendation(
        needs=[n.name for n in needs],
        budget=evidence.budget,
        datasets=sorted(evidence.datasets),
        ranked=ranked,
        pareto=pareto,
        eliminated=eliminated,
        unmeasured=unmeasured,
        claims=_claim_checks(needs, ranked),
        tradeoffs=tradeoffs,
        nearest=nearest,
        caveats=caveats,
    )


def _coverage_caveats(ranked: list[Ranked]) -> list[str]:
    """A sentence for each candidate measured on fewer datasets than the ranking covers (partial stores)."""
    covered = {(r.family, r.sampler): {d for o in r.objectives.values() for d in o.per_dataset} for r in ranked}
    everywhere = set().union(*covered.values()) if covered else set()
    caveats = []
    for r in ranked:
        missing = sorted(everywhere - covered[r.family, r.sampler])
        if missing:
            caveats.append(
                f"{_label((r.family, r.sampler))} has no measurements on {', '.join(missing)}: its score and "
                f"means cover only the other {len(everywhere) - len(missing)} of {len(everywhere)} datasets"
            )
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
            label_a, label_b = _label((a.family, a.sampler)), _label((b.family, b.sampler))
            primary = next(n for n in needs if n.name == need_b).objectives[0]
            if primary in a.objectives and primary in b.objectives:
                sentence = _compare(a.objectives[primary], b.objectives[primary], label_b)
                if sentence:
                    sentences.append(f"{label_a} (best for {need_a}): {sentence}")
    return sentences
