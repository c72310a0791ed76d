"""The comparison table: each family graded on the textbook's properties from measured numbers.

Grades come from the store (quality from C2ST at the family's best sampler, placed on the calibrated
scale of `advisor.rules.grades` where the store holds the calibration, diversity from recall,
stability from failed or collapsed seeds and seed spread, speed at its fastest sampler relative to the fastest family
the textbook table covers, so a baseline that merely jitters stored points does not set the bar)
or, where a property is a design fact (likelihood kind, latent space), from the family's card
(basis "card": not a measurement). Each cell sits beside the textbook claim
(claims.py) with a verdict: agrees, disagrees, or no claim / not measured.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from advisor.cards import MetricSpec
from advisor.rules.claims import CLAIMED_AS, CLAIMED_GRADES, PROPERTIES
from advisor.rules.evidence import Evidence, Summary, gather
from advisor.rules.grades import calibrated_quality, legend
from advisor.rules.scoring import comparable
from advisor.seednoise import real_rows_band

__all__ = ["Cell", "comparison_table", "TABLE_METRICS"]

TABLE_METRICS = ("c2st", "recall", "sample_throughput", "cond_accuracy", "unstable_rate", "seed_spread")
#: grade thresholds of the table's uncalibrated cells (not noise judgements: `advisor.seednoise` holds those)
UNCALIBRATED_C2ST = (("excellent", 0.6), ("high", 0.7), ("medium", 0.85))  # C2ST under each bound; else "low"
STABLE_SPREAD = 0.05  # a family is "stable" with no failed or collapsed seed and a C2ST spread under this

# claimed wording -> the grade scale the measurement uses
_CANONICAL = {
    "excellent": "excellent",
    "high": "high",
    "medium": "medium",
    "low (mode collapse)": "low",
    "low": "low",
    "stable": "stable",
    "unstable": "unstable",
    "exact": "exact",
    "approximate (ELBO)": "bound",
    "none": "none",
    "fast": "fast",
    "slow": "slow",
    "very slow": "very slow",
    "yes": "yes",
    "no": "no",
    "implicit": "implicit",
    "easy": "easy",
    "moderate": "moderate",
}
# grades that count as agreeing with a claim although the words differ
_COMPATIBLE = {("slow", "very slow"), ("very slow", "slow"), ("yes", "implicit")}


@dataclass(frozen=True)
class Cell:
    """One family x property: measured grade, the numbers behind it, the claim and the verdict."""

    grade: str
    basis: str
    claim: str | None
    verdict: str  # agrees | disagrees | no claim | not measured


def _mean_over_datasets(evidence: Evidence, family: str, metric: str) -> float | None:
    per_dataset = [
        summary.mean
        for (fam, _sampler), metrics in evidence.values.items()
        if fam == family
        for summary in metrics.get(metric, {}).values()
    ]
    return statistics.fmean(per_dataset) if per_dataset else None


def _quality(evidence: Evidence, family: str) -> tuple[str, str, bool]:
    """(grade, basis, calibrated): on the calibrated scale at the family's best sampler, where the
    store holds the calibration of the datasets measured; else by fixed C2ST thresholds, said so."""
    best = _best_sampler(evidence, family, "c2st")
    if best is None:
        return "not measured", "no C2ST", False
    c2st, sampler = best
    if calibrated := calibrated_quality(evidence, (family, sampler)):
        grade, detail = calibrated
        return grade, _at_sampler(detail, sampler), True
    grade = next((grade for grade, bound in UNCALIBRATED_C2ST if c2st < bound), "low")
    detail = _at_sampler(f"C2ST {c2st:.3f} (0.5 = indistinguishable)", sampler)
    blind = sorted(dataset for dataset, ladder in evidence.ladders.items() if not ladder.sees_noise)
    why = (
        f"the stored calibration's C2ST does not see noise on {', '.join(blind)}" if blind else "no calibration stored"
    )
    return grade, f"{detail}; fixed thresholds, {why}", False


def _diversity(recall: float | None) -> tuple[str, str]:
    if recall is None:
        return "not measured", "no recall"
    return ("high" if recall >= 0.8 else "medium" if recall >= 0.5 else "low"), f"recall {recall:.3f}"


def _stability(unstable: float | None, spread: float | None) -> tuple[str, str]:
    if unstable is None:
        return "not measured", "no runs"
    stable = unstable == 0 and (spread is None or spread < STABLE_SPREAD)
    detail = f"failed or collapsed in {unstable:.0%} of seeds" + (
        f", C2ST seed spread {spread:.3f}" if spread is not None else ""
    )
    return ("stable" if stable else "unstable"), detail


def _best_sampler(evidence: Evidence, family: str, metric: str) -> tuple[float, str] | None:
    """The family's best sampler on `metric` (mean over datasets, compared as the ranking compares it)."""
    spec = evidence.specs[metric]
    per_sampler = [
        (statistics.fmean(s.mean for s in metrics[metric].values()), sampler)
        for (fam, sampler), metrics in evidence.values.items()
        if fam == family and metrics.get(metric)
    ]
    if not per_sampler:
        return None
    pick = max if spec.higher_is_better else min
    return pick(per_sampler, key=lambda pair: comparable(spec, pair[0]))


def _at_sampler(detail: str, sampler: str) -> str:
    return detail if sampler == "default" else f"{detail} with {sampler}"


def _speed(best: tuple[float, str] | None, fastest: float | None, kind: str | None) -> tuple[str, str]:
    where = f" on {kind} data" if kind else ""
    if best is None or not fastest:
        return "not measured", f"no throughput{where}"
    throughput, sampler = best
    slowdown = max(1.0, fastest / throughput)
    grade = "fast" if slowdown <= 10 else "slow" if slowdown <= 100 else "very slow"
    detail = f"{throughput:.3g} samples/s{where} ({slowdown:.3g}x slower than the fastest)"
    return grade, _at_sampler(detail, sampler)


