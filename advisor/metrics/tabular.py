"""Tabular fidelity, as users of tabular synthesizers measure it: column shapes and column pairs.

Both compare the real held-out rows with the generated ones in the user's own columns (decoded
from the shared encoding; tables without one, e.g. wine, are all continuous columns):

- `column_shapes`: per column, 1 - the Kolmogorov-Smirnov statistic for numbers and dates, and
  1 - the total-variation distance between category frequencies for categoricals; averaged over
  the columns (SDMetrics' KSComplement and TVComplement, as SDGym reports them).
- `column_pairs`: per pair of columns, 1 - |difference of Pearson correlations| / 2 for two numbers,
  and 1 - the total-variation distance between the two contingency tables otherwise (numbers cut
  at the real column's quartiles); averaged over the pairs (CorrelationSimilarity and
  ContingencySimilarity).

1 means the synthetic columns and pairs are distributed as the real ones.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from advisor._lazy import lazy_import
from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, Metric

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = ["ColumnShapes", "ColumnPairs", "table_views"]

_QUARTILES = (0.25, 0.5, 0.75)


def table_views(ctx: EvaluationContext) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    """(real test rows, generated rows, names of the categorical columns) in the user's columns."""
    import pandas as pd

    encoder = ctx.split.encoder
    if encoder is None:
        names = [f"x{i}" for i in range(ctx.split.test.shape[1])]
        return pd.DataFrame(ctx.split.test, columns=names), pd.DataFrame(ctx.samples, columns=names), set()
    categorical = {c.name for c in encoder.schema.modelled if c.kind == "categorical" and not c.is_indicator}
    keep = [c.name for c in encoder.schema.modelled if not c.is_indicator]
    real, fake = encoder.decode(ctx.split.test)[keep], encoder.decode(ctx.samples)[keep]
    for frame in (real, fake):
        for name in keep:
            if name not in categorical and frame[name].dtype.kind == "M":
                frame[name] = frame[name].astype("int64").where(frame[name].notna())
    return real, fake, categorical


def _levels(series: pd.Series) -> pd.Series:
    """A categorical column as text with a missing cell as its own level, '(missing)' (pandas 3's
    `astype(str)` keeps NaN missing and `value_counts` would drop it; pandas 2 made it 'nan')."""
    from advisor.data.schema import MISSING_LEVEL

    return series.astype(object).where(series.notna(), MISSING_LEVEL).astype(str)


def _tv_complement(real: pd.Series, fake: pd.Series) -> float:
    p = _levels(real).value_counts(normalize=True)
    q = _levels(fake).value_counts(normalize=True)
    levels = p.index.union(q.index)
    return 1.0 - 0.5 * float((p.reindex(levels, fill_value=0) - q.reindex(levels, fill_value=0)).abs().sum())


def _ks_complement(real: pd.Series, fake: pd.Series) -> float:
    from scipy.stats import ks_2samp

    a, b = real.dropna().to_numpy(float), fake.dropna().to_numpy(float)
    if not len(a) or not len(b):
        return 0.0
    return 1.0 - float(ks_2samp(a, b).statistic)


def _binned(series: pd.Series, reference: pd.Series) -> pd.Series:
    """A numeric column cut at the real column's quartiles (a category per bin, missing its own)."""
    import pandas as pd

    edges = np.unique(np.quantile(reference.dropna().to_numpy(float), _QUARTILES))
    codes = np.searchsorted(edges, series.to_numpy(float), side="right").astype(object)
    codes[series.isna().to_numpy()] = "missing"
    return pd.Series(codes)


def _pair_similarity(real: pd.DataFrame, fake: pd.DataFrame, a: str, b: str, categorical: set[str]) -> float:
    if a not in categorical and b not in categorical:
        r = real[[a, b]].astype(float).corr().iloc[0, 1]
        f = fake[[a, b]].astype(float).corr().iloc[0, 1]
        r, f = (0.0 if np.isnan(v) else float(v) for v in (r, f))  # a constant sample has no correlation
        return 1.0 - abs(r - f) / 2
    columns = []
    for frame in (real, fake):
        pair = [_levels(frame[c]) if c in categorical else _binned(frame[c], real[c]) for c in (a, b)]
        columns.append(pair[0].reset_index(drop=True).astype(str) + "\x1f" + pair[1].reset_index(drop=True).astype(str))
    return _tv_complement(*columns)


class _TableMetric(Metric):
    """A metric over the user's columns; applies to tabular data."""

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if ctx.dataset.card.kind != "tabular":
            return f"dataset {ctx.dataset.card.name!r} is {ctx.dataset.card.kind} data, not a table"
        return None


class ColumnShapes(_TableMetric):
    """Mean over columns of 1 - KS statistic (numbers, dates) or 1 - TV distance (categories)."""

    spec = MetricSpec(
        name="column_shapes",
        title="Column shapes",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Mean over the user's columns of 1 - KS statistic (numbers) or 1 - total variation "
        "(categories) between real held-out and generated rows (SDMetrics KSComplement / TVComplement).",
    )

    def compute(self, ctx: EvaluationContext) -> float:
        real, fake, categorical = table_views(ctx)
        scores = [(_tv_complement if name in categorical else _ks_complement)(real[name], fake[name]) for name in real]
        return float(np.mean(scores))


class ColumnPairs(_TableMetric):
    """Mean over column pairs of correlation similarity (two numbers) or contingency similarity."""

    spec = MetricSpec(
        name="column_pairs",
        title="Column pair trends",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Mean over pairs of the user's columns of 1 - |correlation difference| / 2 (numbers) or "
        "1 - total variation between contingency tables (SDMetrics CorrelationSimilarity / ContingencySimilarity).",
    )

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        reason = super().not_applicable(ctx)
        if reason is None and ctx.split.test.shape[1] < 2:
            return "one column has no pairs"
        return reason

    def compute(self, ctx: EvaluationContext) -> float:
        real, fake, categorical = table_views(ctx)
        pairs = list(itertools.combinations(real.columns, 2))
        return float(np.mean([_pair_similarity(real, fake, a, b, categorical) for a, b in pairs]))
