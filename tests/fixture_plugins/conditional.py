"""Single-file test plugin: a conditional family that samples each class's training points."""

import numpy as np

from advisor import Family, FamilyCard, FitReport, hookimpl


class ClassResampler(Family):
    """Conditional sampling by resampling training points of the requested class (or any class)."""

    card = FamilyCard(
        name="class-resampler",
        title="class-conditional resampler",
        likelihood="none",
        latent="none",
        training="closed-form",
        sampling="one-shot",
        conditioning=True,
        samplers=("default", "ignore-labels"),
    )

    def fit(self, train, labels, budget, seed, device):
        self.train, self.labels, self.rng = train, labels, np.random.default_rng(seed)
        return FitReport()

    def sample(self, n, labels=None, sampler="default"):
        if labels is None or sampler == "ignore-labels":
            return self.train[self.rng.integers(0, len(self.train), n)]
        pools = {c: np.flatnonzero(self.labels == c) for c in np.unique(self.labels)}
        return self.train[[self.rng.choice(pools[c]) for c in labels]]

    def nfe(self, sampler="default"):
        return 1


@hookimpl
def advisor_families(register):
    register(ClassResampler)
