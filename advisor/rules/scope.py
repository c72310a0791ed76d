"""What an answer's evidence covers, in one line, and how sampling cost grows with dimension.

A user with 784-dimensional images must be able to see that the evidence came from 64-dimensional
digits and small MLPs on a CPU: `evidence_scope` gathers the kinds of data and their dimensions, the
training set sizes, the budget (steps, batch), the network classes the families declare, and the
devices. `throughput_scaling` fits, per candidate, the slope of log samples/s against log dims
across the datasets measured: a sequential sampler's cost grows with dimension (slope near -1: one
network pass per dimension), a one-shot sampler's hardly, which one value at one size cannot show.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

from advisor.rules.answer import RankedCandidate, Scaling
from advisor.rules.evidence import Candidate, Evidence

__all__ = ["evidence_scope", "scaling_records", "throughput_scaling", "forecast_throughput"]

#: a slope of samples/s against dims is fitted on at least this many datasets spanning this factor in dims
MIN_POINTS = 3
MIN_SPAN = 4.0
#: share of a fixed dataset's rows a family trains on (the bench's 80/20 split)
TRAIN_SHARE = 0.8


def _train_rows(card: dict, budget: Any) -> int | None:
    if card.get("size"):
        rows = card["size"] if budget is None else min(card["size"], budget.n_train + budget.n_test)
        return int(rows * TRAIN_SHARE)
    return budget.n_train if budget is not None else None


def evidence_scope(evidence: Evidence, cards: dict[str, dict]) -> dict[str, Any]:
    """Kinds and dims covered, training rows, budget (the span of steps and batch sizes the runs trained with, as
    their provenance records it: sized to each table's rows; else the budget's own), network classes, devices."""
    from advisor.budgets import BUDGETS

    budget = BUDGETS.get(evidence.budget or "")
    kinds: dict[str, dict[str, Any]] = {}
    for name, card in sorted(evidence.datasets.items()):
        kind = kinds.setdefault(card.get("kind", "?"), {"datasets": [], "dims": []})
        kind["datasets"].append(name)
        kind["dims"].append(card.get("dims"))
    for kind in kinds.values():
        dims = [d for d in kind.pop("dims") if d]
        kind["dims"] = [min(dims), max(dims)] if dims else []
    rows = [r for card in evidence.datasets.values() if (r := _train_rows(card, budget))]
    trained = [evidence.trained[d] for d in evidence.datasets if d in evidence.trained]  # as the runs record it
    steps = [s for low, high, _, _ in trained for s in (low, high)] or ([budget.train_steps] if budget else [])
    batches = [b for _, _, small, large in trained for b in (small, large)] or ([budget.batch_size] if budget else [])
    families = {family for family, _ in evidence.candidates}
    return {
        "kinds": kinds,
        "train_rows": [min(rows), max(rows)] if rows else [],
        "budget": evidence.budget,
        "steps": _span_of(steps),
        "batch": _span_of(batches),
        "networks": sorted({n for f in families if (n := cards.get(f, {}).get("network"))}),
        "devices": evidence.devices,
    }


def _span_of(values: list[int]) -> list[int] | None:
    """[lowest, highest] of `values`; None without any."""
    return [min(values), max(values)] if values else None


def throughput_scaling(evidence: Evidence, candidate: Candidate) -> dict[str, Any] | None:
    """Least-squares slope of log10 samples/s on log10 dims across the candidate's datasets.

    None with fewer than `MIN_POINTS` datasets or a span of dims under `MIN_SPAN` (a slope from two
    tables of 13 and 30 columns says little).
    """
    by_dataset = evidence.values.get(candidate, {}).get("sample_throughput", {})
    points = [
        (math.log10(card["dims"]), math.log10(summary.mean))
        for dataset, summary in by_dataset.items()
        if (card := evidence.datasets.get(dataset)) and card.get("dims") and summary.mean > 0
    ]
    xs = [x for x, _ in points]
    if len(points) < MIN_POINTS or len(set(xs)) < 2 or 10 ** (max(xs) - min(xs)) < MIN_SPAN:
        return None
    mean_x, mean_y = statistics.fmean(x for x, _ in points), statistics.fmean(y for _, y in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
    dims = [round(10**x) for x, _ in points]
    return {
        "slope": slope,
        "intercept": mean_y - slope * mean_x,
        "dims": [min(dims), max(dims)],
        "datasets": len(points),
    }


def forecast_throughput(scaling: dict[str, Any], dims: int) -> float:
    """Samples/s the fitted line predicts at `dims` (an extrapolation beyond the fitted range)."""
    return 10 ** (scaling["intercept"] + scaling["slope"] * math.log10(dims))


def scaling_records(evidence: Evidence, ranked: list[RankedCandidate], cards: dict[str, dict]) -> list[Scaling]:
    """How each ranked candidate's sampling throughput grows or falls with dimension, where it can be fitted."""
    return [
        Scaling(candidate=r.label, sampling=cards.get(r.family, {}).get("sampling"), **fitted)
        for r in ranked
        if (fitted := throughput_scaling(evidence, (r.family, r.sampler))) is not None
    ]
