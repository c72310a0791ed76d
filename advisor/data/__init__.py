"""Datasets: the built-in dataset plugins and the base class for new ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.data.base import Dataset, Split, dataset_rng
from advisor.data.toys import GaussianMixtureDataset, Grid25, Ring8
from advisor.hookspecs import hookimpl

__all__ = ["Dataset", "Split", "dataset_rng", "GaussianMixtureDataset"]


@hookimpl
def advisor_datasets(register: Callable[[Any], None]) -> None:
    """Register the built-in datasets."""
    for dataset in (Ring8, Grid25):
        register(dataset)
