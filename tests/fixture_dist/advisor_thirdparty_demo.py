"""A third-party family distributed as its own package: a diagonal Gaussian fit by moments."""

import numpy as np

from advisor import Family, FamilyCard, FitReport, hookimpl


class DiagonalGaussian(Family):
    card = FamilyCard(
        name="diag-gauss",
        title="Diagonal Gaussian (third-party test plugin)",
        likelihood="exact",
        latent="none",
        training="closed-form",
        sampling="one-shot",
    )

    def fit(self, train, labels, budget, seed, device):
        self.mean, self.std = train.mean(0), train.std(0) + 1e-6
        self.rng = np.random.default_rng(seed)
        return FitReport(steps=1)

    def sample(self, n, labels=None, sampler="default"):
        return self.mean + self.std * self.rng.standard_normal((n, len(self.mean)))

    def log_prob(self, x, labels=None):
        z = (x - self.mean) / self.std
        return (-0.5 * z**2 - np.log(self.std) - 0.5 * np.log(2 * np.pi)).sum(1)


@hookimpl
def advisor_families(register):
    register(DiagonalGaussian)
