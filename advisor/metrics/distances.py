"""Distances between the real and the generated distribution: MMD, sliced Wasserstein, Fréchet.

- `mmd`: unbiased estimate of the squared maximum mean discrepancy with a Gaussian (RBF) kernel
  (Gretton et al. 2012, "A Kernel Two-Sample Test", JMLR, eq. 3), bandwidth by the median heuristic.
- `sliced_wasserstein`: sliced Wasserstein-2 distance over random directions (Bonneel et al. 2015,
  "Sliced and Radon Wasserstein Barycenters of Measures", JMIV); it equals POT's
  `ot.sliced_wasserstein_distance` given the same directions.
- `frechet`: Fréchet (Wasserstein-2) distance between Gaussians fitted to the two samples, as in
  FID (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule...", NeurIPS), here on the
  raw features.

All three are 0 for identical distributions; lower is better.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor._lazy import lazy_import
from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, SampleMetric
from advisor.metrics.pairwise import as_float64_tensor, squared_distance_blocks, subsample

if TYPE_CHECKING:
    import numpy as np
    import torch
else:
    np = lazy_import("numpy")

__all__ = [
    "median_bandwidth",
    "mmd2",
    "random_directions",
    "sliced_wasserstein",
    "frechet_distance",
    "MMD",
    "SlicedWasserstein",
    "Frechet",
]


DEFAULT_MMD_POINTS = 5_000
DEFAULT_SW_POINTS = 10_000
DEFAULT_PROJECTIONS = 256


def median_bandwidth(pooled: np.ndarray, max_points: int = 2_000, seed: int = 0) -> float:
    """Median heuristic: the median Euclidean distance between distinct points of `pooled`.

    Computed on at most `max_points` points drawn with `seed`; 2,000 points give 2 million pairs,
    plenty for a median.
    """
    t = as_float64_tensor(subsample(pooled, max_points, np.random.default_rng(seed)))
    sq = np.concatenate([block.numpy() for _, block in squared_distance_blocks(t, t)])
    return float(np.median(np.sqrt(sq[np.triu_indices(len(t), k=1)])))


def _kernel_sum(x: torch.Tensor, y: torch.Tensor, gamma: float) -> float:
    """Sum of exp(-gamma |x_i - y_j|^2) over all pairs of rows."""
    return sum(float(sq.mul_(-gamma).exp_().sum()) for _, sq in squared_distance_blocks(x, y))


def mmd2(
    real: np.ndarray,
    fake: np.ndarray,
    *,
    bandwidth: float | None = None,
    max_points: int = DEFAULT_MMD_POINTS,
    seed: int = 0,
) -> float:
    """Unbiased squared MMD with kernel exp(-|x - y|^2 / (2 bandwidth^2)) (Gretton et al. 2012, eq. 3).

    Each sample is first subsampled to at most `max_points` rows with `seed`. Without `bandwidth`,
    the median heuristic over the pooled subsamples sets it. Being unbiased, the estimate is about
    0, possibly slightly negative, when the two distributions are equal.
    """
    rng = np.random.default_rng(seed)
    x_np, y_np = subsample(real, max_points, rng), subsample(fake, max_points, rng)
    n, m = len(x_np), len(y_np)
    if min(n, m) < 2:
        raise ValueError(f"mmd needs at least 2 real and 2 fake samples, got {n} and {m}")
    if bandwidth is None:
        bandwidth = median_bandwidth(np.concatenate([x_np, y_np]), seed=seed)
    if not bandwidth > 0:
        raise ValueError(f"mmd bandwidth must be positive, got {bandwidth} (most pooled points coincide?)")
    gamma = 1.0 / (2.0 * bandwidth**2)
    x, y = as_float64_tensor(x_np), as_float64_tensor(y_np)
    within_real = (_kernel_sum(x, x, gamma) - n) / (n * (n - 1))  # k(x, x) = 1 on the excluded diagonal
    within_fake = (_kernel_sum(y, y, gamma) - m) / (m * (m - 1))
    return within_real + within_fake - 2.0 * _kernel_sum(x, y, gamma) / (n * m)


def random_directions(dims: int, count: int, seed: int = 0) -> np.ndarray:
    """`count` directions uniform on the unit sphere of R^dims, as the columns of a (dims, count) array."""
    directions = np.random.default_rng(seed).standard_normal((dims, count))
    return directions / np.linalg.norm(directions, axis=0, keepdims=True)


def sliced_wasserstein(
    real: np.ndarray,
    fake: np.ndarray,
    *,
    projections: int = DEFAULT_PROJECTIONS,
    p: float = 2,
    max_points: int = DEFAULT_SW_POINTS,
    seed: int = 0,
) -> float:
    """Sliced Wasserstein-p distance (Bonneel et al. 2015): (mean over directions of W_p^p)^(1/p).

    Both samples are subsampled to the same size (the smaller one's, at most `max_points`) with
    `seed`, so that each 1-D W_p is exact: the mean p-th power gap between the sorted projections.
    The `projections` directions are `random_directions(d, projections, seed)`; with one dimension
    the single direction 1 is used and the result is the exact W_p.
    """
    count = min(len(real), len(fake), max_points)
    rng = np.random.default_rng(seed)
    x = np.asarray(subsample(real, count, rng), dtype=np.float64)
    y = np.asarray(subsample(fake, count, rng), dtype=np.float64)
    dims = x.shape[1]
    theta = np.ones((1, 1)) if dims == 1 else random_directions(dims, projections, seed)
    gaps = np.sort(x @ theta, axis=0) - np.sort(y @ theta, axis=0)
    return float(np.mean(np.abs(gaps) ** p) ** (1.0 / p))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix (negative rounding clipped)."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(real: np.ndarray, fake: np.ndarray) -> float:
    """Squared Fréchet distance between Gaussians fitted to `real` and `fake` (Heusel et al. 2017).

    |mu_r - mu_f|^2 + tr(S_r + S_f - 2 (S_r S_f)^(1/2)), with unbiased covariances. The trace of the
    matrix square root is taken from the eigenvalues of S_r^(1/2) S_f S_r^(1/2), which is similar
    to S_r S_f but symmetric: no complex parts, and singular covariances are fine.
    """
    if min(len(real), len(fake)) < 2:
        raise ValueError(f"frechet needs at least 2 real and 2 fake samples, got {len(real)} and {len(fake)}")
    real, fake = np.asarray(real, dtype=np.float64), np.asarray(fake, dtype=np.float64)
    mean_gap = real.mean(0) - fake.mean(0)
    cov_real = np.atleast_2d(np.cov(real, rowvar=False))
    cov_fake = np.atleast_2d(np.cov(fake, rowvar=False))
    root = _psd_sqrt(cov_real)
    cross = np.clip(np.linalg.eigvalsh(root @ cov_fake @ root), 0.0, None)
    value = mean_gap @ mean_gap + np.trace(cov_real) + np.trace(cov_fake) - 2.0 * np.sqrt(cross).sum()
    return max(float(value), 0.0)


class MMD(SampleMetric):
    """Unbiased squared MMD, RBF kernel with median-heuristic bandwidth (Gretton et al. 2012)."""

    spec = MetricSpec(
        name="mmd",
        title="MMD²",
        unit="",
        higher_is_better=False,
        category="quality",
        description="Unbiased squared MMD, RBF kernel, median-heuristic bandwidth, <= 5,000 points a side; "
        "~0 (may dip below) when distributions match.",
    )

    def score(self, real: np.ndarray, fake: np.ndarray, **options: Any) -> float:
        """Options: `bandwidth`, `max_points` and `seed` of `mmd2`."""
        return mmd2(real, fake, **options)


class SlicedWasserstein(SampleMetric):
    """Sliced Wasserstein-2 distance over 256 fixed random directions (Bonneel et al. 2015)."""

    spec = MetricSpec(
        name="sliced_wasserstein",
        title="Sliced Wasserstein-2",
        unit="",
        higher_is_better=False,
        bounds=(0.0, None),
        category="quality",
        description="Sliced W2 over 256 seeded random directions, equal sample sizes (<= 10,000); exact W2 in 1-D.",
    )

    def score(self, real: np.ndarray, fake: np.ndarray, **options: Any) -> float:
        """Options: `projections`, `p`, `max_points` and `seed` of `sliced_wasserstein`."""
        return sliced_wasserstein(real, fake, **options)


class Frechet(SampleMetric):
    """Fréchet distance between Gaussian fits of real and generated features (Heusel et al. 2017).

    Low-dimensional data are compared on raw features; image data on the hidden features of the
    fixed reference classifier (the role Inception plays for FID), when the dataset has labels.
    """

    spec = MetricSpec(
        name="frechet",
        title="Fréchet distance",
        unit="",
        higher_is_better=False,
        category="quality",
        description="Squared W2 between Gaussians fitted to test data and samples: raw features, or the "
        "reference classifier's hidden features on image data (FID's formula).",
    )

    def options(self, ctx: EvaluationContext) -> dict[str, Any]:
        if ctx.dataset.card.kind == "image" and ctx.split.train_labels is not None:
            from advisor.metrics.reference import reference_classifier

            return {"classifier": reference_classifier(ctx.split)}
        return {}

    def score(self, real: np.ndarray, fake: np.ndarray, *, classifier: Any = None) -> float:
        """Raw features, or `classifier`'s hidden features when one is given."""
        if classifier is not None:
            from advisor.metrics.reference import hidden_features

            real, fake = hidden_features(classifier, real), hidden_features(classifier, fake)
        return frechet_distance(real, fake)
