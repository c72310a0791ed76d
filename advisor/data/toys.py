"""2-D toy datasets with a known density: Gaussian mixtures on a ring and on a grid.

The mixtures follow the GAN mode-collapse literature (Metz et al. 2017, Unrolled GANs; Lin et al.
2018, PacGAN): equal-weight isotropic Gaussians, so the true log-density, the modes and a
"high-quality sample" radius (3 standard deviations) are all known exactly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from advisor._lazy import lazy_import
from advisor.cards import DatasetCard
from advisor.data.base import Dataset, Split, dataset_rng

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget
else:
    np = lazy_import("numpy")

__all__ = ["GaussianMixtureDataset", "Ring8", "Grid25"]


class GaussianMixtureDataset(Dataset):
    """Equal-weight mixture of isotropic Gaussians with `std` around `modes()`; labels = component."""

    std: ClassVar[float]

    @classmethod
    def modes(cls) -> np.ndarray:
        """The component means, shape (k, 2)."""
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw `n` points and their component labels."""
        modes = self.modes()
        labels = rng.integers(0, len(modes), size=n)
        x = modes[labels] + self.std * rng.standard_normal((n, modes.shape[1]))
        return x.astype(np.float32), labels.astype(np.int64)

    def split(self, budget: Budget, seed: int) -> Split:
        """Fresh train and test draws from the mixture, seeded by (seed, dataset name)."""
        rng = dataset_rng(self.card.name, seed)
        train, train_labels = self.sample(budget.n_train, rng)
        test, test_labels = self.sample(budget.n_test, rng)
        return Split(train, test, train_labels, test_labels)

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """Exact mixture log-density, computed stably with log-sum-exp."""
        modes = self.modes()
        x = np.asarray(x, dtype=np.float64)
        sq = ((x[:, None, :] - modes[None, :, :]) ** 2).sum(-1)
        dims = modes.shape[1]
        log_comp = -0.5 * sq / self.std**2 - dims * math.log(self.std) - 0.5 * dims * math.log(2 * math.pi)
        peak = log_comp.max(axis=1, keepdims=True)
        return (peak + np.log(np.exp(log_comp - peak).sum(axis=1, keepdims=True))).ravel() - math.log(len(modes))


class Ring8(GaussianMixtureDataset):
    """Eight Gaussians (std 0.1) evenly spaced on a circle of radius 2."""

    card = DatasetCard(
        name="ring8",
        title="8 Gaussians on a ring",
        kind="2d",
        dims=2,
        classes=8,
        known_density=True,
        description="Equal-weight mixture of 8 Gaussians, std 0.1, on a circle of radius 2.",
    )
    std = 0.1

    @classmethod
    def modes(cls) -> np.ndarray:
        """Eight points at angles k * 45 degrees on the radius-2 circle."""
        angles = 2 * np.pi * np.arange(8) / 8
        return 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)


class Grid25(GaussianMixtureDataset):
    """25 Gaussians (std 0.05) on the 5x5 grid {-2, -1, 0, 1, 2}^2."""

    card = DatasetCard(
        name="grid25",
        title="5x5 grid of Gaussians",
        kind="2d",
        dims=2,
        classes=25,
        known_density=True,
        description="Equal-weight mixture of 25 Gaussians, std 0.05, at {-2,-1,0,1,2}^2.",
    )
    std = 0.05

    @classmethod
    def modes(cls) -> np.ndarray:
        """The 25 grid points, row-major."""
        axis = np.arange(-2.0, 3.0)
        return np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
