"""Which codec each column of a table gets: the one place that decides a column's kind.

In the order tried:

- dropped (`--drop`); constant: one value in every row (or no value at all);
- ordinal (`--ordinal`) and categorical (`--categorical`) as named;
- boolean: true/false, yes/no, t/f, y/n in any case, or a column pandas read as booleans;
- numbers (a few stray tokens such as `?`, `-`, `n/a` read as gaps, counted and said; a column
  with one other word among numbers is refused, naming the row): consecutive whole numbers one per
  row are an identifier; whole numbers with at most `DISCRETE_LEVELS` values that are not a run are
  discrete, other whole numbers integer; one value in 99.5% of the rows is a constant (a point
  mass, whose density is unbounded); every other number continuous;
- text: dates when one format reads 95% of the cells (see `codec.dates`); an identifier when unique
  to 95% of more than 20 rows; otherwise categorical (the rarest levels grouped past a cap).

A modelled column with the same values as an earlier one is a duplicate. Under the `indicator`
policy every modelled column with gaps models them; `drop` counts the rows it leaves out; `refuse`
names the first gap. Every decision is said in the schema's notes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.data.codec.base import ColumnCodec
from advisor.data.codec.categories import Boolean, Categorical, Ordinal, as_text
from advisor.data.codec.dates import DATE_SHARE, Datetime, date_formats
from advisor.data.codec.leftout import Constant, Dropped, Duplicate, Identifier
from advisor.data.codec.numbers import Continuous, Discrete, Integer
from advisor.data.schema import MISSING_LEVEL, MISSING_POLICIES, MissingPolicy, TableSchema
from advisor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Typing", "infer_codecs", "DISCRETE_LEVELS"]

NEAR_CONSTANT_SHARE = 0.995
IDENTIFIER_SHARE = 0.95
#: most values a whole-number column kept to its set may have
DISCRETE_LEVELS = 20
#: least share of a column's cells that must be numbers for its stray tokens to be read as gaps
STRAY_NUMBER_SHARE = 0.5
_TRUE_FALSE = {"true", "false", "yes", "no", "t", "f", "y", "n"}
_GAP_WORDS = {"na", "n/a", "n.a.", "nan", "null", "none", "nil", "missing", "unknown", "#n/a", "not available"}


@dataclass(frozen=True)
class Typing:
    """The user's overrides of how columns are typed (each has a command-line flag)."""

    label: str | None = None
    categorical: Sequence[str] = ()
    ordinal: Sequence[str] = ()
    drop: Sequence[str] = ()
    missing: MissingPolicy = "indicator"
    dayfirst: bool = False


def _is_stray(token: str) -> bool:
    """A cell standing for "no number": no letter or digit in it, or a word for a gap."""
    return not any(c.isalnum() for c in token) or token.lower() in _GAP_WORDS


def _numbers(series: pd.Series, name: str) -> tuple[pd.Series, frozenset[str]] | None:
    """The non-missing cells as numbers and the stray tokens among them (read as gaps); None: text."""
    import pandas as pd

    values = series.dropna()
    if pd.api.types.is_numeric_dtype(series):
        return values.astype(float), frozenset()
    text = as_text(values)
    numbers = pd.to_numeric(text, errors="coerce")
    read = numbers.notna()
    if read.all():
        return numbers.astype(float), frozenset()
    tokens = frozenset(text[~read].unique())
    if read.mean() >= STRAY_NUMBER_SHARE and all(_is_stray(t) for t in tokens):
        return numbers[read].astype(float), tokens
    if read.mean() >= DATE_SHARE:
        bad = (~read).idxmax()
        raise InputError(
            f"row {bad + 2}, column {name!r}: {series[bad]!r} is not a number, unlike the rest of the column; "
            f"fix the cell, or give --categorical {name!r} to treat the column as categories"
        )
    return None


def _number_codec(name: str, numbers: pd.Series, missing: int, rows: int) -> ColumnCodec:
    import numpy as np

    if np.isinf(numbers).any():
        bad = numbers.index[np.isinf(numbers)][0]
        raise InputError(f"row {bad + 2}, column {name!r}: value {numbers[bad]} is infinite; clean the data first")
    distinct = numbers.nunique()
    if bool((numbers == numbers.round()).all()):
        run = numbers.max() - numbers.min() + 1 == distinct
        if run and distinct == len(numbers) and distinct > 20:
            return Identifier(name, "consecutive whole numbers, one per row", missing, rows)
        if distinct <= DISCRETE_LEVELS and not run:
            return Discrete(name, f"whole numbers, {distinct} values (kept to them)", missing, rows)
        return Integer(name, f"whole numbers, {distinct} levels", missing, rows)
    top_share = numbers.value_counts().iloc[0] / len(numbers)
    if top_share >= NEAR_CONSTANT_SHARE:  # a point mass: any density on it is unbounded
        return Constant(name, f"one value in {top_share:.1%} of the rows", missing, rows)
    return Continuous(name, "numbers", missing, rows)


