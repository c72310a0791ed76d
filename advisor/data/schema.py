"""What a user's table holds, as `advisor data describe` shows it: each column's kind, type, range or
levels and missing cells, the missing-value policy, and notes on every decision.

The kinds (inferred in `advisor.data.codec.infer`, each with its codec in `advisor.data.codec`):
continuous, integer, discrete (whole numbers kept to the few values seen), categorical, boolean,
ordinal (`--ordinal`), datetime, and, left out of what models see, identifier, constant, duplicate
and dropped (`--drop`). Each column also has its type as SDMetrics names it (`sdtype`), which the
tabular metrics read.

Missing values follow a stated policy: `indicator` (the default: a categorical gets a "(missing)"
level, a number is filled with its median and a 0/1 "<name> (missing)" indicator records where),
`drop` (rows with a missing cell are left out) or `refuse` (an error naming the first missing cell).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Column", "TableSchema", "MissingPolicy", "MISSING_LEVEL", "MISSING_POLICIES"]

MissingPolicy = Literal["indicator", "drop", "refuse"]
MISSING_POLICIES: tuple[str, ...] = ("indicator", "drop", "refuse")
MISSING_LEVEL = "(missing)"


@dataclass(frozen=True)
class Column:
    """One column as described: name, kind, SDMetrics type, missing cells, and what it holds."""

    name: str
    kind: str
    sdtype: str  # 'numerical' | 'datetime' | 'categorical' | 'boolean' | 'id'
    missing: int = 0
    modelled: bool = True  # whether models see it
    reason: str = ""  # why this kind (shown by `advisor data describe`)
    levels: tuple[str, ...] = ()  # categorical, boolean, ordinal (in order)
    low: float | str | None = None  # numbers and dates: the smallest and largest values in the file
    high: float | str | None = None
    decimals: int | None = None  # numbers: the decimal places generated values are written with
    values: tuple[float, ...] = ()  # discrete: the values a generated cell takes
    format: str | None = None  # datetime: the file's format
    constant: str | None = None  # constant: the value written in every generated row
    same_as: str | None = None  # duplicate: its twin


@dataclass
class TableSchema:
    """Every column of a table with its kind, the label column, and what was done to the data."""

    columns: list[Column]
    rows: int
    label: str | None = None
    missing_policy: MissingPolicy = "indicator"
    rows_dropped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def modelled(self) -> list[Column]:
        """The columns models see, in file order."""
        return [c for c in self.columns if c.modelled]

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return asdict(self)
