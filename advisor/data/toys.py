"""2-D toy datasets, generated with a seed: mixtures with a known density, and two without.

The Gaussian mixtures follow the GAN mode-collapse literature (Metz et al. 2017, Unrolled GANs; Lin
et al. 2018, PacGAN): equal-weight isotropic Gaussians, so the true log-density, the modes and a
"high-quality sample" radius (3 standard deviations) are known exactly. The checkerboard (Grathwohl
et al. 2019, FFJORD) has a known piecewise-uniform density with sharp edges; moons and the swiss
roll (scikit-learn's generators) have no tractable density and test sample metrics only.
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

__all__ = ["GeneratedDataset", "GaussianMixtureDataset", "Ring8", "Grid25", "Checkerboard", "Moons", "SwissRoll"]


class GeneratedDataset(Dataset):
    """A dataset drawn fresh for every seed: `budget.n_train` training and `budget.n_test` test points."""

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray | None]:
        """Draw `n` float32 points and their integer labels (None for unlabelled data)."""
        raise NotImplementedError

    def split(self, budget: Budget, seed: int) -> Split:
        """Fresh train and test draws, seeded by (seed, dataset name)."""
        rng = dataset_rng(self.card.name, seed)
        train, train_labels = self.sample(budget.n_train, rng)
        test, test_labels = self.sample(budget.n_test, rng)
        return Split(train, test, train_labels, test_labels)


class GaussianMixtureDataset(GeneratedDataset):
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
        condition_on_labels=False,
        title="8 Gaussians on a ring",
        kind="2d",
        dims=2,
        classes=8,
        modes=8,
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
        condition_on_labels=False,
        title="5x5 grid of Gaussians",
        kind="2d",
        dims=2,
        classes=25,
        modes=25,
        known_density=True,
        description="Equal-weight mixture of 25 Gaussians, std 0.05, at {-2,-1,0,1,2}^2.",
    )
    std = 0.05

    @classmethod
    def modes(cls) -> np.ndarray:
        """The 25 grid points, row-major."""
        axis = np.arange(-2.0, 3.0)
        return np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)


class Checkerboard(GeneratedDataset):
    """Uniform density on the 8 dark squares (side 2) of a 4x4 checkerboard over [-4, 4]^2."""

    card = DatasetCard(
        name="checkerboard",
        condition_on_labels=False,
        title="Checkerboard",
        kind="2d",
        dims=2,
        classes=8,
        known_density=True,
        description="Uniform on 8 alternating 2x2 squares of [-4, 4]^2 (FFJORD); label = square index.",
    )
    square = 2.0
    log_area = math.log(8 * 2.0 * 2.0)

    def _dark(self, x: np.ndarray) -> np.ndarray:
        cells = np.floor(np.asarray(x) / self.square).astype(np.int64)
        inside = (np.abs(x) <= 4).all(axis=1)
        return inside & ((cells[:, 0] + cells[:, 1]) % 2 == 0)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Pick one of the 8 dark squares uniformly, then a uniform point inside it."""
        corners = np.array([(i, j) for i in range(-2, 2) for j in range(-2, 2) if (i + j) % 2 == 0], dtype=float)
        labels = rng.integers(0, len(corners), size=n)
        x = (corners[labels] + rng.random((n, 2))) * self.square
        return x.astype(np.float32), labels.astype(np.int64)

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """-log(32) on the dark squares, -inf elsewhere."""
        return np.where(self._dark(x), -self.log_area, -np.inf)


class Moons(GeneratedDataset):
    """scikit-learn's two interleaving half circles with Gaussian noise 0.05; label = moon."""

    card = DatasetCard(
        name="moons",
        title="Two moons",
        kind="2d",
        dims=2,
        classes=2,
        known_density=False,
        description="sklearn.datasets.make_moons(noise=0.05), centred; label = moon.",
    )

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw from make_moons with a seed taken from `rng`."""
        from sklearn.datasets import make_moons

        x, labels = make_moons(n, noise=0.05, random_state=int(rng.integers(2**31)))
        return (x - [0.5, 0.25]).astype(np.float32), labels.astype(np.int64)


class SwissRoll(GeneratedDataset):
    """scikit-learn's swiss roll projected to 2-D and scaled to about [-2.5, 3]; unlabelled."""

    card = DatasetCard(
        name="swissroll",
        title="Swiss roll (2-D)",
        kind="2d",
        dims=2,
        classes=0,
        known_density=False,
        description="sklearn.datasets.make_swiss_roll(noise=0.5), coordinates (x, z) / 5.",
    )

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, None]:
        """Draw from make_swiss_roll with a seed taken from `rng`, keeping the (x, z) plane."""
        from sklearn.datasets import make_swiss_roll

        x, _ = make_swiss_roll(n, noise=0.5, random_state=int(rng.integers(2**31)))
        return (x[:, [0, 2]] / 5.0).astype(np.float32), None
