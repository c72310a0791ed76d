"""Memorization: the share of generated samples closer to a training row than fresh data would be.

Distance to closest record (DCR), as tabular-synthesizer benchmarks use it (Park et al. 2018,
"Data Synthesis based on Generative Adversarial Networks", PVLDB 11(10); Zhao et al. 2021,
"CTAB-GAN", ACML): a row's Euclidean distance to its nearest training row. Those benchmarks compare
the 5th percentile of the synthetic rows' DCR with that of real held-out rows; here the held-out
rows' 5th percentile is the threshold and the metric is the share of samples at or below it.

A fresh draw from the data distribution has the DCR distribution of a held-out test row, so it
scores about 0.05 whatever the number of samples; copies of training rows (DCR 0) score 1. The score
says how many samples sit unusually close to some training row, not how good they are: noise far
from the data scores 0. On a table, distances are taken with the dequantization noise of categories
and whole numbers removed, so that a copied row is a copy however it was encoded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor._lazy import lazy_import
from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, SampleMetric
from advisor.metrics.pairwise import as_float64_tensor, squared_distance_blocks, subsample

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["closest_distances", "duplicate_share", "memorization", "Memorization", "SAME_ROW"]

DEFAULT_QUANTILE = 0.05
DEFAULT_MAX_POINTS = 10_000
#: distances at most this (in standardized units) are the same row: float rounding, not a difference
SAME_ROW = 1e-6


def closest_distances(x: np.ndarray, records: np.ndarray) -> np.ndarray:
    """Euclidean distance from each row of `x` to its nearest row of `records` (its DCR)."""
    records_t = as_float64_tensor(records)
    blocks = [sq.min(dim=1).values.numpy() for _, sq in squared_distance_blocks(as_float64_tensor(x), records_t)]
    return np.sqrt(np.concatenate(blocks))


def memorization(
    real: np.ndarray,
    fake: np.ndarray,
    *,
    train: np.ndarray,
    quantile: float = DEFAULT_QUANTILE,
    max_points: int = DEFAULT_MAX_POINTS,
    seed: int = 0,
) -> float:
    """Share of `fake` rows whose distance to the closest `train` row is at most the `quantile` of
    the held-out `real` rows' distances to the closest `train` row.

    `fake` is first subsampled to at most `max_points` rows with `seed`; `real` and `train` are used
    whole. Fresh data score about `quantile`; copies of training rows score 1.
    """
    if not 0 < quantile < 1:
        raise ValueError(f"memorization quantile must lie strictly between 0 and 1, got {quantile}")
    if min(len(real), len(fake), len(train)) < 1:
        raise ValueError("memorization needs held-out rows, samples and training rows")
    threshold = np.quantile(closest_distances(real, train), quantile)
    fake = subsample(fake, max_points, np.random.default_rng(seed))
    return float((closest_distances(fake, train) <= threshold + SAME_ROW).mean())


def duplicate_share(real: np.ndarray, train: np.ndarray) -> float:
    """Share of `real` rows at distance 0 (within `SAME_ROW`) of some `train` row."""
    return float((closest_distances(real, train) <= SAME_ROW).mean())


class Memorization(SampleMetric):
    """Share of samples nearer a training row than 95% of held-out rows are (DCR; Park et al. 2018)."""

    spec = MetricSpec(
        name="memorization",
        title="Memorization",
        unit="",
        higher_is_better=False,
        bounds=(0.0, 1.0),
        category="quality",
        description="Share of samples whose distance to the closest training row is at most the test rows' "
        "5th percentile (DCR, Park et al. 2018; Zhao et al. 2021); fresh data ~0.05, training copies 1.",
    )

    def options(self, ctx: EvaluationContext) -> dict[str, Any]:
        return {"train": ctx.split.train}

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        """On a table whose rows repeat (few categories and whole numbers, no continuous column), a
        fresh row is often an exact copy of a training row: when at least the quantile's share of
        held-out rows are, a copy cannot be told from a fresh draw and the metric says nothing."""
        encoder = ctx.split.encoder
        if encoder is None:
            return None
        share = duplicate_share(encoder.requantized(ctx.split.test), encoder.requantized(ctx.split.train))
        if share >= DEFAULT_QUANTILE:
            return (
                f"{share:.0%} of the held-out rows repeat a training row exactly: on this table a copy "
                "cannot be told from a fresh row"
            )
        return None

    def compute(self, ctx: EvaluationContext) -> float:
        """On a table, distances between rows as the table holds them: the dequantization noise of its
        categories and whole numbers is taken out of every array first (`TableCodec.requantized`).
        In the noisy encoding the metric misreads both ways: a copy of a training row that comes back
        through the encoding (a family modelling the table's own columns) gets fresh noise and reads
        like fresh data (penguins: 0.04-0.08 instead of 1), and samples whose noise is less spread than
        the data's sit nearer every training row than held-out rows do without copying any (penguins'
        GAN: 41% in the noisy encoding, 1% on rows, whose distances to training rows exceed fresh
        rows')."""
        encoder = ctx.split.encoder
        if encoder is None:
            return super().compute(ctx)
        train = encoder.requantized(ctx.split.train)
        return self.score(encoder.requantized(ctx.split.test), encoder.requantized(ctx.samples), train=train)

    def score(self, real: np.ndarray, fake: np.ndarray, **options: Any) -> float:
        """Options: `train` (required), `quantile`, `max_points` and `seed` of `memorization`."""
        return memorization(real, fake, **options)
