"""The `Dataset` base class and the `Split` every family is trained and evaluated on."""

from __future__ import annotations

import hashlib
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from advisor._lazy import lazy_import
from advisor.cards import DatasetCard

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget
else:
    np = lazy_import("numpy")

__all__ = ["Dataset", "Split", "dataset_rng"]


@dataclass(frozen=True)
class Split:
    """Training and held-out test data (float32, shape (n, dims)) with optional integer labels."""

    train: np.ndarray
    test: np.ndarray
    train_labels: np.ndarray | None = None
    test_labels: np.ndarray | None = None
    #: a table's fitted codec (advisor.data.codec.TableCodec): decodes rows to the user's columns
    encoder: Any = field(default=None, compare=False)
    #: a table's typed training rows (pandas), the rows `train` encodes: given in the table's own
    #: columns to a family that models them (`Family.original_columns`)
    train_table: Any = field(default=None, compare=False)

    @property
    def data_hash(self) -> str:
        """SHA-256 over the arrays: two runs with the same hash saw exactly the same data."""
        digest = hashlib.sha256()
        for array in (self.train, self.test, self.train_labels, self.test_labels):
            if array is not None:
                digest.update(str(array.shape).encode())
                digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


def dataset_rng(name: str, seed: int) -> np.random.Generator:
    """A generator seeded by (seed, dataset name): the same for every family, distinct per dataset."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


class Dataset(ABC):
    """Base class of a dataset plugin. Subclasses set `card` and implement `split`."""

    card: ClassVar[DatasetCard]

    @abstractmethod
    def split(self, budget: Budget, seed: int) -> Split:
        """Return the train/test split for `budget` and `seed`; identical for every family."""

    def catalog_card(self) -> DatasetCard:
        """The card the store records for this dataset: its card, with what only reading the data can tell
        (a table's meta-features, which the prior for tables like a user's reads)."""
        return self.card

    def provenance(self) -> dict[str, Any]:
        """Where the data came from, recorded with each run (a collection's version, a table's hash); {} if built in."""
        return {}

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """True log-density of each row of `x` in nats; only for cards with `known_density`."""
        raise NotImplementedError(f"dataset {self.card.name!r} has no known density")
