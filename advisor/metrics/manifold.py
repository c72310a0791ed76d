"""k-nearest-neighbour manifold metrics: precision, recall, density and coverage.

Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models" (ICML), after
Kynkäänniemi et al. 2019. Each real sample's manifold ball has the radius of its k-th nearest real
neighbour (itself excluded); likewise for fake samples.

- precision: fraction of fake samples inside at least one real ball (fidelity);
- recall: fraction of real samples inside at least one fake ball (diversity);
- density: mean number of real balls holding a fake sample, divided by k (1 on average when the
  distributions match; above 1 when samples crowd dense regions);
- coverage: fraction of real balls holding at least one fake sample.

The four share one set of pairwise distances: `prdc` computes all of them and caches its last few
results under a digest of the arrays' contents, so the four metric classes the harness calls on one
run cost one computation. Values agree with the reference `prdc.compute_prdc` (same strict
comparisons, same k-th neighbour radii).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from advisor._lazy import lazy_import
from advisor.cards import MetricSpec
from advisor.metrics.base import SampleMetric
from advisor.metrics.pairwise import as_float64_tensor, squared_distance_blocks, subsample

if TYPE_CHECKING:
    import numpy as np
    import torch
else:
    np = lazy_import("numpy")

__all__ = ["prdc", "Precision", "Recall", "Density", "Coverage"]

DEFAULT_K = 5
DEFAULT_MAX_POINTS = 10_000
CACHE_SIZE = 4

_cache: OrderedDict[tuple, dict[str, float]] = OrderedDict()


def _digest(x: np.ndarray) -> tuple:
    """Shape, dtype and a content hash of `x`: a cache key that a reused or mutated array cannot fool."""
    x = np.ascontiguousarray(x)
    return x.shape, x.dtype.str, hashlib.blake2b(x.data, digest_size=16).hexdigest()


def _squared_knn_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """Squared distance from each row of `x` to its k-th nearest other row (the k+1-th, counting itself)."""
    import torch

    radii = torch.empty(len(x), dtype=x.dtype)
    for start, sq in squared_distance_blocks(x, x):
        radii[start : start + len(sq)] = sq.topk(k + 1, dim=1, largest=False).values[:, -1]
    return radii


def prdc(
    real: np.ndarray, fake: np.ndarray, *, k: int = DEFAULT_K, max_points: int = DEFAULT_MAX_POINTS, seed: int = 0
) -> dict[str, float]:
    """Precision, recall, density and coverage (Naeem et al. 2020) of `fake` against `real`.

    Each array is first subsampled to at most `max_points` rows with a generator seeded by `seed`;
    the O((n + m)^2) distances are then computed in blocks, never held all at once.
    """
    key = (_digest(real), _digest(fake), k, max_points, seed)
    if key in _cache:
        _cache.move_to_end(key)
        return dict(_cache[key])
    import torch

    rng = np.random.default_rng(seed)
    x = as_float64_tensor(subsample(real, max_points, rng))
    y = as_float64_tensor(subsample(fake, max_points, rng))
    if min(len(x), len(y)) <= k:
        raise ValueError(f"prdc needs more than k={k} real and fake samples, got {len(x)} and {len(y)}")
    real_radii, fake_radii = _squared_knn_radii(x, k), _squared_knn_radii(y, k)
    balls_holding = torch.zeros(len(y), dtype=torch.int32)  # per fake sample: real balls it lies in
    recalled = torch.empty(len(x), dtype=torch.bool)
    covered = torch.empty(len(x), dtype=torch.bool)
    for start, sq in squared_distance_blocks(x, y):
        rows = slice(start, start + len(sq))
        inside = sq < real_radii[rows, None]
        balls_holding += inside.sum(0, dtype=torch.int32)
        covered[rows] = inside.any(1)
        recalled[rows] = (sq < fake_radii).any(1)
    result = {
        "precision": float((balls_holding > 0).double().mean()),
        "recall": float(recalled.double().mean()),
        "density": float(balls_holding.sum()) / (k * len(y)),
        "coverage": float(covered.double().mean()),
    }
    _cache[key] = result
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return dict(result)


class _ManifoldMetric(SampleMetric):
    """One of the four values of `prdc`, named by the metric's spec."""

    def score(self, real: np.ndarray, fake: np.ndarray, **options: Any) -> float:
        """Options: `k` (default 5), `max_points` (default 10,000) and `seed` (default 0) of `prdc`."""
        return prdc(real, fake, **options)[self.spec.name]


class Precision(_ManifoldMetric):
    """Fraction of generated samples inside the k-NN manifold of the real data (Naeem et al. 2020)."""

    spec = MetricSpec(
        name="precision",
        title="Precision",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Fraction of samples within some real point's 5-NN radius (fidelity; Naeem et al. 2020).",
    )


class Recall(_ManifoldMetric):
    """Fraction of real samples inside the k-NN manifold of the generated samples (Naeem et al. 2020)."""

    spec = MetricSpec(
        name="recall",
        title="Recall",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Fraction of test points within some sample's 5-NN radius (diversity; Naeem et al. 2020).",
    )


class Density(_ManifoldMetric):
    """Mean number of real k-NN balls holding a generated sample, over k (Naeem et al. 2020)."""

    spec = MetricSpec(
        name="density",
        title="Density",
        unit="",
        higher_is_better=True,
        bounds=(0.0, None),
        category="quality",
        description="Real 5-NN balls holding a sample, averaged and divided by 5; ~1 for matching distributions.",
    )


class Coverage(_ManifoldMetric):
    """Fraction of real k-NN balls that hold at least one generated sample (Naeem et al. 2020)."""

    spec = MetricSpec(
        name="coverage",
        title="Coverage",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Fraction of test points whose 5-NN ball holds a sample (Naeem et al. 2020).",
    )
