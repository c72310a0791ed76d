"""Tabular fidelity as SDMetrics' QualityReport measures it: column shapes and column pair trends.

Both compare the real held-out rows with the generated ones in the user's own columns (decoded from
the shared encoding; tables without one, e.g. wine, are all numerical columns), each column typed
by its SDMetrics `sdtype` (the table codec's `sdtypes`: no column kind is named here).
The definitions are SDMetrics' (version 0.32), so the numbers equal its report's on the same rows:

- `column_shapes`: per column, KSComplement (1 - the two-sample Kolmogorov-Smirnov statistic) for
  numerical and datetime columns, TVComplement (1 - the total-variation distance between the
  category frequencies) for categorical, boolean and ordinal ones; missing cells left out of both.
  The mean over the columns, leaving out a column with no value on one side.
- `column_pairs`: per pair, CorrelationSimilarity (1 - |difference of the Pearson correlations| / 2,
  on the rows where both cells have a value) for two numerical or datetime columns, and
  ContingencySimilarity (1 - the total-variation distance between the two joint frequency tables,
  a missing cell a value of its own) otherwise, a numerical or datetime column of a mixed pair cut
  into 10 equal-width bins over each table's own range (numpy's histogram edges; its largest value
  and its gaps share an 11th). As the QualityReport does, only pairs associated in the real rows
  count: a real correlation beyond `CORRELATION_THRESHOLD` in absolute value, or a real Cramér's V
  beyond `ASSOCIATION_THRESHOLD`; a pair with a constant column or no correlation left is left out.
  The mean over the pairs that count.

Dates are compared as nanoseconds since the epoch. 1 means the synthetic columns and pairs are
distributed as the real ones.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from advisor._lazy import lazy_import
from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, Metric

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = [
    "SDType",
    "CORRELATION_THRESHOLD",
    "ASSOCIATION_THRESHOLD",
    "TableView",
    "table_view",
    "column_shapes",
    "column_pairs",
    "ColumnShapes",
    "ColumnPairs",
]

SDType = Literal["numerical", "datetime", "categorical", "boolean", "ordinal", "id"]
#: the QualityReport's defaults: pairs less associated than this in the real rows do not count
CORRELATION_THRESHOLD = 0.5
ASSOCIATION_THRESHOLD = 0.3
CONTINUOUS: frozenset[str] = frozenset({"numerical", "datetime"})
DISCRETE: frozenset[str] = frozenset({"categorical", "boolean", "ordinal"})
#: KSComplement rounds numbers to this many decimals first (float noise is not a difference)
_KS_DECIMALS = 14


@dataclass(frozen=True)
class TableView:
    """Real test rows and generated rows in the user's columns, with each column's sdtype."""

    real: pd.DataFrame
    synthetic: pd.DataFrame
    sdtypes: dict[str, SDType]


def table_view(ctx: EvaluationContext) -> TableView:
    """The run's real test rows and samples decoded to the user's modelled columns (no indicators)."""
    import pandas as pd

    encoder = ctx.split.encoder
    if encoder is None:
        names = [f"x{i}" for i in range(ctx.split.test.shape[1])]
        return TableView(
            pd.DataFrame(ctx.split.test, columns=names),
            pd.DataFrame(ctx.samples, columns=names),
            dict.fromkeys(names, "numerical"),
        )
    keep = encoder.column_names
    return TableView(encoder.decode(ctx.split.test)[keep], encoder.decode(ctx.samples)[keep], dict(encoder.sdtypes))


def _numbers(series: pd.Series, kind: str) -> pd.Series:
    """A numerical or datetime column as numbers: dates in nanoseconds since the epoch (whole numbers
    where there is no gap, as SDMetrics converts them), numbers as floats; gaps NaN."""
    import pandas as pd

    if kind == "datetime":
        stamps = pd.to_datetime(series)
        return (stamps - pd.Timestamp(0, tz=stamps.dt.tz)) // pd.Timedelta(1, "ns")
    return pd.to_numeric(series).astype(float)


def _ks_complement(real: pd.Series, synthetic: pd.Series, kind: str) -> float:
    from scipy.stats import ks_2samp

    a, b = (_numbers(s.dropna(), kind).round(_KS_DECIMALS) for s in (real, synthetic))
    if a.empty or b.empty:
        return math.nan
    return 1.0 - float(ks_2samp(a.to_numpy(), b.to_numpy()).statistic)


def _tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    p, q = (s.dropna().value_counts(normalize=True) for s in (real, synthetic))
    if p.empty or q.empty:
        return math.nan
    levels = p.index.union(q.index)
    return 1.0 - 0.5 * float((p.reindex(levels, fill_value=0) - q.reindex(levels, fill_value=0)).abs().sum())


def column_shapes(real: pd.DataFrame, synthetic: pd.DataFrame, sdtypes: Mapping[str, str]) -> float:
    """SDMetrics' ColumnShapes: the mean KS or TV complement over the columns (see the module)."""
    scores = []
    for name, kind in sdtypes.items():
        if kind in CONTINUOUS:
            scores.append(_ks_complement(real[name], synthetic[name], kind))
        elif kind in DISCRETE:
            scores.append(_tv_complement(real[name], synthetic[name]))
    return float(np.nanmean(scores)) if any(not math.isnan(s) for s in scores) else math.nan


