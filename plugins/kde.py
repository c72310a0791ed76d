"""Kernel density baseline: scikit-learn's Gaussian KDE, bandwidth chosen on a validation split.

Exact likelihood (O(train x test) to evaluate) and one-shot sampling. Rule-of-thumb bandwidths
(Scott, Silverman) oversmooth multimodal data badly (KL 0.75-1.8 nats on the toy mixtures), so the
bandwidth maximises held-out log-likelihood over a log-spaced grid, then the model is refit on all
training data.

Reference: Parzen 1962; Rosenblatt 1956.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor import Family, FamilyCard, FitReport, hookimpl
from advisor.selection import holdout

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget

__all__ = ["KernelDensityFamily"]


@dataclass(eq=False)
class KernelDensityFamily(Family):
    """Isotropic Gaussian KDE with a validation-selected bandwidth.

    Args:
        relative_bandwidths: The bandwidths tried, as fractions of the data's mean per-feature
            standard deviation.
        validation_fraction: The seeded share of the training rows that scores each bandwidth.
    """

    card = FamilyCard(
        name="kde",
        title="Kernel density estimate (Gaussian, bandwidth on validation)",
        likelihood="exact",
        latent="none",
        training="closed-form",
        sampling="one-shot",
        conditioning=False,
        data_kinds=frozenset({"2d", "tabular", "image"}),
        references=("Parzen 1962, On estimation of a probability density function and mode",),
    )
    heavy_imports = ("sklearn.neighbors",)

    relative_bandwidths: tuple[float, ...] = (
        0.003,
        0.005,
        0.0075,
        0.01,
        0.015,
        0.02,
        0.03,
        0.05,
        0.075,
        0.1,
        0.15,
        0.2,
        0.3,
        0.5,
        1.0,
    )
    validation_fraction: float = 0.1

    def fit(self, train: np.ndarray, labels: np.ndarray | None, budget: Budget, seed: int, device: str) -> FitReport:
        import numpy as np
        from sklearn.neighbors import KernelDensity

        fit_part, validation = holdout(train, self.validation_fraction, seed)
        scale = float(train.std(axis=0).mean()) or 1.0
        scores = {}
        for relative in self.relative_bandwidths:
            model = KernelDensity(bandwidth=relative * scale).fit(fit_part)
            scores[relative * scale] = float(model.score_samples(validation).mean())
        bandwidth = max(scores, key=scores.get)
        self.model = KernelDensity(bandwidth=bandwidth).fit(train)
        self.stored_values = int(train.size)
        self.random_state = np.random.RandomState(seed)
        return FitReport(
            steps=len(self.relative_bandwidths),
            selected={"bandwidth": bandwidth, "validation_log_lik_by_bandwidth": scores},
        )

    def sample(self, n: int, labels: np.ndarray | None = None, sampler: str = "default") -> np.ndarray:
        import numpy as np

        return self.model.sample(n, random_state=self.random_state).astype(np.float32)

    def log_prob(self, x: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        return self.model.score_samples(x)

    def num_parameters(self) -> int:
        """The stored training points (a KDE keeps all of them) plus the bandwidth."""
        return self.stored_values + 1


@hookimpl
def advisor_families(register: Callable[[Any], None]) -> None:
    """Register the kernel density family."""
    register(KernelDensityFamily)
