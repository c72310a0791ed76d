"""Classifier two-sample test (C2ST): how well a classifier tells generated samples from real ones.

Lopez-Paz & Oquab 2017, "Revisiting Classifier Two-Sample Tests" (ICLR). A small MLP is trained to
separate an equal number of real and generated samples, and its k-fold cross-validated accuracy is
reported: 0.5 when the two are indistinguishable, 1 when they are fully separable. The setup
follows the `c2st` of the sbi toolbox (features standardized with the real data's mean and
standard deviation, a two-hidden-layer ReLU MLP of 10 units per dimension, fixed random states),
with the width capped at 64 and early stopping to bound the cost on high-dimensional data.

Accuracy below 0.5 carries no information: it is chance variation around 0.5 (held-out accuracy of
a classifier that learned nothing), not a better-than-perfect generator.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from advisor._lazy import lazy_import
from advisor.cards import MetricSpec
from advisor.metrics.base import SampleMetric
from advisor.metrics.pairwise import subsample

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["c2st", "C2ST"]

DEFAULT_MAX_POINTS = 5_000
DEFAULT_FOLDS = 5
MAX_HIDDEN_UNITS = 64


def c2st(
    real: np.ndarray,
    fake: np.ndarray,
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    folds: int = DEFAULT_FOLDS,
    hidden_units: int | None = None,
    seed: int = 0,
) -> float:
    """Mean `folds`-fold cross-validated accuracy of an MLP separating `real` from `fake`.

    Both samples are subsampled to the same size (the smaller one's, at most `max_points`) with
    `seed`. The MLP has two hidden layers of `hidden_units` units (default 10 per input dimension,
    at most 64), early stopping on 10% of each training fold, and `seed` as its random state.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neural_network import MLPClassifier

    count = min(len(real), len(fake), max_points)
    if count < 2 * folds:
        raise ValueError(f"c2st needs at least {2 * folds} samples of each kind, got {len(real)} and {len(fake)}")
    rng = np.random.default_rng(seed)
    x = np.asarray(subsample(real, count, rng), dtype=np.float64)
    y = np.asarray(subsample(fake, count, rng), dtype=np.float64)
    mean, std = x.mean(0), x.std(0)
    std[std == 0] = 1.0
    features = (np.concatenate([x, y]) - mean) / std
    labels = np.repeat([0, 1], count)
    width = hidden_units or min(10 * x.shape[1], MAX_HIDDEN_UNITS)
    classifier = MLPClassifier(hidden_layer_sizes=(width, width), max_iter=500, early_stopping=True, random_state=seed)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is a deliberate cost cap
        return float(cross_val_score(classifier, features, labels, cv=cv, scoring="accuracy").mean())


class C2ST(SampleMetric):
    """Classifier two-sample test accuracy: 0.5 is perfect, 1 fully separable (Lopez-Paz & Oquab 2017)."""

    spec = MetricSpec(
        name="c2st",
        title="C2ST accuracy",
        unit="",
        higher_is_better=False,
        reference=0.5,
        bounds=(0.0, 1.0),
        category="quality",
        description="5-fold CV accuracy of an MLP telling samples from test data (balanced, <= 5,000 a side); "
        "0.5 = indistinguishable, below 0.5 is noise.",
    )

    def score(self, real: np.ndarray, fake: np.ndarray, **options: Any) -> float:
        """Options: `max_points`, `folds`, `hidden_units` and `seed` of `c2st`."""
        return c2st(real, fake, **options)