def _conditioning(card: dict, evidence: Evidence, family: str) -> tuple[str, str]:
    """easy: class-conditional samples are recognised as their class as often as real rows are (within
    seed noise of the calibrated ceiling) on at least half the datasets; fixed at 0.9 where uncalibrated."""
    if not card.get("conditioning"):
        return "no", "card: not conditional"
    accuracy = _mean_over_datasets(evidence, family, "cond_accuracy")
    if accuracy is None:
        return "not measured", "no cond_accuracy"
    per_dataset: dict[str, Summary] = {}  # the family's best sampler on each dataset
    for (fam, _sampler), metrics in evidence.values.items():
        for dataset, summary in metrics.get("cond_accuracy", {}).items() if fam == family else ():
            if dataset not in per_dataset or summary.mean > per_dataset[dataset].mean:
                per_dataset[dataset] = summary
    calibrated = {d: s for d, s in per_dataset.items() if len(evidence.ceilings.get(d, ())) > 1}
    if not calibrated:
        grade = "easy" if accuracy >= 0.9 else "moderate"
        return grade, f"cond_accuracy {accuracy:.3f}; fixed threshold 0.9, no calibration stored"
    at_ceiling, details = 0, []
    for dataset, summary in sorted(calibrated.items()):
        real = evidence.ceilings[dataset]
        ceiling = statistics.fmean(real)
        at_ceiling += summary.mean >= ceiling - real_rows_band(real, summary.n)
        details.append(f"{dataset} {summary.mean:.3f} vs {ceiling:.3f}")
    grade = "easy" if 2 * at_ceiling >= len(calibrated) else "moderate"
    return grade, (
        f"cond_accuracy within seed noise of real rows' on {at_ceiling} of {len(calibrated)} datasets "
        f"({'; '.join(details)})"
    )


def _verdict(grade: str, claim: str | None) -> str:
    if claim is None:
        return "no claim"
    if grade == "not measured":
        return "not measured"
    canonical = _CANONICAL.get(claim, claim)
    return "agrees" if grade == canonical or (grade, canonical) in _COMPATIBLE else "disagrees"


def comparison_table(
    store: Any,
    family_cards: dict[str, dict],
    metric_specs: Mapping[str, MetricSpec],
    *,
    budget: str | None = None,
    datasets: tuple[str, ...] = (),
    data_kind: str | None = None,
) -> dict[str, Any]:
    """Grade every measured family on every property (on `data_kind` only, when given).

    A claim is judged where it is meant: sampling speed (the textbook's "very slow" autoregressive
    sampling is about high-dimensional data) on the highest-dimensional kind of data measured.
    Returns ``{"budget", "datasets", "speed_judged_on", "quality_scale", "families": {family: {property:
    Cell}}}``; `quality_scale` is the legend of the calibrated quality grades (None when not calibrated).
    """
    evidence = gather(store, TABLE_METRICS, metric_specs, budget=budget, datasets=datasets, data_kind=data_kind)
    cards = {**family_cards, **evidence.cards}
    families = sorted({family for family, _ in evidence.candidates})
    speed_kind, speed_evidence = _highest_dimensional_kind(evidence)
    throughput = {f: _best_sampler(speed_evidence, f, "sample_throughput") for f in families}
    claimed = [t[0] for f, t in throughput.items() if t and f in CLAIMED_GRADES["sampling speed"]]
    fastest = max(claimed or [t[0] for t in throughput.values() if t], default=None)
    table = {}
    quality = {family: _quality(evidence, family) for family in families}
    for family in families:
        card = cards.get(family, {})
        grades = {
            "sample quality": quality[family][:2],
            "diversity": _diversity(_mean_over_datasets(evidence, family, "recall")),
            "training stability": _stability(
                _mean_over_datasets(evidence, family, "unstable_rate"),
                _mean_over_datasets(evidence, family, "seed_spread"),
            ),
            "likelihood": (card.get("likelihood", "?"), "card"),
            "sampling speed": _speed(throughput[family], fastest, speed_kind),
            "latent space": (
                {"explicit": "yes", "none": "no"}.get(card.get("latent"), card.get("latent", "?")),
                "card",
            ),
            "conditioning": _conditioning(card, evidence, family),
        }
        table[family] = {}
        for prop in PROPERTIES:
            grade, basis = grades[prop]
            claim = CLAIMED_GRADES[prop].get(CLAIMED_AS.get(family, family))
            table[family][prop] = asdict(Cell(grade, basis, claim, _verdict(grade, claim)))
    return {
        "budget": evidence.budget,
        "datasets": sorted(evidence.datasets),
        "speed_judged_on": speed_kind,
        "quality_scale": legend(list(evidence.ladders.values())) if any(q[2] for q in quality.values()) else None,
        "families": table,
    }


def _highest_dimensional_kind(evidence: Evidence) -> tuple[str | None, Evidence]:
    """The kind of data with the most dimensions measured, and the evidence restricted to it."""
    kinds: dict[str, list[str]] = {}
    dims: dict[str, int] = {}
    for name, card in evidence.datasets.items():
        kind = card.get("kind", "?")
        kinds.setdefault(kind, []).append(name)
        dims[kind] = max(dims.get(kind, 0), card.get("dims") or 0)
    if not kinds:
        return None, evidence
    kind = max(kinds, key=lambda k: (dims[k], k))
    return kind, evidence.restricted(kinds[kind])