def _binned(values: pd.Series) -> np.ndarray:
    """A numeric column cut into 10 equal-width bins over its own range (top value and gaps: bin 11)."""
    return np.digitize(values.to_numpy(float), bins=np.histogram_bin_edges(values.dropna().to_numpy(float)))


def _correlation_similarities(
    real: Mapping[str, pd.Series], synthetic: Mapping[str, pd.Series], threshold: float
) -> list[float]:
    """1 - |real - synthetic correlation| / 2 for every pair of number columns that counts: neither column
    constant on either side (SDMetrics refuses constant data), the real correlation defined and beyond
    `threshold`. Correlations are pairwise-complete Pearson, computed at once (a 2,000-column table no
    longer costs a Python call per pair); a synthetic correlation that is undefined gives NaN."""
    import pandas as pd

    frames = [pd.DataFrame(columns) for columns in (real, synthetic)]
    if not len(frames[0].columns):
        return []
    r, s = (_pairwise_correlations(frame) for frame in frames)
    varying = np.array([frames[0][c].nunique() != 1 and frames[1][c].nunique() != 1 for c in frames[0].columns])
    upper = np.triu(np.ones(r.shape, dtype=bool), k=1) & varying[:, None] & varying[None, :]
    counted = upper & ~np.isnan(r) & (np.abs(r) > threshold)
    return (1.0 - np.abs(r[counted] - s[counted]) / 2).tolist()


def _pairwise_correlations(frame: pd.DataFrame) -> np.ndarray:
    """The Pearson correlation of every pair of columns over the rows both have (NaN where undefined): one
    matrix product without gaps, pandas' pairwise-complete loop with them."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")  # a column constant on the complete rows: NaN, left out
        if len(frame) > 1 and not frame.isna().to_numpy().any():
            return np.atleast_2d(np.corrcoef(frame.to_numpy(float), rowvar=False))
        return frame.corr(method="pearson", min_periods=2).to_numpy()


def _contingency_similarity(real: pd.DataFrame, synthetic: pd.DataFrame, threshold: float) -> float:
    """1 - the total-variation distance between the joint frequencies (a gap a value of its own); NaN
    (left out) where `threshold` > 0 and the real Cramér's V is not beyond it."""
    import pandas as pd
    from scipy.stats.contingency import association

    codes, sizes = [], []
    for name in real.columns:
        column, _ = pd.factorize(pd.concat([real[name], synthetic[name]], ignore_index=True), use_na_sentinel=False)
        codes.append(column)
        sizes.append(int(column.max()) + 1)
    joint = codes[0] * sizes[1] + codes[1]
    real_counts = np.bincount(joint[: len(real)], minlength=sizes[0] * sizes[1])
    if threshold > 0:
        table = real_counts.reshape(sizes)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]  # the levels the real rows have
        if table.sum() == 0 or min(table.shape) < 2 or association(table, method="cramer") <= threshold:
            return math.nan
    fake_counts = np.bincount(joint[len(real) :], minlength=sizes[0] * sizes[1])
    return 1.0 - 0.5 * float(np.abs(real_counts / len(real) - fake_counts / len(synthetic)).sum())


