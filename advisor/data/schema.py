"""Column types of a user's table, inferred and shown before anything is measured, and what is done
about missing values and columns a generative model cannot use.

Kinds, in the order they are tried:

- constant: one value in every row (or no value at all); near-constant: one value in all but 0.5%
  of the rows; a duplicate: the same values as an earlier column. A density on such a column is
  unbounded (the model that squeezes hardest wins), so they are left out, with a caveat.
- identifier: text unique to (almost) every row, or integers that count the rows: nothing to learn.
- datetime: text that parses as dates (95% of the non-missing cells or more); modelled as days.
- categorical: text, booleans, or a column named with `categorical=`; each level one-hot.
- integer: whole numbers (counts, years, ratings); modelled dequantized, decoded by rounding down.
- continuous: every other number.

Missing values follow a stated policy: `indicator` (the default: a categorical gets a "(missing)"
level, a number is filled with its median and a 0/1 "<name> (missing)" column records where),
`drop` (rows with a missing cell are left out) or `refuse` (an error naming the first missing cell).
Every decision is recorded in the schema's `notes`, and the answer prints them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from advisor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ColumnKind",
    "MissingPolicy",
    "Column",
    "TableSchema",
    "infer_schema",
    "MISSING_LEVEL",
    "MISSING_POLICIES",
]

ColumnKind = Literal["continuous", "integer", "categorical", "datetime", "identifier", "constant", "duplicate"]
MissingPolicy = Literal["indicator", "drop", "refuse"]
MISSING_POLICIES: tuple[str, ...] = ("indicator", "drop", "refuse")
MISSING_LEVEL = "(missing)"
#: kinds a model sees; the others are left out
MODELLED: tuple[str, ...] = ("continuous", "integer", "categorical", "datetime")
NEAR_CONSTANT_SHARE = 0.995
IDENTIFIER_SHARE = 0.95
DATE_SHARE = 0.95
_TRUE_FALSE = {"true", "false", "yes", "no", "t", "f", "y", "n"}


@dataclass(frozen=True)
class Column:
    """One column: its name, inferred kind, missing cells, and (categorical) its levels."""

    name: str
    kind: ColumnKind
    missing: int = 0
    levels: tuple[str, ...] = ()
    low: float | None = None  # integer: the smallest and largest values seen
    high: float | None = None
    decimals: int | None = None  # continuous: the decimal places the file writes (samples are rounded to them)
    constant: str | None = None  # the value of a constant column (kept for decoding)
    same_as: str | None = None  # a duplicate: its twin; a missing-value indicator: the column it marks
    reason: str = ""  # why this kind (shown by `advisor data describe`)

    @property
    def modelled(self) -> bool:
        """Whether models see this column."""
        return self.kind in MODELLED

    @property
    def is_indicator(self) -> bool:
        """A 0/1 column marking where the number `same_as` was missing (added, not in the file)."""
        return self.kind == "categorical" and self.same_as is not None


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


def _as_text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def _kind_of(series: pd.Series, name: str, forced_categorical: bool) -> tuple[ColumnKind, str]:
    """The kind of one column's non-missing values, and why."""
    import pandas as pd

    values = series.dropna()
    distinct = values.nunique()
    if distinct <= 1:
        return "constant", "one value in every row" if distinct else "no value at all"
    if forced_categorical:
        return "categorical", "named with --categorical"
    if pd.api.types.is_bool_dtype(series):
        return "categorical", "true/false"
    if pd.api.types.is_numeric_dtype(series):
        return _numeric_kind(values, distinct)
    text = _as_text(values)
    if set(text.str.lower().unique()) <= _TRUE_FALSE:
        return "categorical", "true/false"
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().mean() >= DATE_SHARE:
        bad = numbers.isna().idxmax()
        raise InputError(
            f"row {bad + 2}, column {name!r}: {series[bad]!r} is not a number, unlike the rest of the column; "
            f"fix the cell, or give --categorical {name!r} to treat the column as categories"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format": tried element by element, fine here
        dates = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)  # offsets: one clock (UTC)
    if dates.notna().mean() >= DATE_SHARE:
        return "datetime", "dates"
    if distinct >= IDENTIFIER_SHARE * len(values) and len(values) > 20:
        return "identifier", f"text unique to {distinct / len(values):.0%} of the rows"
    return "categorical", f"text, {distinct} levels"


def _numeric_kind(values: pd.Series, distinct: int) -> tuple[ColumnKind, str]:
    import numpy as np

    if np.isinf(values.astype(float)).any():
        bad = values.index[np.isinf(values.astype(float))][0]
        raise InputError(
            f"row {bad + 2}, column {values.name!r}: value {values[bad]} is infinite; clean the data first"
        )
    whole = bool((values == values.round()).all())
    if whole and distinct == len(values) and distinct > 20 and bool((values.sort_values().diff().dropna() == 1).all()):
        return "identifier", "consecutive whole numbers, one per row"
    if whole:
        return "integer", f"whole numbers, {distinct} levels"
    top_share = values.value_counts().iloc[0] / len(values)
    if top_share >= NEAR_CONSTANT_SHARE:  # a point mass: any density on it is unbounded
        return "constant", f"one value in {top_share:.1%} of the rows"
    return "continuous", "numbers"


