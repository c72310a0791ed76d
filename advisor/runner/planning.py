"""Planning a time-limited measurement on the user's data: which cells, in which order, what fits.

Costs are estimated from the store: the median wall time of each family's cells on datasets of the
same kind and budget (fit and evaluation, started to finished), each first extrapolated to the
shape of the user's data; families never measured get a conservative default. Cells are ordered
so the answer improves fastest: every candidate's first seed, cheapest first, before any second
seed. Cells whose estimated cost no longer fits the time left are not started; they are reported
as not measured, with that reason.

The stored runs come from the shipped datasets (at most a few thousand rows, 64 encoded dims), so
a cell is extrapolated to a wider or longer table (never to a smaller one: fixed costs dominate
there): linearly in the encoded width, which every family's work and every metric grows with at
least (a network's input and output layers, a covariance's rows, a distance), and as the square
root of the rows, the slope the shipped store's runs show across 142 to 20,000 training rows. A
2,000-column table thus expects a kde cell of 0.7 s on penguins' 19 dims to take about 75 s,
where the unscaled estimate said 5 s whatever the width. `CostTracker` still corrects the
estimates while the bench runs: each cell finished on the user's data scales the estimates of the
cells still to start by how far off the estimates were so far.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from advisor.budgets import BUDGETS, Budget, get_budget
from advisor.store.cells import Cell
from advisor.store.engine import Store
from advisor.store.read import cost_history

__all__ = [
    "CostTracker",
    "DataShape",
    "estimate_costs",
    "fit_to_time",
    "sampling_forecast",
    "Plan",
    "UNKNOWN_COST_S",
    "EVALUATION_OVERHEAD_S",
]

#: Assumed seconds per cell of a family never measured at this budget (deliberately pessimistic),
#: on data up to `UNKNOWN_COST_DIMS` encoded dims.
UNKNOWN_COST_S = {"smoke": 15.0, "quick": 120.0, "full": 900.0}
UNKNOWN_COST_DIMS = 64
#: Seconds added to a stored fit time when the run did not record when its cell started and finished.
EVALUATION_OVERHEAD_S = 5.0
#: How a cell's cost grows with the data beyond the stored runs' (see the module docstring).
WIDTH_EXPONENT = 1.0
ROWS_EXPONENT = 0.5


@dataclass(frozen=True)
class DataShape:
    """The data one cell works on: its encoded width and the rows the budget uses of it."""

    dims: int
    rows: int

    @classmethod
    def of(cls, dims: int | None, size: int | None, budget: Budget) -> DataShape:
        """A dataset's shape at `budget`: `size` rows (None: generated, the budget's sizes), at most those."""
        most = budget.n_train + budget.n_test
        return cls(max(1, dims or 1), max(1, min(size or most, most)))

    def growth(self, larger: DataShape) -> float:
        """How many times longer a cell on `larger` is expected to take than on this shape (at least 1)."""
        width = max(1.0, larger.dims / self.dims) ** WIDTH_EXPONENT
        rows = max(1.0, larger.rows / self.rows) ** ROWS_EXPONENT
        return width * rows


@dataclass(frozen=True)
class Plan:
    """Cells to run, in order, and the cells left out with the reason."""

    cells: list[Cell]
    left_out: list[tuple[Cell, str]]
    estimated_seconds: float


def estimate_costs(
    stores: Sequence[Store],
    families: Sequence[str],
    kind: str,
    budget: str,
    shape: DataShape | None = None,
    exclude: Collection[str] = (),
) -> dict[str, float]:
    """Seconds one cell of each family is expected to take on data of `kind` at `budget`.

    A family's cells at `budget` are used; one never measured at it borrows its cells at the other
    budgets, scaled by the ratio of the budgets' default costs (`UNKNOWN_COST_S`), so that on a budget
    the stores hold no run of (smoke, with the shipped store) the families still start cheapest first
    rather than all at one default, in alphabetical order. With `shape`, every stored cell is first
    extrapolated to it (`DataShape.growth`); without, the stored costs are taken as they are. Cells on the
    datasets in `exclude` are not read (a table left out, as a user's table would be).
    """
    unknown = UNKNOWN_COST_S.get(budget, max(UNKNOWN_COST_S.values()))
    seconds: dict[str, dict[bool, list[float]]] = {}  # family -> at this budget? -> seconds
    for store in stores:
        with store.connect() as conn:
            records = cost_history(conn, families, None)
        for record in records:
            if record.kind != kind or record.budget not in BUDGETS or record.dataset in exclude:
                continue
            cost = (
                record.cell_seconds if record.cell_seconds is not None else record.train_seconds + EVALUATION_OVERHEAD_S
            )
            if record.budget != budget:
                cost *= unknown / UNKNOWN_COST_S.get(record.budget, unknown)
            if shape:
                cost *= DataShape.of(record.dims, record.size, BUDGETS[record.budget]).growth(shape)
            seconds.setdefault(record.family, {}).setdefault(record.budget == budget, []).append(cost)
    if shape:
        unknown *= DataShape.of(UNKNOWN_COST_DIMS, None, get_budget(budget)).growth(shape)
    estimates = {}
    for family in families:
        found = seconds.get(family, {})
        own = found.get(True) or found.get(False)  # its cells at this budget, else at the others
        estimates[family] = statistics.median(own) if own else unknown
    return estimates


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
