"""Datasets bundled with scikit-learn (nothing is downloaded): digits, wine and breast cancer.

Each seed draws its own stratified 80/20 train/test split, identical for every family.

- ``digits``: 1,797 8x8 images, integer pixels 0..16, 10 labels. Uniform dequantization (Theis et
  al. 2016): each pixel v becomes v + u with u ~ U[0, 1), in pixel units. A continuous density on
  the dequantized data then bounds the discrete likelihood from below (its NLL bounds the discrete
  NLL from above) in the same nats/dim as a categorical model over the 17 levels: uniform is
  log 17 = 2.83 nats/dim. ``floor(x)`` recovers the level.
- ``wine`` (178 x 13, 3 classes) and ``breast-cancer`` (569 x 30, 2 classes): standardized with the
  mean and standard deviation of the training split only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from advisor._lazy import lazy_import
from advisor.cards import DatasetCard
from advisor.data.base import Dataset, Split, dataset_rng

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    from advisor.budgets import Budget
else:
    np = lazy_import("numpy")

__all__ = ["BundledDataset", "Digits", "Wine", "BreastCancer", "TEST_FRACTION", "standardize", "stratified_split"]

TEST_FRACTION = 0.2


def standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale both arrays with the training split's mean and standard deviation (constant columns kept)."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return ((train - mean) / std).astype(np.float32), ((test - mean) / std).astype(np.float32)


def stratified_split(
    x: np.ndarray, labels: np.ndarray | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Shuffle and split off TEST_FRACTION of the rows, stratified by label when there are labels."""
    from sklearn.model_selection import train_test_split

    seed = int(rng.integers(2**31))
    if labels is None:
        train, test = train_test_split(x, test_size=TEST_FRACTION, random_state=seed)
        return train, test, None, None
    stratify = labels if np.unique(labels, return_counts=True)[1].min() >= 2 else None
    train, test, train_labels, test_labels = train_test_split(
        x, labels, test_size=TEST_FRACTION, random_state=seed, stratify=stratify
    )
    return train, test, train_labels, test_labels


class BundledDataset(Dataset):
    """A scikit-learn bundled dataset: a fixed table split 80/20 per seed."""

    loader: ClassVar[str]  # name of the sklearn.datasets loader, e.g. "load_wine"

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        """The full table and its labels."""
        import sklearn.datasets

        load: Callable = getattr(sklearn.datasets, self.loader)
        bunch = load()
        return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)

    def catalog_card(self) -> DatasetCard:
        """The card, with a table's meta-features (its columns typed as a user's file's would be)."""
        if self.card.kind != "tabular":
            return self.card
        import pandas as pd

        from advisor.data.codec.table import TableCodec
        from advisor.data.meta_features import table_meta_features

        frame = pd.DataFrame(self.load()[0]).rename(columns=str)
        codec = TableCodec.infer(frame)
        return self.card.model_copy(update={"meta": table_meta_features(codec, codec.typed(frame))})

    def split(self, budget: Budget, seed: int) -> Split:
        """Stratified 80/20 split for `seed`, standardized with training statistics."""
        x, labels = self.load()
        train, test, train_labels, test_labels = stratified_split(x, labels, dataset_rng(self.card.name, seed))
        train, test = standardize(train, test)
        return Split(train, test, train_labels, test_labels)


class Digits(BundledDataset):
    """scikit-learn's 8x8 digits, uniformly dequantized in pixel units (values in [0, 17))."""

    card = DatasetCard(
        name="digits",
        title="8x8 digits",
        kind="image",
        dims=64,
        classes=10,
        size=1797,
        discrete_levels=17,
        description="sklearn digits; pixel v in 0..16 given as v + U[0,1) (floor recovers v).",
    )
    loader = "load_digits"

    def split(self, budget: Budget, seed: int) -> Split:
        """Stratified 80/20 split for `seed`, each pixel dequantized with seeded uniform noise."""
        x, labels = self.load()
        rng = dataset_rng(self.card.name, seed)
        train, test, train_labels, test_labels = stratified_split(x, labels, rng)
        train = (train + rng.random(train.shape)).astype(np.float32)
        test = (test + rng.random(test.shape)).astype(np.float32)
        return Split(train, test, train_labels, test_labels)


class Wine(BundledDataset):
    """UCI wine recognition: 13 chemical measurements of 178 wines from 3 cultivars."""

    card = DatasetCard(
        name="wine",
        title="Wine (UCI)",
        kind="tabular",
        dims=13,
        classes=3,
        size=178,
        description="sklearn load_wine, standardized with training statistics.",
    )
    loader = "load_wine"


class BreastCancer(BundledDataset):
    """Wisconsin diagnostic breast cancer: 30 features of 569 cell nuclei, benign or malignant."""

    card = DatasetCard(
        name="breast-cancer",
        title="Breast cancer (Wisconsin)",
        kind="tabular",
        dims=30,
        classes=2,
        size=569,
        description="sklearn load_breast_cancer, standardized with training statistics.",
    )
    loader = "load_breast_cancer"
