"""Single-file test plugin: a family that models a table's own columns (independent marginals).

It records what `fit` was given, so tests can check the table's columns arrive as the table has them.
Its "unknown-level" sampler writes a category the table does not have, which the harness must refuse.
"""

import numpy as np
import pandas as pd

from advisor import Family, FamilyCard, FitReport, hookimpl

SEEN: list = []  # what each fit was given (for the tests)


class ColumnMarginals(Family):
    """Each column drawn independently from its training values (missing cells included)."""

    card = FamilyCard(
        name="column-marginals",
        title="independent column marginals",
        likelihood="none",
        latent="none",
        training="closed-form",
        sampling="one-shot",
        conditioning=False,
        data_kinds=frozenset({"tabular", "2d"}),
        samplers=("default", "unknown-level"),
    )
    original_columns = True

    def fit(self, train, labels, budget, seed, device):
        SEEN.append(train)
        self.train, self.rng = train, np.random.default_rng(seed)
        return FitReport(notes=type(train).__name__)

    def sample(self, n, labels=None, sampler="default"):
        if isinstance(self.train, np.ndarray):
            rows = self.rng.integers(0, len(self.train), (n, self.train.shape[1]))
            return self.train[rows, np.arange(self.train.shape[1])]
        drawn = {
            name: column.iloc[self.rng.integers(0, len(column), n)].reset_index(drop=True)
            for name, column in self.train.items()
        }
        frame = pd.DataFrame(drawn)
        if sampler == "unknown-level":
            text = next(name for name, column in self.train.items() if not pd.api.types.is_numeric_dtype(column))
            frame[text] = "a level nobody saw"
        return frame


@hookimpl
def advisor_families(register):
    register(ColumnMarginals)
