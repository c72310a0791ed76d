"""Real mixed-type tables shipped with the advisor, measured like a user's file would be.

Penguins: the Palmer Archipelago penguins (Gorman, Williams & Fraser 2014; Horst, Hill & Gorman
2020, the palmerpenguins package), 344 birds of three species: island and sex as text, four
measurements (two of them whole numbers), the study year, and 19 missing cells. Released under
CC0 (public domain); the file is `advisor/data/files/penguins.csv`, 15 KB, as the palmerpenguins
package ships it. Species is the class label.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from advisor.cards import DatasetCard
from advisor.data.base import Dataset, Split

if TYPE_CHECKING:
    from advisor.budgets import Budget
    from advisor.data.user import UserDataset

__all__ = ["ShippedTable", "Penguins"]

FILES = Path(__file__).parent / "files"


class ShippedTable(Dataset):
    """A table file shipped in `advisor/data/files`, read and encoded exactly as a user's file is."""

    file: ClassVar[str]
    label_column: ClassVar[str | None] = None

    @classmethod
    @functools.cache
    def table(cls) -> UserDataset:
        """The file read, typed and cleaned (once per process)."""
        from advisor.data.user import TableOptions, load_user_data

        return load_user_data(FILES / cls.file, TableOptions(label_column=cls.label_column))

    def catalog_card(self) -> DatasetCard:
        """The card, with the table's meta-features from reading it."""
        return self.card.model_copy(update={"meta": self.table().card.meta})

    def split(self, budget: Budget, seed: int) -> Split:
        """The same split a user's copy of the file would get (seeded by this dataset's name)."""
        table = self.table()
        return table.split(budget, seed, name=self.card.name)


class Penguins(ShippedTable):
    """Palmer penguins: species from island, sex, bill, flipper, mass and year (mixed types, gaps)."""

    card = DatasetCard(
        name="penguins",
        title="Palmer penguins",
        kind="tabular",
        dims=19,
        classes=3,
        size=344,
        encoding="19 encoded dims from 6 categorical (one-hot, dequantized), 2 continuous, 3 integer "
        "(dequantized); standardized with the training rows",
        description="palmerpenguins (CC0): island, sex as text, bill/flipper/mass, year; 19 missing cells "
        "(a '(missing)' level or the median plus a 0/1 column).",
    )
    file = "penguins.csv"
    label_column = "species"
