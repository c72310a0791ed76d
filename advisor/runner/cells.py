"""Planning bench cells: which (family, dataset, seed) cells a bench needs and which are still to do.

A cell is fit once and evaluated for every sampler its family declares; each sampler is a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.data.user import TableOptions, load_user_data
from advisor.store.cells import Cell, cell_is_complete

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from advisor.data.base import Dataset
    from advisor.plugins import Registry
    from advisor.store.engine import Store

__all__ = ["Cell", "pending_cells", "plan_cells", "resolve_datasets"]


def resolve_datasets(
    registry: Registry, names: Sequence[str], data_files: Sequence[str] = (), options: TableOptions | None = None
) -> dict[str, Dataset]:
    """Dataset instances by name: registered datasets `names` plus the user's `data_files` (validated,
    read and typed with `options`)."""
    datasets = {name: registry.dataset(name)() for name in names}
    for path in data_files:
        dataset = load_user_data(path, options)
        datasets[dataset.card.name] = dataset
    return datasets


def plan_cells(
    registry: Registry, families: Sequence[str], datasets: Mapping[str, Dataset], seeds: Sequence[int], budget: str
) -> tuple[list[Cell], list[str]]:
    """Every applicable (family, dataset, seed) cell, and a note for each combination skipped.

    Cells come seed-major, then by dataset: an interrupted suite has measured every family on the
    first datasets with one seed before it spends time on second seeds.
    """
    cells, skipped = [], []
    for family in families:
        card = registry.family(family).card
        for name, dataset in datasets.items():
            kind = dataset.card.kind
            if kind not in card.data_kinds:
                skipped.append(f"{family} x {name}: the family does not support {kind!r} data")
                continue
            cells.extend(Cell(family, name, seed, budget) for seed in seeds)
    order = {name: index for index, name in enumerate(datasets)}
    cells.sort(key=lambda c: (c.seed, order[c.dataset], c.family))
    return cells, skipped


def pending_cells(store: Store, registry: Registry, cells: Sequence[Cell]) -> list[Cell]:
    """The cells of `cells` that do not yet have a COMPLETE run for every sampler."""
    return [c for c in cells if not cell_is_complete(store, c, registry.family(c.family).card.samplers)]
