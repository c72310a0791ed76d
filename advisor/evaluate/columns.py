"""A family that models a table's own columns, presented to the harness like every other family.

A `Family.original_columns` family (SDV's synthesizers, say) is what a tabular library's users hand
their table to. `for_split` wraps it for a split that has a table behind it, so that the harness
keeps calling `fit(train array)` and `sample -> array`: the wrapper gives the family the split's
training rows in the table's own columns and types (exactly the rows `train` encodes), and encodes
the rows it generates exactly as the real rows are encoded, dequantized by a generator seeded by
the run's seed, so every metric compares all families in the one shared encoding. Any other family,
or a split without a table (wine, the toys), is returned unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.arrays import InvalidOutput
from advisor.data.base import dataset_rng

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget
    from advisor.data.base import Split
    from advisor.family import FitReport

__all__ = ["ColumnsFamily", "for_split"]


class ColumnsFamily:
    """A table-columns family seen through the shared encoding of one split."""

    def __init__(self, family: Any, split: Split, seed: int) -> None:
        self.family = family
        self.card = family.card
        self._encoder = split.encoder
        self._train_table = split.encoder.original_columns(split.train_table)
        self._rng = dataset_rng(f"dequantize samples of {family.card.name}", seed)

    def fit(self, train: np.ndarray, labels: np.ndarray | None, budget: Budget, seed: int, device: str) -> FitReport:
        """Fit the family on the training rows in the table's columns (`train` is those rows encoded)."""
        if len(train) != len(self._train_table):
            raise ValueError(f"{len(train)} encoded rows for {len(self._train_table)} rows of the table")
        return self.family.fit(self._train_table.copy(), labels, budget, seed, device)

    def sample(self, n: int, labels: np.ndarray | None = None, sampler: str = "default") -> np.ndarray:
        """The family's `n` generated rows, encoded as the real rows are; InvalidOutput when they do
        not fit the table (a column missing, a category it does not have, a gap where it has none)."""
        import pandas as pd

        rows = self.family.sample(n, labels, sampler)
        if not isinstance(rows, pd.DataFrame):
            raise InvalidOutput(
                f"sample({n}) returned {type(rows).__name__}; a family that models a table's own columns "
                "returns a pandas DataFrame in them"
            )
        if len(rows) != n:
            raise InvalidOutput(f"sample({n}) returned {len(rows)} rows")
        try:
            return self._encoder.encode_columns(rows.reset_index(drop=True), self._rng)
        except ValueError as exc:
            raise InvalidOutput(f"sample({n}) returned rows the table cannot hold: {exc}") from exc

    def log_prob(self, x: np.ndarray, labels: np.ndarray | None = None) -> Any:
        """Never asked: such a family declares no likelihood (registration refuses one)."""
        raise NotImplementedError(f"{self.card.name} models a table's own columns: no density in the shared encoding")

    def nfe(self, sampler: str = "default") -> int | None:
        """The family's network evaluations per sample."""
        return self.family.nfe(sampler)

    def num_parameters(self) -> int | None:
        """The family's fitted parameters."""
        return self.family.num_parameters()


def for_split(family: Any, split: Split, seed: int) -> Any:
    """`family` as the harness calls it on `split`: wrapped when it models a table's own columns and
    the split has a table behind it, else unchanged."""
    if getattr(family, "original_columns", False) and split.train_table is not None:
        return ColumnsFamily(family, split, seed)
    return family