def _pair_scores(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    sdtypes: Mapping[str, str],
    correlation_threshold: float,
    association_threshold: float,
) -> list[float]:
    """The pairs' scores: every counted pair of number columns, then each pair with a category (NaN where
    it does not count; see the module)."""
    import pandas as pd

    kept = {name: kind for name, kind in sdtypes.items() if kind in CONTINUOUS | DISCRETE}
    numbers = {
        side: {name: _numbers(frame[name], kind) for name, kind in kept.items() if kind in CONTINUOUS}
        for side, frame in (("real", real), ("synthetic", synthetic))
    }
    scores = _correlation_similarities(numbers["real"], numbers["synthetic"], correlation_threshold)
    names = list(kept)
    with_category = [
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if kept[a] not in CONTINUOUS or kept[b] not in CONTINUOUS  # two number columns: scored above, at once
    ]
    binned = {
        side: {name: _binned(values) for name, values in columns.items()} if with_category else {}
        for side, columns in numbers.items()
    }
    for a, b in with_category:
        pairs = []
        for side, frame in (("real", real), ("synthetic", synthetic)):
            columns = {name: binned[side][name] if kept[name] in CONTINUOUS else frame[name] for name in (a, b)}
            pairs.append(pd.DataFrame({name: np.asarray(values, dtype=object) for name, values in columns.items()}))
        scores.append(_contingency_similarity(*pairs, association_threshold))
    return scores


def column_pairs(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    sdtypes: Mapping[str, str],
    correlation_threshold: float = CORRELATION_THRESHOLD,
    association_threshold: float = ASSOCIATION_THRESHOLD,
) -> float:
    """SDMetrics' ColumnPairTrends as the QualityReport computes it: the mean correlation or contingency
    similarity over the pairs that count (see the module); NaN when none does. Thresholds of 0 give
    the property's own default, every pair."""
    scores = _pair_scores(real, synthetic, sdtypes, correlation_threshold, association_threshold)
    counted = [s for s in scores if not math.isnan(s)]
    return float(np.mean(counted)) if counted else math.nan


class _TableMetric(Metric):
    """A metric over the user's columns; applies to tabular data."""

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if ctx.dataset.card.kind != "tabular":
            return f"dataset {ctx.dataset.card.name!r} is {ctx.dataset.card.kind} data, not a table"
        return None


class ColumnShapes(_TableMetric):
    """SDMetrics' ColumnShapes: mean KSComplement (numbers, dates) or TVComplement (categories)."""

    spec = MetricSpec(
        name="column_shapes",
        title="Column shapes",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Mean over the user's columns of 1 - KS statistic (numbers, dates) or 1 - total variation "
        "(categories) between real held-out and generated rows: SDMetrics' ColumnShapes (KSComplement / TVComplement).",
    )

    def compute(self, ctx: EvaluationContext) -> float:
        view = table_view(ctx)
        return column_shapes(view.real, view.synthetic, view.sdtypes)


class ColumnPairs(_TableMetric):
    """SDMetrics' ColumnPairTrends as its QualityReport computes it, over the pairs associated in the real rows."""

    spec = MetricSpec(
        name="column_pairs",
        title="Column pair trends",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Mean over pairs of the user's columns associated in the real rows (|correlation| > 0.5 or "
        "Cramér's V > 0.3) of 1 - |correlation difference| / 2 (numbers, dates) or 1 - total variation between "
        "contingency tables: SDMetrics' ColumnPairTrends as its QualityReport computes it.",
    )

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        reason = super().not_applicable(ctx)
        if reason is None and ctx.split.test.shape[1] < 2:
            return "one column has no pairs"
        if reason is None:
            view = table_view(ctx)
            real = view.real
            scores = _pair_scores(real, real, view.sdtypes, CORRELATION_THRESHOLD, ASSOCIATION_THRESHOLD)
            if all(math.isnan(s) for s in scores):
                return (
                    f"no pair of columns is associated in the real rows (|correlation| > {CORRELATION_THRESHOLD} "
                    f"or Cramér's V > {ASSOCIATION_THRESHOLD}), the pairs SDMetrics' QualityReport scores"
                )
        return reason

    def compute(self, ctx: EvaluationContext) -> float:
        view = table_view(ctx)
        return column_pairs(view.real, view.synthetic, view.sdtypes)
