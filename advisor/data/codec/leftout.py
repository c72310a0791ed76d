"""Columns no model sees, restored in generated rows: identifiers, constants, duplicates; dropped ones absent.

- identifier: numbers counting the rows come back counting from the file's first; text identifiers
  come back unique and in their own form (as RDT's RegexGenerator regenerates ids from a pattern):
  each value's shape is its runs of digits, capitals, small letters and other characters; a
  position every value of a shape shares keeps that character (`LN-00` of `LN-001234`), the others
  are drawn from their class, shapes in the file's proportions;
- constant: one value in every row (or in all but 0.5% of the rows of a number column: a point
  mass, whose density is unbounded): written in every generated row;
- duplicate: the same values as an earlier column: its twin's generated values;
- dropped (`--drop`): absent from generated rows.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from advisor._lazy import lazy_import
from advisor.data.codec.base import ColumnCodec
from advisor.data.schema import Column

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = ["Identifier", "Constant", "Duplicate", "Dropped"]

_CLASSES = {"9": string.digits, "A": string.ascii_uppercase, "a": string.ascii_lowercase}
_PATTERN_VALUES = 5000
_ROUNDS = 20


def _shape(value: str) -> str:
    """The value's character classes, position by position ("LN-0012" -> "AA-9999")."""
    return "".join("9" if c.isdigit() else "A" if "A" <= c <= "Z" else "a" if "a" <= c <= "z" else c for c in value)


class _LeftOut(ColumnCodec):
    modelled = False

    def fit(self, values: pd.Series) -> None:
        """Nothing to learn."""


class Identifier(_LeftOut):
    """Unique per row: regenerated unique, counting (numbers) or in the file's own form (text)."""

    kind = "identifier"
    sdtype = "id"

    def fit(self, values: pd.Series) -> None:
        """The first number counted from, or the shapes of the text values (see the module docstring)."""
        import pandas as pd

        self.start: int | None = None
        self.templates: list[tuple[str, str]] = []  # (shape, the characters every value of it shares, else \0)
        if pd.api.types.is_numeric_dtype(values):
            self.start = int(values.min())
            return
        text = values.astype(str).head(_PATTERN_VALUES)
        shapes = text.map(_shape)
        for shape, members in text.groupby(shapes):
            chars = np.array([list(v) for v in members])
            same = (chars == chars[0]).all(axis=0)
            self.templates += [(shape, "".join(c if s else "\0" for c, s in zip(chars[0], same, strict=True)))] * len(
                members
            )

    def _draw(self, rng: np.random.Generator, n: int) -> list[str]:
        out = []
        for index in rng.integers(0, len(self.templates), n):
            shape, fixed = self.templates[index]
            out.append(
                "".join(
                    f if f != "\0" else _CLASSES[c][rng.integers(len(_CLASSES[c]))]
                    for c, f in zip(shape, fixed, strict=True)
                )
            )
        return out

    def restore(self, rows: int, decoded: dict[str, pd.Series]) -> pd.Series:
        import pandas as pd

        if self.start is not None:
            return pd.Series(range(self.start, self.start + rows), dtype="Int64")
        rng, values = np.random.default_rng(rows), {}
        for _ in range(_ROUNDS):  # unique: draw again for repeats
            values.update(dict.fromkeys(self._draw(rng, rows - len(values))))
            if len(values) == rows:
                break
        values.update(dict.fromkeys(f"{self._draw(rng, 1)[0]}-{i}" for i in range(rows - len(values))))
        return pd.Series(list(values)[:rows], dtype=object)

    def describe(self) -> Column:
        return self._column()


class Constant(_LeftOut):
    """One value (its most frequent) in every generated row; none when the column has no value."""

    kind = "constant"
    sdtype = "categorical"

    def fit(self, values: pd.Series) -> None:
        self.value = values.mode().iloc[0] if len(values) else None

    def restore(self, rows: int, decoded: dict[str, pd.Series]) -> pd.Series:
        import pandas as pd

        return pd.Series([self.value] * rows, dtype=object)

    def describe(self) -> Column:
        return self._column(constant=None if self.value is None else str(self.value))


class Duplicate(_LeftOut):
    """The same values as an earlier column: its twin's generated values."""

    kind = "duplicate"
    sdtype = "categorical"

    def __init__(self, name: str, reason: str, missing: int = 0, rows: int = 0, twin: str = "") -> None:
        super().__init__(name, reason, missing, rows)
        self.twin = twin

    def restore(self, rows: int, decoded: dict[str, pd.Series]) -> pd.Series:
        return decoded[self.twin]

    def describe(self) -> Column:
        return self._column(same_as=self.twin)


class Dropped(_LeftOut):
    """Left out with `--drop`: absent from generated rows."""

    kind = "dropped"
    sdtype = "categorical"

    def describe(self) -> Column:
        return self._column()
