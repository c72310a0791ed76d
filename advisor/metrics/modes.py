"""Mode metrics on Gaussian-mixture datasets: modes covered and high-quality sample rate.

Following PacGAN (Lin et al. 2018): a sample is high-quality when it lies within 3 standard
deviations of its nearest mode; a mode is covered when at least 1% of the samples are high-quality
samples of that mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor._lazy import lazy_import
from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, SampleMetric

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["ModesCovered", "HighQualityRate", "mode_assignment"]

HQ_RADIUS_STDS = 3.0
COVERED_FRACTION = 0.01


def mode_assignment(fake: np.ndarray, modes: np.ndarray, std: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest mode of each sample and whether it is high-quality (within 3 std of that mode)."""
    sq = ((fake[:, None, :] - modes[None, :, :]) ** 2).sum(-1)
    nearest = sq.argmin(axis=1)
    high_quality = np.sqrt(sq[np.arange(len(fake)), nearest]) <= HQ_RADIUS_STDS * std
    return nearest, high_quality


class _MixtureMetric(SampleMetric):
    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if not hasattr(ctx.dataset, "modes"):
            return f"dataset {ctx.dataset.card.name!r} is not a mixture with known modes"
        return None

    def options(self, ctx: EvaluationContext) -> dict[str, Any]:
        return {"modes": ctx.dataset.modes(), "std": ctx.dataset.std}


class ModesCovered(_MixtureMetric):
    """Number of mixture modes that receive at least 1% of the samples as high-quality samples."""

    spec = MetricSpec(
        name="modes_covered",
        title="Modes covered",
        unit="modes",
        higher_is_better=True,
        bounds=(0.0, None),
        category="quality",
        description="Modes receiving >= 1% of samples within 3 std (PacGAN's definition).",
    )

    def score(self, real: np.ndarray, fake: np.ndarray, *, modes: np.ndarray, std: float) -> float:
        nearest, high_quality = mode_assignment(fake, modes, std)
        counts = np.bincount(nearest[high_quality], minlength=len(modes))
        return float((counts >= COVERED_FRACTION * len(fake)).sum())


class HighQualityRate(_MixtureMetric):
    """Fraction of samples within 3 standard deviations of their nearest mode."""

    spec = MetricSpec(
        name="hq_rate",
        title="High-quality rate",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Fraction of samples within 3 std of the nearest mode (true samples: ~0.989 in 2-D).",
    )

    def score(self, real: np.ndarray, fake: np.ndarray, *, modes: np.ndarray, std: float) -> float:
        return float(mode_assignment(fake, modes, std)[1].mean())
