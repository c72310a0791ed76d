"""Datasets: the built-in dataset plugins and the base class for new ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.data.base import Dataset, Split, dataset_rng
from advisor.data.bundled import BreastCancer, Digits, Wine
from advisor.data.tables import Penguins
from advisor.data.toys import Checkerboard, GaussianMixtureDataset, GeneratedDataset, Grid25, Moons, Ring8, SwissRoll
from advisor.data.user import UserDataset, load_user_data
from advisor.hookspecs import hookimpl

__all__ = [
    "Dataset",
    "Split",
    "dataset_rng",
    "GeneratedDataset",
    "GaussianMixtureDataset",
    "UserDataset",
    "load_user_data",
]

BUILTIN_DATASETS = (Ring8, Grid25, Checkerboard, Moons, SwissRoll, Digits, Wine, BreastCancer, Penguins)


@hookimpl
def advisor_datasets(register: Callable[[Any], None]) -> None:
    """Register the built-in datasets."""
    for dataset in BUILTIN_DATASETS:
        register(dataset)
