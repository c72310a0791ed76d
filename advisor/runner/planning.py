"""Planning a time-limited measurement on the user's data: which cells, in which order, what fits.

Costs are estimated from the store: the median wall time of each family's cells on datasets of the
same kind and budget (train time plus a fixed evaluation overhead); families never measured get a
conservative default. Cells are ordered so the answer improves fastest: every candidate's first
seed, cheapest first, before any second seed. Cells whose estimated cost no longer fits the time
left are not started; they are reported as not measured, with that reason.

The stored runs come from the shipped datasets (at most a few thousand rows, 64 dims), so on a large
table every estimate can be an order of magnitude short (a VAE estimated at 12 s took 196 s on
20,000 x 184). `CostTracker` corrects them while the bench runs: each cell finished on the user's
data scales the estimates of the cells still to start by how far off the estimates were so far.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.store.cells import Cell
from advisor.store.engine import Store
from advisor.store.read import cost_history

__all__ = [
    "CostTracker",
    "estimate_costs",
    "fit_to_time",
    "sampling_forecast",
    "Plan",
    "UNKNOWN_COST_S",
    "EVALUATION_OVERHEAD_S",
]

#: Assumed seconds per cell of a family never measured at this budget (deliberately pessimistic).
UNKNOWN_COST_S = {"smoke": 15.0, "quick": 120.0, "full": 900.0}
EVALUATION_OVERHEAD_S = 5.0


@dataclass(frozen=True)
class Plan:
    """Cells to run, in order, and the cells left out with the reason."""

    cells: list[Cell]
    left_out: list[tuple[Cell, str]]
    estimated_seconds: float


def estimate_costs(stores: Sequence[Store], families: Sequence[str], kind: str, budget: str) -> dict[str, float]:
    """Seconds one cell of each family is expected to take on data of `kind` at `budget`."""
    seconds: dict[str, list[float]] = {}
    for store in stores:
        with store.connect() as conn:
            for family, dataset_kind, value in cost_history(conn, families, budget):
                if dataset_kind == kind:
                    seconds.setdefault(family, []).append(value)
    unknown = UNKNOWN_COST_S.get(budget, max(UNKNOWN_COST_S.values()))
    return {f: statistics.median(seconds[f]) + EVALUATION_OVERHEAD_S if f in seconds else unknown for f in families}


class CostTracker:
    """Per-family cost estimates, corrected by what the cells measured so far actually took.

    A family with a finished cell is corrected by its own cells; the others by all cells finished.
    """

    def __init__(self, costs: Mapping[str, float]) -> None:
        self.costs = dict(costs)
        self._log_ratios: dict[str, list[float]] = {}

    def observe(self, family: str, seconds: float) -> None:
        """Record that a finished cell of `family` took `seconds`."""
        self._log_ratios.setdefault(family, []).append(math.log(max(seconds, 1e-3) / self.costs[family]))

    def correction(self, family: str | None = None) -> float:
        """Measured over estimated seconds (geometric mean) of `family`'s cells, else of every cell; 1 before any."""
        ratios = self._log_ratios.get(family) or [r for rs in self._log_ratios.values() for r in rs]
        return math.exp(statistics.fmean(ratios)) if ratios else 1.0

    def estimate(self, family: str) -> float:
        """Seconds one cell of `family` is now expected to take."""
        return self.costs[family] * self.correction(family)


def fit_to_time(cells: Sequence[Cell], costs: Mapping[str, float], seconds: float | None, jobs: int) -> Plan:
    """Order `cells` (seed-major, cheapest family first) and keep those that fit `seconds` on `jobs` workers."""
    ordered = sorted(cells, key=lambda c: (c.seed, costs[c.family], c.family))
    if seconds is None:
        return Plan(ordered, [], sum(costs[c.family] for c in ordered) / jobs)
    lanes = [0.0] * max(1, jobs)  # greedy: each cell goes to the lane that frees up first
    kept, left_out = [], []
    for cell in ordered:
        lane = min(range(len(lanes)), key=lanes.__getitem__)
        if lanes[lane] + costs[cell.family] <= seconds:
            lanes[lane] += costs[cell.family]
            kept.append(cell)
        else:
            left_out.append((cell, f"estimated {costs[cell.family]:.0f} s would not fit the time limit"))
    return Plan(kept, left_out, max(lanes))


def sampling_forecast(store: Store, specs: Mapping, cards: Mapping[str, dict], dims: int, budget: str) -> list[str]:
    """How the sampling cost of sequential families grows with dimension, from `store`'s datasets,
    and what it predicts at the user's `dims` (a sentence per family whose cost grows steeply)."""
    from advisor.rules.evidence import candidate_label, gather
    from advisor.rules.scope import forecast_throughput, throughput_scaling

    evidence = gather(store, ["sample_throughput"], specs, budget=budget)
    sentences = []
    for candidate in evidence.candidates:
        fitted = throughput_scaling(evidence, candidate)
        sequential = cards.get(candidate[0], {}).get("sampling") == "sequential"
        if fitted is None or not (sequential or fitted["slope"] <= STEEP_SLOPE):
            continue
        low, high = fitted["dims"]
        sentences.append(
            f"{candidate_label(candidate)}: samples/s scale as dims^{fitted['slope']:.2f} across the stored datasets "
            f"({low}-{high} dims); at your {dims} dims expect about {forecast_throughput(fitted, dims):,.0f} samples/s"
        )
    return sentences


#: a slope of log samples/s on log dims at or below this is steep enough to forecast (sequential: ~ -1)
STEEP_SLOPE = -0.75