def _codec(name: str, series: pd.Series, typing: Typing, notes: list[str]) -> tuple[ColumnCodec, pd.Series]:
    """The codec of one column (unfitted) and the cells it is fitted on."""
    import pandas as pd

    rows, missing, values = len(series), int(series.isna().sum()), series.dropna()
    if name in typing.drop:
        return Dropped(name, "left out with --drop", missing, rows), values
    distinct = values.nunique()
    if distinct <= 1:
        return Constant(name, "one value in every row" if distinct else "no value at all", missing, rows), values
    if name in typing.ordinal:
        return Ordinal(name, "named with --ordinal", missing, rows), values
    if name in typing.categorical:
        return Categorical(name, "named with --categorical", missing, rows), values
    if pd.api.types.is_bool_dtype(series) or set(as_text(values).str.lower().unique()) <= _TRUE_FALSE:
        return Boolean(name, "true/false", missing, rows), values
    reading = _numbers(series, name)
    if reading is not None:
        numbers, stray = reading
        gaps = missing + len(values) - len(numbers)
        codec = _number_codec(name, numbers, gaps, rows)
        if stray:
            codec.stray = stray
            notes.append(
                f"{name!r}: {len(values) - len(numbers)} cells held {', '.join(map(repr, sorted(stray)))}, not "
                "numbers: read as missing"
            )
        return codec, numbers
    text = as_text(values)
    dates = date_formats(text, name, typing.dayfirst)
    if dates:
        formats, caveat = dates
        if caveat:
            notes.append(caveat)
        return Datetime(name, f"dates ({' or '.join(formats)})", missing, rows, formats), values
    if distinct >= IDENTIFIER_SHARE * len(values) and len(values) > 20:
        return Identifier(name, f"text unique to {distinct / len(values):.0%} of the rows", missing, rows), text
    return Categorical(name, f"text, {distinct} levels", missing, rows), values


def _fingerprint(series: pd.Series) -> bytes:
    import pandas as pd

    return hashlib.sha256(
        pd.util.hash_pandas_object(series.astype("string"), index=False).to_numpy().tobytes()
    ).digest()


def _check_names(frame: pd.DataFrame, typing: Typing) -> None:
    for option, names in (
        ("--categorical", typing.categorical),
        ("--ordinal", typing.ordinal),
        ("--drop", typing.drop),
        ("--label-column", [typing.label] if typing.label else []),
    ):
        for name in names:
            if name not in frame.columns:
                raise InputError(f"{option} {name!r}: no such column; columns are {', '.join(map(str, frame.columns))}")
    if typing.missing not in MISSING_POLICIES:
        raise InputError(f"unknown missing-value policy {typing.missing!r}; use one of {', '.join(MISSING_POLICIES)}")


def infer_codecs(frame: pd.DataFrame, typing: Typing = Typing()) -> tuple[list[ColumnCodec], TableSchema]:
    """Each column's codec, fitted on the file's values, and the schema describing them."""
    _check_names(frame, typing)
    codecs: list[ColumnCodec] = []
    notes: list[str] = []
    seen: dict[bytes, str] = {}
    for name in frame.columns:
        if name == typing.label:
            continue
        series = frame[name]
        codec, values = _codec(name, series, typing, notes)
        if codec.modelled:
            fingerprint = _fingerprint(series)
            if fingerprint in seen:
                codec = Duplicate(name, f"same as {seen[fingerprint]!r}", codec.missing, codec.rows, seen[fingerprint])
            seen.setdefault(fingerprint, name)
        codec.fit(values)
        notes += codec.notes
        codecs.append(codec)
    schema = TableSchema([], len(frame), typing.label, typing.missing, notes=notes)
    _apply_missing_policy(codecs, frame, schema)
    schema.columns = [codec.describe() for codec in codecs]
    left_out = [c for c in codecs if not c.modelled]
    if left_out:
        schema.notes.append("left out: " + "; ".join(f"{c.name!r} ({c.kind}: {c.reason})" for c in left_out))
    if not any(c.modelled for c in codecs):
        raise InputError("no column is left to model: " + schema.notes[-1])
    return codecs, schema


def _apply_missing_policy(codecs: list[ColumnCodec], frame: pd.DataFrame, schema: TableSchema) -> None:
    """Apply the `refuse` policy, count what `drop` removes, mark the gaps `indicator` models, and say so."""
    import pandas as pd

    with_gaps = [c for c in codecs if c.modelled and c.missing]
    if not with_gaps:
        return
    gaps = pd.concat([c.gap_mask(frame[c.name]) for c in with_gaps], axis=1)
    cells, rows = int(gaps.to_numpy().sum()), int(gaps.any(axis=1).sum())
    names = [c.name for c in with_gaps]
    if schema.missing_policy == "refuse":
        row = int(gaps.any(axis=1).to_numpy().argmax())
        column = names[int(gaps.iloc[row].to_numpy().argmax())]
        raise InputError(
            f"row {row + 2}, column {column!r}: missing value ({cells} missing cells in {rows} rows); "
            "fill them, or choose --missing indicator or --missing drop"
        )
    if schema.missing_policy == "drop":
        schema.rows_dropped = rows
        schema.notes.append(f"{rows} of {schema.rows} rows left out for {cells} missing cells (--missing drop)")
        return
    for codec in with_gaps:
        codec.gaps = True
    schema.notes.append(
        f"{cells} missing cells in {rows} rows ({', '.join(names)}): a categorical gets a {MISSING_LEVEL!r} "
        "level, a number its median and a 0/1 column marking where, decoded at each column's own rate "
        "(--missing indicator)"
    )