def infer_schema(
    frame: pd.DataFrame,
    *,
    label: str | None = None,
    categorical: Sequence[str] = (),
    drop: Sequence[str] = (),
    missing: MissingPolicy = "indicator",
) -> TableSchema:
    """The schema of `frame`: each column's kind (named overrides win) and the missing-value policy."""
    import pandas as pd

    for option, names in (
        ("--categorical", categorical),
        ("--drop", drop),
        ("--label-column", [label] if label else []),
    ):
        for name in names:
            if name not in frame.columns:
                raise InputError(f"{option} {name!r}: no such column; columns are {', '.join(map(str, frame.columns))}")
    if missing not in MISSING_POLICIES:
        raise InputError(f"unknown missing-value policy {missing!r}; use one of {', '.join(MISSING_POLICIES)}")
    columns, seen = [], {}
    for name in frame.columns:
        if name == label:
            continue
        series = frame[name]
        if name in drop:
            columns.append(Column(name, "constant", int(series.isna().sum()), reason="left out with --drop"))
            continue
        kind, reason = _kind_of(series, name, name in categorical)
        fingerprint = tuple(pd.util.hash_pandas_object(series.astype("string"), index=False))
        if kind in MODELLED and fingerprint in seen:
            twin = seen[fingerprint]
            columns.append(
                Column(name, "duplicate", int(series.isna().sum()), same_as=twin, reason=f"same as {twin!r}")
            )
            continue
        seen.setdefault(fingerprint, name)
        columns.append(_column(series, name, kind, reason))
    schema = TableSchema(_with_missing(columns, missing), len(frame), label, missing)
    _note_missing(schema, frame)
    left_out = [c for c in columns if not c.modelled]
    if left_out:
        schema.notes.append("left out: " + "; ".join(f"{c.name!r} ({c.kind}: {c.reason})" for c in left_out))
    if not schema.modelled:
        raise InputError("no column is left to model: " + schema.notes[-1])
    return schema


def _decimals(values: pd.Series, most: int = 6) -> int | None:
    """The fewest decimal places that write every value exactly (None when more than `most`)."""
    import numpy as np

    numbers = values.to_numpy(float)
    for places in range(most + 1):
        scaled = numbers * 10**places
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return places
    return None


def indicator_name(name: str) -> str:
    """The 0/1 column recording where a number was missing."""
    return f"{name} {MISSING_LEVEL}"


def _with_missing(columns: list[Column], policy: MissingPolicy) -> list[Column]:
    """Under the indicator policy: a "(missing)" level for categoricals, an indicator after each number."""
    if policy != "indicator":
        return columns
    result = []
    for column in columns:
        if column.modelled and column.missing and column.kind == "categorical":
            column = Column(
                column.name, column.kind, column.missing, (*column.levels, MISSING_LEVEL), reason=column.reason
            )
        result.append(column)
        if column.modelled and column.missing and column.kind != "categorical":
            marks = f"where {column.name!r} was missing"
            result.append(
                Column(indicator_name(column.name), "categorical", 0, ("0", "1"), same_as=column.name, reason=marks)
            )
    return result


def _note_missing(schema: TableSchema, frame: pd.DataFrame) -> None:
    """Apply the `refuse` policy, count what `drop` removes, and say what was done."""
    modelled = [c.name for c in schema.columns if c.modelled and c.missing and c.name in frame.columns]
    if not modelled:
        return
    gaps = frame[modelled].isna()
    cells, rows = int(gaps.to_numpy().sum()), int(gaps.any(axis=1).sum())
    if schema.missing_policy == "refuse":
        row = int(gaps.any(axis=1).to_numpy().argmax())
        column = modelled[int(gaps.iloc[row].to_numpy().argmax())]
        raise InputError(
            f"row {row + 2}, column {column!r}: missing value ({cells} missing cells in {rows} rows); "
            "fill them, or choose --missing indicator or --missing drop"
        )
    if schema.missing_policy == "drop":
        schema.rows_dropped = rows
        schema.notes.append(f"{rows} of {schema.rows} rows left out for {cells} missing cells (--missing drop)")
    else:
        schema.notes.append(
            f"{cells} missing cells in {rows} rows ({', '.join(modelled)}): a categorical gets a "
            f"{MISSING_LEVEL!r} level, a number its median and a 0/1 column marking where (--missing indicator)"
        )


def _column(series: pd.Series, name: str, kind: ColumnKind, reason: str) -> Column:
    missing = int(series.isna().sum())
    values = series.dropna()
    if kind == "categorical":
        levels = tuple(sorted(_as_text(values).unique().tolist()))
        return Column(name, kind, missing, levels=levels, reason=reason)
    if kind == "integer":
        return Column(name, kind, missing, low=float(values.min()), high=float(values.max()), reason=reason)
    if kind == "continuous":
        return Column(name, kind, missing, decimals=_decimals(values), reason=reason)
    if kind == "constant" and len(values):
        return Column(name, kind, missing, constant=str(values.iloc[0]), reason=reason)
    return Column(name, kind, missing, reason=reason)
